// A register-accurate model of the WIZnet W5500 behind a simulated SPI bus, for the host simulator and
// the driver tests. Facts: docs/chips/w5500.md, the fact sheet (§n below refer to it, "DS" to the
// W5500 datasheet it cites).
//
// What it models: the SPI frame (2-byte offset, control byte, data; VDM and optionally FDM, §2), the
// common and socket register maps with their reset values (§3, §4), the 16 KB TX/RX memories split
// between the sockets (§5.1), free-running 16-bit pointers mapped mod the socket size with wrap inside
// the socket region (§5.2), RSR/FSR (§5.3), the RECV latch, Sn_CR self-clearing, Sn_IR / Sn_IMR / SIR /
// SIMR / INTn (§4.3, §8), MACRAW RX format (§6), SEND (§7.2, §11), the MACRAW filter (§9), the PHY
// (§3.3) and the on-chip stack's ARP answer when SIPR is set (§10.11).
//
// Choices where the sheet marks behaviour unverified or undocumented (switchable where a test needs it):
// - §4.3: Sn_IMR gates Sn_IR (datasheet reading) unless `lenientImr`.
// - §7.2/§11: SEND pads frames shorter than 60 bytes with zeros.
// - §5.3: Sn_TX_FSR reflects a newly written Sn_TX_WR at once (S - (TX_WR - TX_RD)).
// - §11: RECV does not re-raise Sn_IR.RECV for data still waiting; only new arrivals do.
// - §3: PMRU resets to 0xFFFF; §9: the "33:33 passes MMB" quirk is not mirrored.
// - MACRAW RX overflow: the frame is dropped silently (no flag documented), counted in `stats`.
//
// Things a driver does wrong are recorded in `violations` so tests can assert the model caught them.
// Simulator-only code: per-byte loops are fine here.
import { Clock, SpiDevice } from '../interfaces';
import { SimInputPin, SimOutputPin } from './sim-pins';
import { WirePort } from './virtual-wire';
import { SeededRandom } from './random';
import { hex } from '../hex';
import { writeThrough } from './spi-write';

// Common registers (§3)
const MR = 0x00;
const SHAR = 0x09;
const SIPR = 0x0f;
const IR = 0x15;
const IMR = 0x16;
const SIR = 0x17;
const SIMR = 0x18;
const PHYCFGR = 0x2e;
const VERSIONR = 0x39;
const COMMON_SIZE = 0x3a;

// Socket registers (§4)
const Sn_MR = 0x00;
const Sn_CR = 0x01;
const Sn_IR = 0x02;
const Sn_SR = 0x03;
const Sn_RXBUF_SIZE = 0x1e;
const Sn_TXBUF_SIZE = 0x1f;
const Sn_TX_FSR = 0x20;
const Sn_TX_RD = 0x22;
const Sn_TX_WR = 0x24;
const Sn_RX_RSR = 0x26;
const Sn_RX_RD = 0x28;
const Sn_RX_WR = 0x2a;
const Sn_IMR = 0x2c;
const SOCKET_SIZE = 0x30;

// Sn_CR commands, Sn_IR bits, Sn_SR values (§4.2-4.4)
const CMD_OPEN = 0x01;
const CMD_CLOSE = 0x10;
const CMD_SEND = 0x20;
const CMD_RECV = 0x40;
const IR_SEND_OK = 0x10;
const IR_RECV = 0x04;
const SOCK_CLOSED = 0x00;
const SOCK_MACRAW = 0x42;

const MEM = 16384;

export interface W5500Faults {
  /** Chip absent / MISO stuck: every MISO byte reads this level and nothing is decoded. */
  misoStuck: 'high' | 'low' | null;
  /** Every n-th SPI transfer gets one bit flipped in one MISO data byte (0 = never). */
  corruptSpiEvery: number;
  /** One-shot: this frame lands between the two bytes of the next 2-byte read of Sn_RX_RSR (§5.4). */
  tornRsrFrame: Uint8Array | null;
  /** The next n SENDs transmit but never raise SEND_OK (and leave the chip "busy"). */
  loseSendOk: number;
  /** One-shot: the next frame stored in socket 0's RX memory gets this value as its length header (§6). */
  corruptNextHeader: number | null;
  /**
   * Brown-out in the middle of the n-th SPI transfer from now (0 = never): the first half of its data
   * phase is decoded, then every register returns to its reset value and the rest of the frame is lost.
   */
  glitchAfterTransfers: number;
}

