// WIZnet W5500 driver: socket 0 in MACRAW mode as an Ethernet frame device (hal/interfaces.ts).
// Facts: docs/chips/w5500.md, the fact sheet — section numbers below (§n) refer to it.
//
// One SPI frame per `spi.transfer` or `spi.write` (VDM, chip select held for the frame, §2), built in
// preallocated buffers. Register writes and the frames sent go by `write`: nothing is read back, so on
// Espruino nothing is allocated, and a frame goes out behind its 3-byte header without being copied.
// Reads (`transfer`) are the registers and the frames received. Every wait is bounded by a count and by
// the clock.
//
// What the driver knows without asking (no SPI frame spent on it):
// - Sn_TX_WR and the free TX space: after SEND_OK of our own last frame Sn_TX_RD = Sn_TX_WR and
//   Sn_TX_FSR is the whole buffer (§5.3), and only we move Sn_TX_WR; so both are read only for the
//   first frame after the socket opens (OPEN's pointer values are not promised, §5.3).
// - Sn_RX_RD: only we move it (§7.3 step 6), so it is read once after the socket opens.
// - The frames waiting are read with their length headers in one read of up to a full frame's 1,516
//   bytes; the frames wholly inside it are handed out from it, with one RECV for all of them (§7.3).
//   One ACK or request is one read; a full-size frame too.
// Recovery: a length header outside 14..1514 resynchronises (CLOSE, setup, OPEN; §6), a missing
// SEND_OK re-opens the socket (§7.2), and Sn_SR(0) != SOCK_MACRAW found by the periodic health check
// means the chip reset itself: it is initialised again (§10.10).
//
// Where the sheet marks a fact unverified, the conservative choice:
// - §7.2 step 1: chip padding of short frames is undocumented: we pad to 60 bytes ourselves.
// - §4.3: whether Sn_IMR gates Sn_IR is in conflict: Sn_IMR keeps RECV and SEND_OK (the bits we poll).
// - §5.3: whether Sn_TX_FSR counts an unsent Sn_TX_WR is undocumented: FSR is read only with nothing
//   written since OPEN, and only one frame is ever in flight, so it does not matter.
// - §10.11: the on-chip stack with SIPR 0.0.0.0 is unverified: SIPR is never written, MR.PB is set.
// - §5.2: a burst that runs past the end of the socket's buffer continues at its start, and a 16-bit
//   pointer is a valid offset (the chip takes it mod the buffer size): the driver relies on both, as
//   WIZnet's ioLibrary, esp-idf and Mongoose do, and never splits a transfer.
import { Clock, FrameDriver, InputPin, OutputPin, SpiDevice, newFrameDeviceCounters } from '../interfaces';
import { hex } from '../hex';
import { FrameDeviceCounters } from '../../tcp/ports';

// Control byte = BSB << 3 | RWB << 2 | OM (00 = VDM) (§2, table §2.1).
const CTL_COMMON_R = 0x00;
const CTL_COMMON_W = 0x04;
const CTL_S0_R = 0x08;
const CTL_S0_W = 0x0c;
const CTL_S0_TX_W = 0x14;
const CTL_S0_RX_R = 0x18;

// Common registers (§3)
const MR = 0x0000;
const SHAR = 0x0009;
const SIMR = 0x0018;
const RTR = 0x0019;
const PHYCFGR = 0x002e;
const VERSIONR = 0x0039;
// Socket registers (§4)
const Sn_MR = 0x0000;
const Sn_CR = 0x0001;
const Sn_IR = 0x0002;
const Sn_SR = 0x0003;
const Sn_RXBUF_SIZE = 0x001e;
const Sn_TX_FSR = 0x0020;
const Sn_TX_WR = 0x0024;
const Sn_RX_RSR = 0x0026;
const Sn_RX_RD = 0x0028;
const Sn_IMR = 0x002c;

const CMD_OPEN = 0x01;
const CMD_CLOSE = 0x10;
const CMD_SEND = 0x20;
const CMD_RECV = 0x40;
const IR_SEND_OK = 0x10;
const IR_TIMEOUT = 0x08;
const IR_RECV = 0x04;
const SOCK_MACRAW = 0x42;
const MR_PB = 0x10;
const SN_MR_MACRAW = 0x04;
const SN_MR_MFEN = 0x80;