export interface W5500ModelOptions {
  clock: Clock;
  port: WirePort;
  /** Initial cable state; default connected. */
  link?: boolean;
  /** Sn_IR bits are set even when masked in Sn_IMR (the lenient reading of §4.3); default false (DS). */
  lenientImr?: boolean;
  /** Reads of Sn_CR that still return the command before it reads 0 (§10.1); default 1. */
  cmdBusyReads?: number;
  /** Reads of MR that still show RST after a software reset; default 1. */
  resetBusyReads?: number;
  /** Reads of VERSIONR that return 0x00 after a reset (§7.1 step 3, §10.9); default 0. */
  versionZeroReads?: number;
  /** Time from SEND to SEND_OK in ms of the clock given; default 0 (set at once). */
  sendTimeMs?: number;
  /** Time the PHY needs to bring the link up after a PHY reset; default 0. */
  phyNegotiateMs?: number;
  /** Accept frames shorter than 60 bytes (without FCS). The real chip drops runts (§9); default false. */
  acceptRunts?: boolean;
  /** Seed for the corruption positions. */
  seed?: number;
}

export interface W5500ModelStats {
  spiTransfers: number;
  spiCorrupted: number;
  rxAccepted: number;
  rxFiltered: number;
  rxOverflowDrops: number;
  rxClosedDrops: number;
  rxLinkDownDrops: number;
  rxRunts: number;
  txSent: number;
  txLinkDown: number;
  txBad: number;
  brownOuts: number;
  arpAnsweredByChip: number;
}

const VALID_SIZES = [0, 1, 2, 4, 8, 16];

export class W5500Model {
  readonly spi: SpiDevice;
  readonly intPin = new SimInputPin();
  readonly resetPin = new SimOutputPin();
  readonly faults: W5500Faults = {
    misoStuck: null, corruptSpiEvery: 0, tornRsrFrame: null, loseSendOk: 0, corruptNextHeader: null,
    glitchAfterTransfers: 0,
  };
  readonly stats: W5500ModelStats = {
    spiTransfers: 0, spiCorrupted: 0, rxAccepted: 0, rxFiltered: 0, rxOverflowDrops: 0, rxClosedDrops: 0,
    rxLinkDownDrops: 0, rxRunts: 0, txSent: 0, txLinkDown: 0, txBad: 0, brownOuts: 0, arpAnsweredByChip: 0,
  };
  /** Rule violations seen (bounded to 1000); `violationCount` counts all of them. */
  readonly violations: string[] = [];
  violationCount = 0;
  /** When set, every SPI transfer's MOSI bytes are appended (for sequence tests). */
  trace: Uint8Array[] | null = null;

  lenientImr: boolean;
  cmdBusyReads: number;
  resetBusyReads: number;
  versionZeroReads: number;
  sendTimeMs: number;
  phyNegotiateMs: number;
  acceptRunts: boolean;

  private readonly clock: Clock;
  private readonly port: WirePort;
  private readonly rnd: SeededRandom;
  private readonly common = new Uint8Array(COMMON_SIZE);
  private readonly sock: Uint8Array[] = [];
  private readonly txMem = new Uint8Array(MEM);
  private readonly rxMem = new Uint8Array(MEM);
  // Socket 0 internals
  private rxRdCommitted = 0;
  private rxWr = 0;
  private txRd = 0;
  /** Pointer values (RX_WR) where stored frames begin, oldest first, for RECV boundary checks. */
  private rxBoundaries: number[] = [];
  private rxRdWrittenSinceRecv = false;
  private cmdBusy = [0, 0, 0, 0, 0, 0, 0, 0];
  private cmdValue = [0, 0, 0, 0, 0, 0, 0, 0];
  private txInFlight = false;
  private sendOkAt = -1;
  private sendOkUnacked = false;
  private mrBusy = 0;
  private versionZero = 0;
  private cable: boolean;
  private phyInReset = false;
  private phyUpAt = 0;
  private inReset = false;
  private resetLowAt = 0;
  private resetReleasedAt = -Infinity;
  private inTransfer = false;

  constructor(opts: W5500ModelOptions) {
    this.clock = opts.clock;
    this.port = opts.port;
    this.cable = opts.link !== false;
    this.lenientImr = !!opts.lenientImr;
    this.cmdBusyReads = opts.cmdBusyReads ?? 1;
    this.resetBusyReads = opts.resetBusyReads ?? 1;
    this.versionZeroReads = opts.versionZeroReads ?? 0;
    this.sendTimeMs = opts.sendTimeMs ?? 0;
    this.phyNegotiateMs = opts.phyNegotiateMs ?? 0;
    this.acceptRunts = !!opts.acceptRunts;
    this.rnd = new SeededRandom(opts.seed ?? 5500);
    for (let i = 0; i < 8; i++) this.sock.push(new Uint8Array(SOCKET_SIZE));
    this.resetRegisters();
    this.versionZero = 0;
    this.mrBusy = 0;
    this.spi = { transfer: (tx: Uint8Array) => this.transfer(tx), write: writeThrough((tx: Uint8Array) => this.transfer(tx)) };
    this.resetPin.onChange = (high) => this.onResetPin(high);
    this.updateInt();
  }

  // ---------------------------------------------------------------- public controls

  /** Plug or unplug the cable (link flap). */
  setLink(up: boolean): void {
    this.cable = up;
    if (up) this.phyUpAt = Math.max(this.phyUpAt, this.clock.nowMs());
  }

  /** Brown-out: every register back to its reset value, memories' pointers cleared (§10.10). */
  powerGlitch(): void {
    this.stats.brownOuts++;
    this.resetRegisters();
  }

  /** Takes frames that have arrived on the wire into RX memory; completes SENDs; updates INTn. */
  service(): void {
    if (this.sendOkAt >= 0 && this.clock.nowMs() >= this.sendOkAt) {
      this.sendOkAt = -1;
      this.completeSend();
    }
    if (!this.inReset && !this.faults.misoStuck) {
      for (let f = this.port.take(); f; f = this.port.take()) this.receiveFromWire(f);
    }
    this.updateInt();
  }

  /** Socket 0 internals for tests. */
  get pointers(): { rxWr: number; rxRdCommitted: number; txRd: number; txWr: number } {
    return { rxWr: this.rxWr, rxRdCommitted: this.rxRdCommitted, txRd: this.txRd, txWr: this.get16(this.sock[0], Sn_TX_WR) };
  }

  /** Socket 0's status register (for tests). */
  get socketStatus(): number {
    return this.sock[0][Sn_SR];
  }

  /** Configure the on-chip address (as a careless driver would); used by tests of §10.11. */
  peekCommon(off: number): number {
    return this.common[off];
  }

  // ---------------------------------------------------------------- reset

  private violate(msg: string): void {
    this.violationCount++;
    if (this.violations.length < 1000) this.violations.push(msg);
  }

  private resetRegisters(): void {
    const c = this.common;
    c.fill(0);
    c[0x19] = 0x07; c[0x1a] = 0xd0; // RTR 2000
    c[0x1b] = 0x08;                 // RCR
    c[0x1c] = 0x28;                 // PTIMER
    c[0x26] = 0xff; c[0x27] = 0xff; // PMRU (unverified reset value, §3)
    c[PHYCFGR] = 0xb8;              // RST=1, OPMD=0, OPMDC=111; status bits computed on read
    c[VERSIONR] = 0x04;
    for (let n = 0; n < 8; n++) {
      const s = this.sock[n];
      s.fill(0);
      for (let i = 6; i < 12; i++) s[i] = 0xff; // Sn_DHAR
      s[0x16] = 0x80;                           // Sn_TTL
      s[Sn_RXBUF_SIZE] = 2;
      s[Sn_TXBUF_SIZE] = 2;
      s[Sn_IMR] = 0xff;
      s[0x2d] = 0x40;                           // Sn_FRAG 0x4000
      this.cmdBusy[n] = 0;
    }
    this.rxRdCommitted = 0;
    this.rxWr = 0;
    this.txRd = 0;
    this.rxBoundaries = [];
    this.rxRdWrittenSinceRecv = false;
    this.txInFlight = false;
    this.sendOkAt = -1;
    this.sendOkUnacked = false;
    this.phyInReset = false;
    this.mrBusy = this.resetBusyReads;
    this.versionZero = this.versionZeroReads;
  }

  private onResetPin(high: boolean): void {
    const now = this.clock.nowMs();
    if (!high) {
      this.inReset = true;
      this.resetLowAt = now;
      return;
    }
    this.inReset = false;
    // DS reset cycle time: RSTn low for at least 500 µs (§7.1 step 1).
    if (now - this.resetLowAt < 0.5) this.violate('RSTn held low for ' + (now - this.resetLowAt) + ' ms (< 0.5 ms)');
    this.resetRegisters();
    this.mrBusy = 0;
    this.resetReleasedAt = now;
    this.updateInt();
  }