const BUF_SIZE = 16384; // all 16 KB of TX and RX memory to socket 0 (§5.1)
const MAX_FRAME = 1514; // MACRAW MTU (§10.13)
const MIN_FRAME = 14;
const MIN_TX = 60;      // pad short frames (§7.2 step 1)

export interface W5500Options {
  spi: SpiDevice;
  clock: Clock;
  /** Our MAC address (6 bytes); written to SHAR, which the MAC filter compares against (§9). */
  mac: Uint8Array;
  resetPin?: OutputPin;
  intPin?: InputPin;
  /** Accept every frame (MFEN off). Default false: MAC filter on, broadcast still received. */
  promiscuous?: boolean;
  /** Bound on waiting for SEND_OK (§7.2 step 7). Default 20 ms. */
  sendTimeoutMs?: number;
  /** Bound on polls of one wait (Sn_CR, SEND_OK, MR.RST). Default 200. */
  maxPolls?: number;
  /** How often `receive()` checks Sn_SR(0) for a silent chip reset (§10.10). Default 1000 ms. */
  healthCheckMs?: number;
}

export class W5500 implements FrameDriver {
  readonly mac: Uint8Array;
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  /** Times the chip was found reset and re-initialised (also counted in `counters.resyncs`). */
  reinits = 0;
  private ready?: boolean; // (absent until init())
  private readonly spi: SpiDevice;
  private readonly clock: Clock;
  private readonly resetPin?: OutputPin;
  private readonly intPin?: InputPin;
  private readonly promiscuous: boolean;
  private readonly sendTimeoutMs: number;
  private readonly maxPolls: number;
  private readonly healthCheckMs: number;
  private nextHealthCheck = 0;
  // Register frames (header + 1 or 2 data bytes, no view per access) and bulk frames (header + a frame).
  private readonly reg4 = new Uint8Array(4);
  private readonly reg5 = new Uint8Array(5);
  // The 3-byte header of a TX buffer write, sent ahead of the frame itself (§2).
  private readonly txHead = new Uint8Array(3);
  private readonly bulk = new Uint8Array(3 + 2 + MAX_FRAME); // SPI header, a frame with its length header
  // Receive state kept between calls: bytes known to be waiting and where they start.
  private rxLeft = 0;
  private rxPtr!: number;
  // Sn_RX_RD and Sn_TX_WR as we last wrote them; -1 until read after the socket opened.
  private rxRd = -1;
  private txWr = -1;
  // The last read of RX memory while frames wholly inside it are still to be handed out (the next at
  // index `rxAt`), or null.
  private rxHeld: Uint8Array | null = null;
  private rxAt!: number;

  constructor(opts: W5500Options) {
    this.spi = opts.spi;
    this.clock = opts.clock;
    this.mac = new Uint8Array(6);
    this.mac.set(opts.mac.subarray(0, 6));
    this.resetPin = opts.resetPin;
    this.intPin = opts.intPin;
    this.promiscuous = !!opts.promiscuous;
    this.sendTimeoutMs = opts.sendTimeoutMs === undefined ? 20 : opts.sendTimeoutMs;
    this.maxPolls = opts.maxPolls === undefined ? 200 : opts.maxPolls;
    this.healthCheckMs = opts.healthCheckMs === undefined ? 1000 : opts.healthCheckMs;
  }

  // ------------------------------------------------------------------ register access (§2)

  // Reads send the register's address and control byte (RWB 0, §2) and zeros as the dummy data phase,
  // and return what came back; writes (RWB 1) go by `spi.write` and read nothing back.

  private get8(ctl: number, addr: number): number {
    const b = this.reg4;
    b[0] = addr >> 8; b[1] = addr & 0xff; b[2] = ctl; b[3] = 0;
    return this.spi.transfer(b)[3];
  }

  private get16(ctl: number, addr: number): number {
    const b = this.reg5;
    b[0] = addr >> 8; b[1] = addr & 0xff; b[2] = ctl; b[3] = 0; b[4] = 0;
    const r = this.spi.transfer(b);
    return (r[3] << 8) | r[4]; // big-endian (§10.14)
  }