  // ---------------------------------------------------------------- memory layout (§5.1, §5.2)

  private sizeBytes(n: number, rx: boolean): number {
    const kb = this.sock[n][rx ? Sn_RXBUF_SIZE : Sn_TXBUF_SIZE];
    return VALID_SIZES.indexOf(kb) >= 0 ? kb * 1024 : 0;
  }

  private base(n: number, rx: boolean): number {
    let b = 0;
    for (let i = 0; i < n; i++) b += this.sizeBytes(i, rx);
    return b;
  }

  private get16(a: Uint8Array, off: number): number {
    return (a[off] << 8) | a[off + 1];
  }

  private set16(a: Uint8Array, off: number, v: number): void {
    a[off] = (v >> 8) & 0xff;
    a[off + 1] = v & 0xff;
  }

  private rsr(): number {
    if (this.sock[0][Sn_SR] !== SOCK_MACRAW) return 0;
    return (this.rxWr - this.rxRdCommitted) & 0xffff;
  }

  private fsr(n: number): number {
    const s = this.sizeBytes(n, false);
    if (n !== 0) return s;
    const used = (this.get16(this.sock[0], Sn_TX_WR) - this.txRd) & 0xffff;
    return used > s ? 0 : s - used;
  }

  // ---------------------------------------------------------------- SPI decoding (§2)

  private transfer(tx: Uint8Array): Uint8Array {
    const n = tx.length;
    const rx = new Uint8Array(n);
    if (this.faults.misoStuck) {
      rx.fill(this.faults.misoStuck === 'high' ? 0xff : 0x00);
      return rx;
    }
    if (this.inReset) {
      rx.fill(0xff);
      this.violate('SPI transfer while RSTn is held low');
      return rx;
    }
    if (this.clock.nowMs() - this.resetReleasedAt < 1) this.violate('SPI transfer less than 1 ms after RSTn release (PLL lock, §7.1)');
    if (this.inTransfer) this.violate('re-entrant SPI transfer (CS already low)');
    const glitch = this.faults.glitchAfterTransfers > 0 && --this.faults.glitchAfterTransfers === 0;
    this.inTransfer = true;
    this.service();
    this.stats.spiTransfers++;
    if (this.trace) this.trace.push(new Uint8Array(tx));
    if (n < 4) this.violate('SPI frame of ' + n + ' bytes (header 3 + at least 1 data byte, §2)');
    const limit = glitch ? Math.min(n, 3 + ((n - 3) >> 1)) : n;
    let i = 0;
    while (i < limit) {
      // Header: MISO shifts out 0x01 0x02 0x03 while the host clocks the header (§2, observed).
      if (i < n) rx[i] = 0x01;
      if (i + 1 < n) rx[i + 1] = 0x02;
      if (i + 2 < n) rx[i + 2] = 0x03;
      if (i + 3 > n) break;
      let off = (tx[i] << 8) | tx[i + 1];
      const ctl = tx[i + 2];
      const bsb = ctl >> 3;
      const write = (ctl & 0x04) !== 0;
      const om = ctl & 0x03;
      const fixed = om === 0 ? 0 : om === 1 ? 1 : om === 2 ? 2 : 4;
      let j = i + 3;
      const end = fixed ? Math.min(limit, j + fixed) : limit;
      if ((bsb & 3) >= 2) {
        // TX or RX buffer memory: plain bytes in a ring, copied in bulk (a frame is one transfer).
        this.copyBuffer(bsb, off, write, tx, rx, j, end);
        j = end;
      }
      for (; j < end; j++) {
        if (write) {
          rx[j] = 0x00;
          this.writeByte(bsb, off, tx[j]);
        } else {
          rx[j] = this.readByte(bsb, off, j + 1 < end);
        }
        off = (off + 1) & 0xffff;
      }
      i = end;
      if (!fixed) break;
    }
    if (glitch) {
      rx.fill(0, limit);
      this.powerGlitch();
    }
    if (this.faults.corruptSpiEvery > 0 && n > 3 && this.stats.spiTransfers % this.faults.corruptSpiEvery === 0) {
      const at = 3 + this.rnd.nextInt(n - 3);
      rx[at] ^= 1 << this.rnd.nextInt(8);
      this.stats.spiCorrupted++;
    }
    this.inTransfer = false;
    this.updateInt();
    return rx;
  }

  /** Writes `data` into the ring mem[base .. base+size) from position `at` (< size), wrapping. */
  private ringWrite(mem: Uint8Array, base: number, size: number, at: number, data: Uint8Array): void {
    const first = Math.min(data.length, size - at);
    mem.set(data.subarray(0, first), base + at);
    if (first < data.length) mem.set(data.subarray(first), base);
  }

  /** Fills `out` from the ring mem[base .. base+size) from position `at` (< size), wrapping. */
  private ringRead(mem: Uint8Array, base: number, size: number, at: number, out: Uint8Array): void {
    const first = Math.min(out.length, size - at);
    out.set(mem.subarray(base + at, base + at + first));
    if (first < out.length) out.set(mem.subarray(base, base + out.length - first), first);
  }

  /**
   * Bytes j..end of a transfer to or from socket (bsb >> 2)'s TX or RX buffer, from offset `off`: the
   * same as byte by byte (the offset wraps at the buffer's size, which divides 64 KB), in at most two
   * copies. MISO shows 0x00 while the host writes.
   */
  private copyBuffer(bsb: number, off: number, write: boolean, tx: Uint8Array, rx: Uint8Array, j: number, end: number): void {
    const n = bsb >> 2;
    const isRx = (bsb & 3) === 3;
    const size = this.sizeBytes(n, isRx);
    if (size === 0 || j >= end) return; // reads see 0, writes go nowhere (rx is zero-filled)
    const mem = isRx ? this.rxMem : this.txMem;
    const base = this.base(n, isRx);
    let at = off % size;
    while (j < end) {
      const len = Math.min(end - j, size - at);
      if (write) mem.set(tx.subarray(j, j + len), base + at);
      else rx.set(mem.subarray(base + at, base + at + len), j);
      j += len;
      at = 0;
    }
  }

  private readByte(bsb: number, off: number, more: boolean): number {
    if (bsb === 0) return this.readCommon(off);
    const n = bsb >> 2;
    const kind = bsb & 3;
    if (kind === 0) {
      this.violate('read from reserved block BSB=' + hex(bsb));
      return 0;
    }
    if (kind === 1) return this.readSocket(n, off, more);
    const rx = kind === 3;
    const size = this.sizeBytes(n, rx);
    if (size === 0) return 0;
    const mem = rx ? this.rxMem : this.txMem;
    return mem[this.base(n, rx) + (off % size)];
  }

  private writeByte(bsb: number, off: number, v: number): void {
    if (bsb === 0) return this.writeCommon(off, v);
    const n = bsb >> 2;
    const kind = bsb & 3;
    if (kind === 0) {
      this.violate('write to reserved block BSB=' + hex(bsb));
      return;
    }
    if (kind === 1) return this.writeSocket(n, off, v);
    const rx = kind === 3;
    const size = this.sizeBytes(n, rx);
    if (size === 0) return;
    const mem = rx ? this.rxMem : this.txMem;
    mem[this.base(n, rx) + (off % size)] = v;
  }

  private readCommon(off: number): number {
    if (off >= COMMON_SIZE) return 0;
    if (off === MR) {
      if (this.mrBusy > 0) {
        this.mrBusy--;
        return this.common[MR] | 0x80;
      }
      return this.common[MR];
    }
    if (off === VERSIONR && this.versionZero > 0) {
      this.versionZero--;
      return 0x00;
    }
    if (off === SIR) return this.sir();
    if (off === PHYCFGR) return (this.common[PHYCFGR] & 0xf8) | this.phyStatus();
    return this.common[off];
  }

  private phyStatus(): number {
    const up = this.linkIsUp();
    return up ? 0x07 : 0x02; // DPX, SPD, LNK (0xBA with no link, §3.3)
  }

  private linkIsUp(): boolean {
    return this.cable && !this.phyInReset && (this.common[PHYCFGR] & 0x80) !== 0 && this.clock.nowMs() >= this.phyUpAt;
  }

  private writeCommon(off: number, v: number): void {
    if (off >= COMMON_SIZE) return;
    if (off === MR) {
      if (v & 0x80) {
        this.resetRegisters(); // software reset (§3.1); MR reads RST for a while
        return;
      }
      this.common[MR] = v & 0x3a;
      return;
    }
    if (off === IR) {
      this.common[IR] &= ~v; // write 1 to clear
      return;
    }
    if (off === SIR || off === VERSIONR || (off >= 0x28 && off <= 0x2d)) return; // read-only
    if (off === PHYCFGR) {
      const wasReset = this.phyInReset;
      this.common[PHYCFGR] = v & 0xf8;
      if (!(v & 0x80)) this.phyInReset = true; // RST=0 holds the PHY in reset; it does not come back (§3.3)
      else if (wasReset) {
        this.phyInReset = false;
        this.phyUpAt = this.clock.nowMs() + this.phyNegotiateMs;
      }
      return;
    }
    this.common[off] = v;
  }