  /** Writes a 1-byte register (write-only frame: nothing read back). */
  private put8(ctl: number, addr: number, v: number): void {
    const b = this.reg4;
    b[0] = addr >> 8; b[1] = addr & 0xff; b[2] = ctl; b[3] = v;
    this.spi.write(b);
  }

  /** Writes a 16-bit register, big-endian (§10.14). */
  private put16(ctl: number, addr: number, v: number): void {
    const b = this.reg5;
    b[0] = addr >> 8; b[1] = addr & 0xff; b[2] = ctl; b[3] = (v >> 8) & 0xff; b[4] = v & 0xff;
    this.spi.write(b);
  }

  /**
   * §5.4: the 16-bit size registers can change between their two bytes: read until two reads agree.
   * `a` is a first read of the register.
   */
  private readStable16(addr: number, a: number): number {
    for (let i = 0; i < 8; i++) {
      const b = this.get16(CTL_S0_R, addr);
      if (a === b) return a;
      a = b;
    }
    return -1;
  }

  /** Issues a socket 0 command and polls Sn_CR until the chip has taken it (§10.1). */
  private command(cmd: number): boolean {
    this.put8(CTL_S0_W, Sn_CR, cmd);
    const t0 = this.clock.nowMs();
    for (let i = 0; i < this.maxPolls; i++) {
      if (this.get8(CTL_S0_R, Sn_CR) === 0) return true;
      if (this.clock.nowMs() - t0 > 10) break;
    }
    return false;
  }

  // ------------------------------------------------------------------ bring-up (§7.1)

  /**
   * Resets the chip (pin, then software), checks it is a W5500, configures socket 0 for MACRAW and
   * opens it. Throws a clear Error when the chip is absent or answers garbage.
   */
  init(): void {
    this.ready = false;
    const pin = this.resetPin;
    if (pin) {
      pin.write(false);
      this.clock.delayMs(1); // RSTn low >= 500 µs
      pin.write(true);
      this.clock.delayMs(2); // PLL lock >= 1 ms
    }
    this.put8(CTL_COMMON_W, MR, 0x80);
    for (let i = 0; i < this.maxPolls && (this.get8(CTL_COMMON_R, MR) & 0x80); i++) this.clock.delayMs(1);
    // §10.9: VERSIONR may read 0 just after reset: poll with a bound.
    let v = 0;
    for (let i = 0; i < 20; i++) {
      v = this.get8(CTL_COMMON_R, VERSIONR);
      if (v === 0x04 || v === 0xff) break;
      this.clock.delayMs(1);
    }
    if (v !== 0x04) throw new Error('W5500 not found: VERSIONR read ' + hex(v) + ' (check wiring/CS)');
    const rtr = this.get16(CTL_COMMON_R, RTR);
    if (rtr !== 0x07d0) throw new Error('W5500 answers garbage: RTR read 0x' + rtr.toString(16) + ' after reset, expected 0x7d0 (check SPI mode/wiring)');
    if (!this.setup(false)) throw new Error('W5500: socket 0 did not open in MACRAW mode');
  }

  /** Steps 5-12 of §7.1; also used to recover after a resync or a silent chip reset. */
  private setup(close: boolean): boolean {
    if (close) this.command(CMD_CLOSE); // sizes may change only while socket 0 is closed (§10.6)
    this.put8(CTL_COMMON_W, MR, MR_PB); // ping block; SIPR stays 0.0.0.0 (§10.11)
    const b = this.bulk;
    b[0] = 0; b[1] = SHAR; b[2] = CTL_COMMON_W;
    b.set(this.mac, 3);
    this.spi.write(b.subarray(0, 9));
    // §5.1, §10.6: sizes before OPEN; socket 0 takes all 16 KB, sockets 1..7 get 0.
    for (let n = 0; n < 8; n++) this.put16(((4 * n + 1) << 3) | 0x04, Sn_RXBUF_SIZE, n === 0 ? 0x1010 : 0);
    this.put8(CTL_COMMON_W, SIMR, 0);
    return this.open();
  }