  private sir(): number {
    let s = 0;
    for (let n = 0; n < 8; n++) if (this.sock[n][Sn_IR] & this.sock[n][Sn_IMR]) s |= 1 << n;
    return s;
  }

  private readSocket(n: number, off: number, more: boolean): number {
    if (off >= SOCKET_SIZE) return 0;
    const s = this.sock[n];
    switch (off) {
      case Sn_CR:
        if (this.cmdBusy[n] > 0) {
          this.cmdBusy[n]--;
          return this.cmdValue[n];
        }
        return 0;
      case Sn_TX_FSR: return (this.fsr(n) >> 8) & 0xff;
      case Sn_TX_FSR + 1: return this.fsr(n) & 0xff;
      case Sn_TX_RD: return n === 0 ? (this.txRd >> 8) & 0xff : 0;
      case Sn_TX_RD + 1: return n === 0 ? this.txRd & 0xff : 0;
      case Sn_RX_RSR: {
        if (n !== 0) return 0;
        const hi = (this.rsr() >> 8) & 0xff;
        const torn = this.faults.tornRsrFrame;
        if (torn && more) {
          // A frame lands between the two byte reads of one burst (§5.4).
          this.faults.tornRsrFrame = null;
          this.receiveFromWire(torn);
        }
        return hi;
      }
      case Sn_RX_RSR + 1: return n === 0 ? this.rsr() & 0xff : 0;
      case Sn_RX_WR: return n === 0 ? (this.rxWr >> 8) & 0xff : 0;
      case Sn_RX_WR + 1: return n === 0 ? this.rxWr & 0xff : 0;
      default: return s[off];
    }
  }

  private writeSocket(n: number, off: number, v: number): void {
    if (off >= SOCKET_SIZE) return;
    const s = this.sock[n];
    switch (off) {
      case Sn_CR:
        return this.command(n, v);
      case Sn_IR:
        s[Sn_IR] &= ~v;
        if (n === 0 && (v & IR_SEND_OK)) this.sendOkUnacked = false;
        return;
      case Sn_SR: case Sn_TX_FSR: case Sn_TX_FSR + 1: case Sn_TX_RD: case Sn_TX_RD + 1:
      case Sn_RX_RSR: case Sn_RX_RSR + 1: case Sn_RX_WR: case Sn_RX_WR + 1:
        return; // read-only
      case Sn_RXBUF_SIZE: case Sn_TXBUF_SIZE:
        if (VALID_SIZES.indexOf(v) < 0) this.violate('socket ' + n + ' buffer size ' + v + ' KB is not 0/1/2/4/8/16');
        if (s[Sn_SR] !== SOCK_CLOSED) this.violate('socket ' + n + ' buffer size changed while open (§10.6)');
        s[off] = v;
        return;
      case Sn_RX_RD:
        if (n === 0 && this.rxRdWrittenSinceRecv) this.violate('Sn_RX_RD moved again without RECV (§10.3)');
        s[off] = v;
        return;
      case Sn_RX_RD + 1:
        s[off] = v;
        if (n === 0) this.rxRdWrittenSinceRecv = true;
        return;
      default:
        s[off] = v;
    }
  }

  // ---------------------------------------------------------------- commands (§4.2, §11)

  private command(n: number, cmd: number): void {
    if (this.cmdBusy[n] > 0) {
      this.violate('Sn_CR written (' + hex(cmd) + ') while command ' + hex(this.cmdValue[n]) + ' still pending (§10.1)');
      return; // the chip has not accepted the previous command: this one is lost
    }
    this.cmdValue[n] = cmd;
    this.cmdBusy[n] = this.cmdBusyReads;
    const s = this.sock[n];
    switch (cmd) {
      case CMD_OPEN: {
        if (n === 0) this.checkAllocation();
        const p = s[Sn_MR] & 0x0f;
        if (p === 0x04) {
          if (n !== 0) { this.violate('MACRAW OPEN on socket ' + n + ' (socket 0 only)'); return; }
          s[Sn_SR] = SOCK_MACRAW;
          this.rxRdCommitted = 0; this.rxWr = 0; this.txRd = 0;
          this.set16(s, Sn_TX_WR, 0); this.set16(s, Sn_RX_RD, 0);
          this.rxBoundaries = [];
          this.rxRdWrittenSinceRecv = false;
          this.txInFlight = false; this.sendOkAt = -1; this.sendOkUnacked = false;
        } else if (p === 0x01) s[Sn_SR] = 0x13;
        else if (p === 0x02) s[Sn_SR] = 0x22;
        return;
      }
      case CMD_CLOSE:
        s[Sn_SR] = SOCK_CLOSED;
        if (n === 0) { this.txInFlight = false; this.sendOkAt = -1; this.sendOkUnacked = false; }
        return;
      case CMD_SEND:
        if (n === 0) this.send();
        return;
      case CMD_RECV:
        if (n === 0) this.recv();
        return;
      default:
        // CONNECT, DISCON, LISTEN, SEND_MAC, SEND_KEEP: not used in MACRAW
        return;
    }
  }

  private checkAllocation(): void {
    let rx = 0, tx = 0;
    for (let i = 0; i < 8; i++) { rx += this.sizeBytes(i, true); tx += this.sizeBytes(i, false); }
    if (rx > MEM || tx > MEM) this.violate('buffer sizes add up to ' + rx / 1024 + ' KB RX / ' + tx / 1024 + ' KB TX (> 16 KB, §5.1, §10.6)');
  }

  private setSocketIr(n: number, bit: number): void {
    const s = this.sock[n];
    // DS: an Sn_IR bit is set only when its Sn_IMR bit is set (§4.3); the lenient switch sets it anyway.
    if (this.lenientImr || (s[Sn_IMR] & bit)) s[Sn_IR] |= bit;
  }

  private send(): void {
    const s = this.sock[0];
    if (s[Sn_SR] !== SOCK_MACRAW) {
      this.violate('SEND on socket 0 with Sn_SR=' + hex(s[Sn_SR]) + ' (not open: chip reset? §10.10)');
      return;
    }
    if (this.txInFlight || this.sendOkUnacked) {
      this.violate('SEND before the previous SEND_OK was seen and cleared (§10.5)');
    }
    const size = this.sizeBytes(0, false);
    const wr = this.get16(s, Sn_TX_WR);
    const len = (wr - this.txRd) & 0xffff;
    this.txInFlight = true;
    if (len < 14 || len > 1514 || len > size) {
      this.violate('SEND of ' + len + ' bytes (MACRAW frames are 14..1514, §10.13)');
      this.stats.txBad++;
    } else {
      const frame = new Uint8Array(len < 60 ? 60 : len); // pad to 60 (assumed, §7.2)
      const b = this.base(0, false);
      this.ringRead(this.txMem, b, size, this.txRd % size, frame.subarray(0, len));
      if (this.linkIsUp()) {
        this.port.send(frame);
        this.stats.txSent++;
      } else this.stats.txLinkDown++;
    }
    this.txRd = wr;
    if (this.faults.loseSendOk > 0) {
      this.faults.loseSendOk--;
      return; // SEND_OK never comes; txInFlight stays set until CLOSE/OPEN or reset
    }
    if (this.sendTimeMs > 0) this.sendOkAt = this.clock.nowMs() + this.sendTimeMs;
    else this.completeSend();
  }

  private completeSend(): void {
    this.txInFlight = false;
    this.setSocketIr(0, IR_SEND_OK);
    if (this.sock[0][Sn_IR] & IR_SEND_OK) this.sendOkUnacked = true;
  }

  private recv(): void {
    const s = this.sock[0];
    if (s[Sn_SR] !== SOCK_MACRAW) return;
    const rd = this.get16(s, Sn_RX_RD);
    const advance = (rd - this.rxRdCommitted) & 0xffff;
    const rsr = this.rsr();
    this.rxRdWrittenSinceRecv = false;
    if (advance > rsr) {
      this.violate('RECV with Sn_RX_RD ' + hex(rd, 4) + ' past Sn_RX_WR ' + hex(this.rxWr, 4) + ' (trusted a bad length? §6, §10.12)');
    } else {
      // Drop the boundaries consumed; the new read pointer must sit on one (or at RX_WR).
      let ok = rd === this.rxWr;
      while (this.rxBoundaries.length && ((this.rxBoundaries[0] - this.rxRdCommitted) & 0xffff) < advance) this.rxBoundaries.shift();
      if (this.rxBoundaries.length && this.rxBoundaries[0] === rd) ok = true;
      if (!ok) this.violate('RECV with Sn_RX_RD ' + hex(rd, 4) + ' not on a frame boundary (§5.4, §10.2, §10.4)');
    }
    this.rxRdCommitted = rd;
  }