  /** Sn_MR, OPEN, check SOCK_MACRAW (else CLOSE and retry, §7.1 step 11), interrupts on. */
  private open(): boolean {
    // OPEN sets the socket's pointers anew (§4.2 Sn_CR OPEN): what we knew of them is gone.
    this.rxLeft = 0;
    this.rxHeld = null;
    this.rxRd = -1;
    this.txWr = -1;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) this.command(CMD_CLOSE);
      this.put8(CTL_S0_W, Sn_MR, SN_MR_MACRAW | (this.promiscuous ? 0 : SN_MR_MFEN));
      if (this.command(CMD_OPEN) && this.get8(CTL_S0_R, Sn_SR) === SOCK_MACRAW) {
        // §4.3: keep every bit we poll enabled in Sn_IMR; SIMR routes socket 0 to INTn.
        this.put8(CTL_S0_W, Sn_IMR, IR_RECV | IR_SEND_OK);
        this.put8(CTL_S0_W, Sn_IR, 0xff);
        if (this.intPin) this.put8(CTL_COMMON_W, SIMR, 0x01);
        this.ready = true;
        this.nextHealthCheck = this.clock.nowMs() + this.healthCheckMs;
        return true;
      }
    }
    this.ready = false;
    return false;
  }

  /** Full re-initialisation after the chip lost its configuration (§10.10). */
  private recover(): void {
    this.counters.resyncs++;
    this.reinits++;
    this.setup(true);
  }

  /** Resynchronise the RX buffer after a bad length header (§6, §10.12). */
  private resync(): void {
    this.counters.rxDropped++;
    this.counters.resyncs++;
    this.setup(true);
  }

  /** §10.10: Sn_SR(0) must stay SOCK_MACRAW; anything else means the chip reset itself. */
  checkHealth(): boolean {
    this.nextHealthCheck = this.clock.nowMs() + this.healthCheckMs;
    const sr = this.get8(CTL_S0_R, Sn_SR);
    if (sr === SOCK_MACRAW) return true;
    this.recover();
    return false;
  }

  // ------------------------------------------------------------------ FrameDevice

  linkUp(): boolean {
    // No link interrupt exists: poll PHYCFGR.LNK (§3.3, §10.7). An absent chip reads 0xFF: not "up".
    return !!this.ready && (this.get8(CTL_COMMON_R, PHYCFGR) & 0x01) === 1;
  }

  /** Calls `cb` on each falling edge of INTn (frames waiting); polling `receive()` works without it. */
  onInterrupt(cb: () => void): () => void {
    if (!this.intPin) return function () { /* no interrupt pin */ };
    return this.intPin.watchFalling(cb);
  }

  receive(buf: Uint8Array): number {
    if (!this.ready) {
      if (this.clock.nowMs() >= this.nextHealthCheck) {
        this.nextHealthCheck = this.clock.nowMs() + this.healthCheckMs;
        this.recover();
      }
      return 0;
    }
    if (this.clock.nowMs() >= this.nextHealthCheck && !this.checkHealth()) return 0;
    if (this.rxLeft === 0) {
      // §7.3 step 1: clear RECV before draining so a new arrival raises it (and INTn) again. Without an
      // INT line nothing watches the flag, and the clear is left out.
      if (this.intPin) this.put8(CTL_S0_W, Sn_IR, IR_RECV);
      // Nothing waiting is the usual answer, and one read gives it: a torn read (§5.4) that shows 0
      // while a frame lands only leaves that frame to the next poll (and its RECV raises INTn again).
      const first = this.get16(CTL_S0_R, Sn_RX_RSR);
      if (first === 0) return 0;
      const rsr = this.readStable16(Sn_RX_RSR, first);
      if (rsr <= 0) return 0;
      if (rsr > BUF_SIZE) { this.resync(); return 0; }
      if (this.rxRd < 0) this.rxRd = this.get16(CTL_S0_R, Sn_RX_RD);
      this.rxLeft = rsr;
      this.rxPtr = this.rxRd;
    }
    if (this.rxLeft < 2 + MIN_FRAME) { this.resync(); return 0; }
    const ptr = this.rxPtr;
    if (!this.rxHeld) {
      this.rxHeld = this.readRx(ptr, this.rxLeft < 2 + MAX_FRAME ? this.rxLeft : 2 + MAX_FRAME);
      this.rxAt = 3;
    }
    const held = this.rxHeld;
    const at = this.rxAt;
    // §6: 2-byte big-endian header counting itself, then the frame without FCS.
    const hdr = (held[at] << 8) | held[at + 1];
    const len = hdr - 2;
    if (len < MIN_FRAME || len > MAX_FRAME || hdr > this.rxLeft || at + hdr > held.length) { this.resync(); return 0; }
    let got = len;
    if (len > buf.length) {
      got = 0; // no room: skip the whole frame, counted
      this.counters.rxDropped++;
    } else {
      buf.set(held.subarray(at + 2, at + hdr));
    }
    const next = (ptr + hdr) & 0xffff;
    this.rxPtr = next;
    this.rxLeft -= hdr;
    // §7.3 steps 6-7: hand the space back once the frames wholly inside this read are taken.
    const a = this.rxAt = at + hdr;
    if (this.rxLeft === 0 || a + 2 > held.length || a + ((held[a] << 8) | held[a + 1]) > held.length) {
      this.rxHeld = null;
      this.put16(CTL_S0_W, Sn_RX_RD, next);
      if (!this.command(CMD_RECV)) { this.resync(); return 0; }
      this.rxRd = next;
    }
    if (got) this.counters.rxFrames++;
    return got;
  }

  /** `n` bytes of socket 0 RX memory from pointer `ptr` (§5.2): the read's result, the data from index 3. */
  private readRx(ptr: number, n: number): Uint8Array {
    const tx = this.bulk;
    tx[0] = ptr >> 8; tx[1] = ptr & 0xff; tx[2] = CTL_S0_RX_R;
    return this.spi.transfer(tx.subarray(0, 3 + n));
  }

  send(frame: Uint8Array): boolean {
    const len = frame.length;
    if (!this.ready || len < MIN_FRAME || len > MAX_FRAME) {
      this.counters.txErrors++;
      return false;
    }
    const n = len < MIN_TX ? MIN_TX : len;
    let ptr = this.txWr;
    if (ptr < 0) {
      // First frame since the socket opened. §7.2 step 2: never overwrite unsent data.
      if (this.readStable16(Sn_TX_FSR, this.get16(CTL_S0_R, Sn_TX_FSR)) < n) {
        this.counters.txErrors++;
        return false;
      }
      ptr = this.get16(CTL_S0_R, Sn_TX_WR);
    }
    this.writeTx(ptr, frame, n); // the frame, padded to the minimum
    this.put16(CTL_S0_W, Sn_TX_WR, (ptr + n) & 0xffff);
    if (!this.command(CMD_SEND)) return this.sendFailed();
    // §7.2 step 7, §10.5: one SEND in flight; bounded wait for SEND_OK, then clear it.
    const t0 = this.clock.nowMs();
    for (let i = 0; i < this.maxPolls; i++) {
      const ir = this.get8(CTL_S0_R, Sn_IR);
      if (ir & IR_SEND_OK) {
        this.put8(CTL_S0_W, Sn_IR, IR_SEND_OK);
        // §5.3: the buffer is empty again and Sn_TX_WR is ours: the next frame reads neither.
        this.txWr = (ptr + n) & 0xffff;
        this.counters.txFrames++;
        return true;
      }
      if (ir & IR_TIMEOUT) break;
      if (this.clock.nowMs() - t0 > this.sendTimeoutMs) break;
    }
    return this.sendFailed();
  }

  /**
   * `n` bytes of `frame` (zeros after it when it is shorter) into socket 0 TX memory at pointer `ptr`
   * (§5.2): the 3-byte header, then the frame itself, in one write-only SPI frame. Only a frame shorter
   * than the chip's minimum is copied, to pad it.
   */
  private writeTx(ptr: number, frame: Uint8Array, n: number): void {
    let body = frame;
    if (n > frame.length) {
      body = this.bulk.subarray(3, 3 + n);
      body.fill(0);
      body.set(frame);
    }
    const h = this.txHead;
    h[0] = ptr >> 8; h[1] = ptr & 0xff; h[2] = CTL_S0_TX_W;
    this.spi.write(h, body);
  }

  /** SEND_OK never came: the chip may have reset; re-initialise (esp-idf re-opens, §7.2). */
  private sendFailed(): boolean {
    this.counters.txErrors++;
    this.recover();
    return false;
  }
}