  // ---------------------------------------------------------------- receive path (§6, §9)

  private receiveFromWire(f: Uint8Array): void {
    const s = this.sock[0];
    if (s[Sn_SR] !== SOCK_MACRAW) { this.stats.rxClosedDrops++; return; }
    if (!this.linkIsUp()) { this.stats.rxLinkDownDrops++; return; }
    const len = f.length;
    if (len > 1514 || len < 14 || (len < 60 && !this.acceptRunts)) { this.stats.rxRunts++; return; }
    if (!this.filter(f)) { this.stats.rxFiltered++; return; }
    this.onChipStack(f);
    const size = this.sizeBytes(0, true);
    const need = 2 + len;
    if (need > size - this.rsr()) { this.stats.rxOverflowDrops++; return; } // no flag for MACRAW overflow (§11)
    const b = this.base(0, true);
    let hdr = need;
    if (this.faults.corruptNextHeader !== null) {
      hdr = this.faults.corruptNextHeader & 0xffff;
      this.faults.corruptNextHeader = null;
    }
    const wr = this.rxWr;
    this.rxMem[b + (wr % size)] = hdr >> 8;
    this.rxMem[b + ((wr + 1) & 0xffff) % size] = hdr & 0xff;
    this.ringWrite(this.rxMem, b, size, (wr + 2) % size, f.subarray(0, len));
    this.rxBoundaries.push(wr);
    if (this.rxBoundaries.length > 4096) this.rxBoundaries.shift();
    this.rxWr = (wr + need) & 0xffff;
    this.stats.rxAccepted++;
    this.setSocketIr(0, IR_RECV);
  }

  /** §9: MFEN accepts frames to SHAR, broadcast (unless BCASTB) and IP multicast (unless MMB). */
  private filter(f: Uint8Array): boolean {
    const mr = this.sock[0][Sn_MR];
    const bcast = f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff;
    const multicast = (f[0] & 1) === 1 && !bcast;
    if (bcast && (mr & 0x40)) return false;
    if (multicast && (mr & 0x20)) return false;
    if ((mr & 0x10) && f[12] === 0x86 && f[13] === 0xdd) return false;
    if (!(mr & 0x80)) return true;
    if (bcast) return true;
    if (multicast) return (f[0] === 0x01 && f[1] === 0x00 && f[2] === 0x5e) || (f[0] === 0x33 && f[1] === 0x33);
    for (let i = 0; i < 6; i++) if (f[i] !== this.common[SHAR + i]) return false;
    return true;
  }

  /**
   * §10.11: the on-chip stack still runs in MACRAW. With SIPR set it answers ARP requests for that
   * address itself (fighting our stack); modelled as a violation plus the reply on the wire.
   */
  private onChipStack(f: Uint8Array): void {
    const c = this.common;
    if ((c[SIPR] | c[SIPR + 1] | c[SIPR + 2] | c[SIPR + 3]) === 0) return;
    if (f.length < 42 || f[12] !== 0x08 || f[13] !== 0x06 || f[21] !== 1) return;
    for (let i = 0; i < 4; i++) if (f[38 + i] !== c[SIPR + i]) return;
    this.stats.arpAnsweredByChip++;
    this.violate('on-chip stack answered an ARP request for SIPR (keep SIPR 0.0.0.0, §10.11)');
    const r = new Uint8Array(60);
    r.set(f.subarray(6, 12), 0);
    r.set(c.subarray(SHAR, SHAR + 6), 6);
    r[12] = 0x08; r[13] = 0x06; r[14] = 0; r[15] = 1; r[16] = 0x08; r[17] = 0; r[18] = 6; r[19] = 4; r[20] = 0; r[21] = 2;
    r.set(c.subarray(SHAR, SHAR + 6), 22);
    r.set(c.subarray(SIPR, SIPR + 4), 28);
    r.set(f.subarray(22, 32), 32);
    if (this.linkIsUp()) this.port.send(r);
  }

  // ---------------------------------------------------------------- INTn (§8)

  private updateInt(): void {
    const asserted = (this.common[IR] & this.common[IMR]) !== 0 || (this.sir() & this.common[SIMR]) !== 0;
    this.intPin.drive(!asserted || this.inReset);
  }
}
