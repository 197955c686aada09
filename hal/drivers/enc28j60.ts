// Microchip ENC28J60 driver: the FrameDevice over SPI. Facts and section numbers from the fact sheet
// docs/chips/enc28j60.md (DS39662E data sheet + Rev. B7 errata DS80349C as summarised there).
//
// Memory plan (§6): RX ring 0x0000..RX_END (errata 5: must start at 0; RX_END odd for errata 14),
// TX area RX_END+1..0x1FFF = control byte + frame + 7-byte TSV (1522 bytes for a 1514-byte frame).
//
// Register writes, bit sets and clears, and the frame sent go by `spi.write`: nothing is read back (on
// Espruino nothing is allocated), and the frame goes out behind the WBM opcode and its per-packet
// control byte without being copied next to them.
//
// Sends are synchronous: the frame is written, TXRTS set, and completion polled (bounded) so that a
// late collision can be retried from the same buffer (errata 13). A frame after one sent without error
// costs four SPI writes (EWRPTL, EWRPTH, the frame, TXRTS) when it is as long as the one before: ETXST
// is written at init only, ETXND when the length changes, and the errata-12 TXRST pulse comes only after
// an abort. Receives test EPKTCNT, never PKTIF (errata 6), one frame per receive() call.
//
// DMA checksum engine: NOT used. The issue asks for it "where it saves device time", but errata 17
// (§11) says a checksum DMA aborts packets being received, and we keep RXEN = 1 at all times; running
// it with RXEN = 0 would drop incoming frames instead. Checksums stay in software (E.sum on the device).

import { Clock, FrameDriver, InputPin, OutputPin, SpiDevice, newFrameDeviceCounters } from '../interfaces';
import { hex } from '../hex';
import { FrameDeviceCounters } from '../../tcp/ports';

// ---- registers: bank * 32 + address; 0x1B..0x1F are common to all banks (§3) ----
const EIE = 0x1b, EIR = 0x1c, ESTAT = 0x1d, ECON2 = 0x1e, ECON1 = 0x1f;
const ERDPTL = 0x00, ERDPTH = 0x01, EWRPTL = 0x02, EWRPTH = 0x03, ETXSTL = 0x04, ETXSTH = 0x05,
  ETXNDL = 0x06, ETXNDH = 0x07, ERXSTL = 0x08, ERXSTH = 0x09, ERXNDL = 0x0a, ERXNDH = 0x0b,
  ERXRDPTL = 0x0c, ERXRDPTH = 0x0d;
const ERXFCON = 32 + 0x18, EPKTCNT = 32 + 0x19;
const MACON1 = 64 + 0x00, MACON3 = 64 + 0x02, MACON4 = 64 + 0x03, MABBIPG = 64 + 0x04, MAIPGL = 64 + 0x06,
  MAIPGH = 64 + 0x07, MAMXFLL = 64 + 0x0a, MAMXFLH = 64 + 0x0b, MICMD = 64 + 0x12, MIREGADR = 64 + 0x14,
  MIWRL = 64 + 0x16, MIWRH = 64 + 0x17, MIRDL = 64 + 0x18, MIRDH = 64 + 0x19;
const MAADR5 = 96 + 0x00, MAADR6 = 96 + 0x01, MAADR3 = 96 + 0x02, MAADR4 = 96 + 0x03, MAADR1 = 96 + 0x04,
  MAADR2 = 96 + 0x05, MISTAT = 96 + 0x0a, EREVID = 96 + 0x12;

// SPI opcodes (§2)
const OP_RCR = 0x00, OP_WCR = 0x40, OP_BFS = 0x80, OP_BFC = 0xa0, OP_RBM = 0x3a, OP_WBM = 0x7a, OP_SRC = 0xff;

// bits (§4)
const TXRST = 0x80, RXRST = 0x40, TXRTS = 0x08, RXEN = 0x04;
const AUTOINC = 0x80, PKTDEC = 0x40, PWRSV = 0x20, VRPS = 0x08;
const INTIE = 0x80, PKTIE = 0x40, LINKIE = 0x10, RXERIE = 0x01;
const LINKIF = 0x10, TXIF = 0x08, TXERIF = 0x02, RXERIF = 0x01;
const CLKRDY = 0x01, ESTAT_BIT3 = 0x08;

// PHY (§5)
const PHCON1 = 0x00, PHCON2 = 0x10, PHSTAT2 = 0x11, PHIE = 0x12, PHIR = 0x13, PHLCON = 0x14;

const MAX_FRAME = 1514;
const MAX_RX_COUNT = 1518; // MAMXFL incl. CRC (§10 step 10)
// Bytes of a received packet read with its 6-byte header: a minimum frame with its CRC (60 + 4), so
// an ACK or a request comes in one read.
const FIRST_READ = 64;
const REVIVE_MS = 1000;

export interface Enc28j60Options {
  spi: SpiDevice;
  clock: Clock;
  /** 6 bytes, octet 1 first. */
  mac: Uint8Array;
  resetPin?: OutputPin;
  intPin?: InputPin;
  /** Default false: no auto-negotiation, so a switch sees half duplex (§1). Both ends must agree. */
  fullDuplex?: boolean;
  /** Last byte of the RX ring, odd (errata 14); default 0x19FF as Linux. TX area follows it. */
  rxEnd?: number;
  /** Accept all multicast frames (ERXFCON.MCEN). */
  multicast?: boolean;
  /** linkUp() re-reads PHSTAT2 at most this often (ms); default 500. */
  linkCheckMs?: number;
  /** Idle receive() calls between health checks (ECON1/ECON2/EIR); default 16. */
  healthCheckEvery?: number;
  /** Transmission attempts after late collisions (errata 13); default 16 as Linux. */
  maxTxAttempts?: number;
  /** Bound on waiting for one transmission to finish (ms, also polls); default 50. */
  txTimeoutMs?: number;
}

/** Driver-specific counters beyond FrameDeviceCounters. */
export interface Enc28j60Stats {
  rxOverflows: number;      // RXERIF seen: the chip dropped frames (ring full or EPKTCNT = 255)
  rxResets: number;         // RX logic resets after a corrupt ring header
  rxBadStatus: number;      // packets with RSV "received OK" clear (CRC/length errors), skipped
  lateCollisions: number;   // TSV bit 29 seen; frame retried (errata 13)
  txTimeouts: number;       // TXRTS never cleared: TX logic reset (errata 12)
  reinits: number;          // chip found reset or unresponsive: re-initialised
  linkChanges: number;
}

export class Enc28j60 implements FrameDriver {
  readonly mac: Uint8Array;
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  readonly stats: Enc28j60Stats = {
    rxOverflows: 0, rxResets: 0, rxBadStatus: 0, lateCollisions: 0, txTimeouts: 0, reinits: 0, linkChanges: 0,
  };
  /** EREVID read at the last init (0x06 = B7). */
  revision = 0;

  private readonly spi: SpiDevice;
  private readonly clock: Clock;
  private readonly resetPin: OutputPin | null;
  private readonly intPin: InputPin | null;
  private readonly full: boolean;
  private readonly rxEnd: number;
  private readonly txStart: number;
  private readonly multicast: boolean;
  private readonly linkCheckMs: number;
  private readonly healthEvery: number;
  private readonly maxTxAttempts: number;
  private readonly txTimeoutMs: number;

  // preallocated SPI frames (one transfer per SPI frame, no allocation per packet)
  private readonly b1 = new Uint8Array(1);
  private readonly b2 = new Uint8Array(2);
  private readonly b3 = new Uint8Array(3);
  private readonly rbmTx = new Uint8Array(1 + MAX_FRAME);
  private readonly tsvTx: Uint8Array;  // RBM + 7 TSV bytes
  private readonly wbmHead = new Uint8Array(2); // WBM, then the per-packet control byte (§8.1)

  private bank = -1;
  private nextPacket = 0;
  // ERDPT when known: where the last read of a whole packet left it (the next packet), else -1.
  private erdpt = -1;
  private pending = 0;       // packets known to be waiting (from EPKTCNT)
  private idle = 0;
  private up = false;        // chip initialised and answering
  private link = false;
  private lastLinkCheck = -1e12;
  private linkDirty = true;
  private busy = false;
  /** The transmit logic is to be reset before the next frame (errata 12): after init, an abort or a stall. */
  private txReset = true;
  /** ETXND as last written, -1 when not known. */
  private txEnd = -1;
  private intDeferred = false;
  private intCb: (() => void) | null = null;
  private lastInitAttempt = -1e12;

  constructor(opts: Enc28j60Options) {
    this.spi = opts.spi;
    this.clock = opts.clock;
    this.mac = new Uint8Array(6);
    this.mac.set(opts.mac.subarray(0, 6));
    this.resetPin = opts.resetPin || null;
    this.intPin = opts.intPin || null;
    this.full = !!opts.fullDuplex;
    let rxEnd = opts.rxEnd === undefined ? 0x19ff : opts.rxEnd;
    rxEnd |= 1; // errata 14: ERXND odd so ERXRDPT can always be odd
    if (rxEnd > 0x1fff - 1522) rxEnd = 0x19ff; // leave room for control byte + 1514 + TSV (§6)
    this.rxEnd = rxEnd;
    this.txStart = rxEnd + 1;
    this.multicast = !!opts.multicast;
    this.linkCheckMs = opts.linkCheckMs === undefined ? 500 : opts.linkCheckMs;
    this.healthEvery = opts.healthCheckEvery === undefined ? 16 : opts.healthCheckEvery;
    this.maxTxAttempts = opts.maxTxAttempts === undefined ? 16 : opts.maxTxAttempts;
    this.txTimeoutMs = opts.txTimeoutMs === undefined ? 50 : opts.txTimeoutMs;
    this.rbmTx[0] = OP_RBM;
    this.tsvTx = this.rbmTx.subarray(0, 8);
    this.wbmHead[0] = OP_WBM;
  }

  // ------------------------------------------------------------------ SPI primitives (§2)

  private setBank(reg: number): void {
    if ((reg & 0x1f) >= 0x1b) return; // common registers
    const want = reg >> 5;
    if (want === this.bank) return;
    // §3: switch with BFC/BFS on ECON1 (WCR would also rewrite TXRTS/RXEN).
    const cur = this.bank < 0 ? 3 : this.bank;
    if (cur & ~want & 3) this.put2(OP_BFC | ECON1, cur & ~want & 3);
    if (want & ~cur & 3) this.put2(OP_BFS | ECON1, want & ~cur & 3);
    this.bank = want;
  }

  private op2(b0: number, b1: number): Uint8Array {
    this.b2[0] = b0;
    this.b2[1] = b1;
    return this.spi.transfer(this.b2);
  }

  /** A two-byte command that reads nothing back (WCR, BFS, BFC). */
  private put2(b0: number, b1: number): void {
    this.b2[0] = b0;
    this.b2[1] = b1;
    this.spi.write(this.b2);
  }

  private isMacMii(reg: number): boolean {
    // §2: dummy byte for bank 2 and bank 3 MAADR1..6 / MISTAT.
    const a = reg & 0x1f;
    if (a >= 0x1b) return false;
    const bank = reg >> 5;
    return bank === 2 || (bank === 3 && (a <= 0x05 || a === 0x0a));
  }

  private rcr(reg: number): number {
    this.setBank(reg);
    if (this.isMacMii(reg)) {
      this.b3[0] = OP_RCR | (reg & 0x1f);
      this.b3[1] = 0;
      this.b3[2] = 0;
      return this.spi.transfer(this.b3)[2]; // value after the dummy byte
    }
    return this.op2(OP_RCR | (reg & 0x1f), 0)[1];
  }

  private wcr(reg: number, v: number): void {
    this.setBank(reg);
    this.put2(OP_WCR | (reg & 0x1f), v & 0xff);
  }

  /** Two WCRs, low byte first (ERXRDPT needs that order, §3.2; harmless elsewhere). */
  private wcr16(regL: number, v: number): void {
    this.wcr(regL, v & 0xff);
    this.wcr(regL + 1, (v >> 8) & 0xff);
  }

  /** BFS/BFC: ETH registers only (§2). */
  private bfs(reg: number, mask: number): void {
    this.setBank(reg);
    this.put2(OP_BFS | (reg & 0x1f), mask);
  }

  private bfc(reg: number, mask: number): void {
    this.setBank(reg);
    this.put2(OP_BFC | (reg & 0x1f), mask);
  }

  // ------------------------------------------------------------------ PHY via MII (§5.1)

  private miiWait(): boolean {
    // ≥ 10.24 µs then MISTAT.BUSY = 0; each poll is a few µs of SPI on the device. Bounded.
    for (let i = 0; i < 24; i++) {
      if ((this.rcr(MISTAT) & 0x01) === 0) return true;
      if (i >= 4) this.clock.delayMs(1);
    }
    return false;
  }

  /** PHY register value, or -1 if the MII stayed busy. */
  private phyRead(addr: number): number {
    this.wcr(MIREGADR, addr);
    this.wcr(MICMD, 0x01); // MIIRD; BFS is not allowed on MII registers
    const ok = this.miiWait();
    this.wcr(MICMD, 0x00);
    if (!ok) return -1;
    const lo = this.rcr(MIRDL);
    return lo | (this.rcr(MIRDH) << 8);
  }

  private phyWrite(addr: number, v: number): boolean {
    this.wcr(MIREGADR, addr);
    this.wcr(MIWRL, v & 0xff);
    this.wcr(MIWRH, (v >> 8) & 0xff); // starts the write
    return this.miiWait();
  }

  // ------------------------------------------------------------------ reset and init (§10)

  private resetChip(): boolean {
    this.bank = -1;
    if (this.resetPin) {
      this.resetPin.write(false);
      this.clock.delayMs(1); // ≥ 400 ns
      this.resetPin.write(true);
      this.bank = 0;
      // After a pin reset, poll CLKRDY (bounded) — §10 step 3.
      for (let i = 0; i < 20; i++) {
        const st = this.rcr(ESTAT);
        if ((st & ESTAT_BIT3) === 0 && (st & CLKRDY)) return true;
        this.clock.delayMs(1);
      }
      return false;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      // errata 19: SRC is ignored in power save; clear PWRSV and wait first.
      this.put2(OP_BFC | ECON2, PWRSV);
      this.clock.delayMs(1);
      this.b1[0] = OP_SRC;
      this.spi.write(this.b1);
      this.bank = 0;
      // errata 2: CLKRDY is set too early after SRC; wait instead of polling (Linux waits 2 ms).
      this.clock.delayMs(2);
      const st = this.rcr(ESTAT); // sanity only: bit 3 reads 0, CLKRDY 1 (§4.3)
      if ((st & ESTAT_BIT3) === 0 && (st & CLKRDY)) return true;
    }
    return false;
  }

  /** Resets and initialises the chip; throws a clear Error when it is absent or does not answer. */
  init(): void {
    this.busy = true;
    let err: unknown = null;
    try {
      this.initChip();
    } catch (e) {
      err = e;
    }
    this.busy = false;
    if (err) throw err;
    this.runDeferred();
  }

  private initChip(): void {
    this.up = false;
    const ready = this.resetChip();
    const rev = this.rcr(EREVID);
    if (rev === 0x00 || rev === 0xff) {
      throw new Error('ENC28J60 not found: EREVID read ' + hex(rev) + ' (check wiring/CS)');
    }
    if (!ready) {
      throw new Error('ENC28J60 not ready: ESTAT.CLKRDY never set (EREVID ' + hex(rev) + ')');
    }
    this.revision = rev;

    this.wcr(ECON1, 0x00); // everything off, bank 0
    this.bank = 0;
    this.wcr(ECON2, AUTOINC | VRPS);

    // RX ring at 0x0000 (errata 5), odd end and odd ERXRDPT = ERXND (errata 14), low byte first.
    this.wcr16(ERXSTL, 0x0000);
    this.wcr16(ERXNDL, this.rxEnd);
    this.wcr16(ERXRDPTL, this.rxEnd);
    // ETXST stays where it is written here: no send moves it (§8.3).
    this.wcr16(ETXSTL, this.txStart);
    this.wcr16(ETXNDL, 0x1fff);
    this.txEnd = 0x1fff;
    this.txReset = true;
    this.nextPacket = 0;
    this.erdpt = -1;
    this.pending = 0;

    this.wcr(ERXFCON, this.multicast ? 0xa3 : 0xa1); // UCEN|CRCEN|BCEN (+MCEN)

    // MAC (§10 step 10). WCR only: BFS/BFC do not work on MAC registers.
    this.wcr(MACON1, 0x0d);
    this.wcr(MACON3, this.full ? 0x33 : 0x32);
    this.wcr(MACON4, this.full ? 0x00 : 0x40);
    this.wcr(MAMXFLL, MAX_RX_COUNT & 0xff);
    this.wcr(MAMXFLH, MAX_RX_COUNT >> 8);
    this.wcr(MABBIPG, this.full ? 0x15 : 0x12);
    this.wcr(MAIPGL, 0x12);
    if (!this.full) this.wcr(MAIPGH, 0x0c);
    const m = this.mac;
    this.wcr(MAADR1, m[0]);
    this.wcr(MAADR2, m[1]);
    this.wcr(MAADR3, m[2]);
    this.wcr(MAADR4, m[3]);
    this.wcr(MAADR5, m[4]);
    this.wcr(MAADR6, m[5]);

    // PHY (§10 step 11): duplex must match MACON3.FULDPX; HDLDIS in half duplex (errata 9).
    let phyOk = this.phyWrite(PHCON1, this.full ? 0x0100 : 0x0000);
    phyOk = this.phyWrite(PHCON2, this.full ? 0x0000 : 0x0100) && phyOk;
    phyOk = this.phyWrite(PHLCON, 0x3476) && phyOk; // LEDA link, LEDB TX/RX activity
    phyOk = this.phyWrite(PHIE, 0x0012) && phyOk;   // PGEIE | PLNKIE → EIR.LINKIF
    if (!phyOk) {
      throw new Error('ENC28J60 PHY not answering: MISTAT.BUSY stuck');
    }
    this.phyRead(PHIR); // acknowledge any stale link change

    // Interrupts (§10 step 12). TXIE stays off: sends poll their own completion.
    this.bfc(EIR, 0x7f);
    this.wcr(EIE, this.intPin ? INTIE | PKTIE | LINKIE | RXERIE : 0x00);

    this.bfs(ECON1, RXEN);
    this.up = true;
    this.idle = 0;
    this.readLink();
  }

  /** While the chip is gone, try again at most once per REVIVE_MS (a failed init costs ~10 ms of waits). */
  private revive(): boolean {
    const now = this.clock.nowMs();
    if (now - this.lastInitAttempt < REVIVE_MS) return false;
    return this.reinit();
  }

  /** Re-initialise after the chip was found reset or unresponsive; never throws. */
  private reinit(): boolean {
    this.lastInitAttempt = this.clock.nowMs();
    this.stats.reinits++;
    this.counters.resyncs++;
    try {
      this.initChip();
      return true;
    } catch (e) {
      this.up = false;
      return false;
    }
  }

  /**
   * Cheap check that the chip is still the one we configured: ECON1 keeps RXEN and our bank, ECON2
   * keeps AUTOINC|VRPS (a reset gives 0x80 with bank 0, RXEN 0). Also acknowledges RXERIF and LINKIF.
   */
  private healthCheck(): boolean {
    if (!this.up) return this.revive();
    const e1 = this.rcr(ECON1);
    const e2 = this.rcr(ECON2);
    if ((e1 & (RXEN | 0x03)) !== (RXEN | (this.bank & 3)) || (e2 & (AUTOINC | VRPS)) !== (AUTOINC | VRPS)) {
      return this.reinit();
    }
    this.serviceFlags(this.rcr(EIR));
    return true;
  }

  private serviceFlags(eir: number): void {
    if (eir & RXERIF) {
      // Ring full or EPKTCNT = 255: the chip dropped frames; the ring itself is intact (§6, §12).
      this.stats.rxOverflows++;
      this.bfc(EIR, RXERIF);
    }
    if (eir & LINKIF) {
      this.phyRead(PHIR); // reading PHIR clears LINKIF (§4.4)
      this.linkDirty = true;
    }
  }

  // ------------------------------------------------------------------ receive (§9)

  receive(buf: Uint8Array): number {
    if (this.busy) return 0;
    this.busy = true;
    let n = 0;
    for (let tries = 0; tries < 4; tries++) {
      if (this.pending === 0) {
        if (++this.idle >= this.healthEvery || !this.up) {
          this.idle = 0;
          if (!this.healthCheck()) break;
        }
        // errata 6: EPKTCNT, not EIR.PKTIF.
        this.pending = this.rcr(EPKTCNT);
        if (this.pending === 0) break;
      }
      this.idle = 0;
      n = this.readPacket(buf);
      if (n !== 0) break;
    }
    if (n < 0) n = 0;
    this.busy = false;
    this.runDeferred();
    return n;
  }

  /**
   * Frame length, 0 if the packet was skipped, -1 after a ring reset. The header and the first
   * FIRST_READ bytes come in one read, the rest of a larger packet in a second, up to its end (its
   * CRC and the pad byte to an even address, §7.2.2). A packet read whole leaves ERDPT on the next
   * packet (AUTOINC wraps it from ERXND to ERXST, §2.1), so the next packet's ERDPT is not written.
   */
  private readPacket(buf: Uint8Array): number {
    const p = this.nextPacket;
    if (this.erdpt !== p) this.wcr16(ERDPTL, p);
    this.erdpt = -1;
    const h = this.spi.transfer(this.rbmTx.subarray(0, 7 + FIRST_READ));
    const next = h[1] | (h[2] << 8);
    const count = h[3] | (h[4] << 8);
    const status = h[5] | (h[6] << 8); // RSV bits 31:16
    // Sanity (§9 step 4), plus: the next pointer must be exactly where this packet ends (§6, §7).
    let end = p + 6 + count;
    if (end & 1) end++;
    if (end > this.rxEnd) end -= this.rxEnd + 1;
    if ((next & 1) || next > this.rxEnd || count < 18 || count > MAX_RX_COUNT || next !== end || (status & 0x8000)) {
      this.counters.rxDropped++;
      this.recoverRing();
      return -1;
    }
    let n = 0;
    if ((status & 0x0080) === 0) {
      this.stats.rxBadStatus++; // CRC (0x0010) or length (0x0020) error
      this.counters.rxDropped++;
    } else if (count - 4 > buf.length) {
      this.counters.rxDropped++;
    } else {
      n = count - 4; // strip the stored FCS
      buf.set(h.subarray(7, 7 + (n < FIRST_READ ? n : FIRST_READ)), 0);
      const more = count + (count & 1) - FIRST_READ;
      if (more >= 0) {
        if (more > 0) {
          const rx = this.spi.transfer(this.rbmTx.subarray(0, 1 + more));
          if (n > FIRST_READ) buf.set(rx.subarray(1, 1 + n - FIRST_READ), FIRST_READ);
        }
        this.erdpt = next;
      }
      this.counters.rxFrames++;
    }
    // errata 14: ERXRDPT must be odd: next − 1, or ERXND when next is ERXST (0). Low byte first.
    this.wcr16(ERXRDPTL, next === 0 ? this.rxEnd : next - 1);
    this.nextPacket = next;
    this.bfs(ECON2, PKTDEC);
    this.pending--;
    return n;
  }

  /** Corrupt header: either the chip was reset, or the ring is out of step — RX reset (§12, Linux). */
  private recoverRing(): void {
    this.pending = 0;
    const reinits = this.stats.reinits;
    if (!this.healthCheck() || this.stats.reinits !== reinits) return; // chip was reset: re-initialised (or gone)
    this.stats.rxResets++;
    this.counters.resyncs++;
    this.bfc(ECON1, RXEN);
    this.bfs(ECON1, RXRST);
    this.bfc(ECON1, RXRST);
    this.wcr16(ERXSTL, 0x0000);
    this.wcr16(ERXNDL, this.rxEnd);
    this.wcr16(ERXRDPTL, this.rxEnd);
    this.nextPacket = 0;
    this.erdpt = -1;
    this.bfc(EIR, RXERIF);
    this.bfs(ECON1, RXEN);
  }

  // ------------------------------------------------------------------ transmit (§8.3)

  send(frame: Uint8Array): boolean {
    const len = frame.length;
    if (len < 14 || len > MAX_FRAME || this.busy) {
      this.counters.txErrors++;
      return false;
    }
    this.busy = true;
    if (!this.up && !this.revive()) {
      this.counters.txErrors++;
      this.busy = false;
      return false;
    }
    // Control byte 0x00: use MACON3 (pad to 60, append CRC) — §8.1.
    this.wbmHead[1] = 0x00;
    const end = this.txStart + len;
    let ok = false;
    for (let attempt = 0; attempt < this.maxTxAttempts; attempt++) {
      if (this.txReset) {
        // errata 12: pulse TXRST after an abort or a stall (and after init), then clear TXIF/TXERIF (the
        // reset can set TXERIF). The errata allows this in place of a pulse before every frame; Linux
        // does the same.
        this.bfs(ECON1, TXRST);
        this.bfc(ECON1, TXRST);
        this.bfc(EIR, TXIF | TXERIF);
        this.txReset = false;
      }
      if (attempt === 0) {
        this.wcr16(EWRPTL, this.txStart);
        this.spi.write(this.wbmHead, frame);
      }
      // The hardware leaves ETXND as written (§8.3): a frame as long as the last needs no new one.
      if (end !== this.txEnd) {
        this.wcr16(ETXNDL, end);
        this.txEnd = end;
      }
      this.bfs(ECON1, TXRTS);
      const eir = this.waitTx();
      if (eir < 0) {
        // TXRTS stuck (errata 12): reset the TX logic; give up on this frame.
        this.stats.txTimeouts++;
        this.bfs(ECON1, TXRST);
        this.bfc(ECON1, TXRST);
        this.bfc(EIR, TXIF | TXERIF);
        this.healthCheck();
        break;
      }
      if ((eir & TXERIF) === 0) {
        ok = true;
        break;
      }
      this.txReset = true;
      // Aborted: read the TSV at ETXND+1 (§8.3 step 9); bit 29 = late collision → retry (errata 13).
      // ESTAT.LATECOL is not used (errata 15).
      this.wcr16(ERDPTL, end + 1);
      this.erdpt = -1;
      const tsv = this.spi.transfer(this.tsvTx);
      if ((tsv[4] & 0x20) === 0) break;
      this.stats.lateCollisions++;
    }
    if (ok) this.counters.txFrames++;
    else this.counters.txErrors++;
    this.busy = false;
    this.runDeferred();
    return ok;
  }

  /** EIR after TXRTS cleared, or -1 on timeout. Bounded by polls and by the clock. */
  private waitTx(): number {
    const t0 = this.clock.nowMs();
    for (let i = 0; i < this.txTimeoutMs + 8; i++) {
      if ((this.rcr(ECON1) & TXRTS) === 0) return this.rcr(EIR);
      if (this.clock.nowMs() - t0 >= this.txTimeoutMs) break;
      // 1514 bytes take 1.2 ms at 10 Mb/s; after a few quick polls, wait a millisecond between them.
      if (i >= 4) this.clock.delayMs(1);
    }
    return -1;
  }

  // ------------------------------------------------------------------ link and interrupts

  private readLink(): void {
    const v = this.phyRead(PHSTAT2);
    this.lastLinkCheck = this.clock.nowMs();
    this.linkDirty = false;
    if (v < 0) return;
    const up = (v & 0x0400) !== 0; // PHSTAT2.LSTAT
    if (up !== this.link) this.stats.linkChanges++;
    this.link = up;
  }

  linkUp(): boolean {
    if (!this.busy && this.up && (this.linkDirty || this.clock.nowMs() - this.lastLinkCheck >= this.linkCheckMs)) {
      this.busy = true;
      this.readLink();
      this.busy = false;
      this.runDeferred();
    }
    return this.up && this.link;
  }

  /**
   * Interrupt-driven use: on each falling edge of INT the driver acknowledges the chip's flags and calls
   * `cb`, which should arrange for receive() to be called until it returns 0. Polling keeps working and
   * is still needed now and then: PKTIF (and so INT) is unreliable (errata 6). Returns an unsubscribe.
   */
  onInterrupt(cb: () => void): () => void {
    this.intCb = cb;
    if (!this.intPin) return function () { /* no INT pin */ };
    return this.intPin.watchFalling(() => this.onEdge());
  }

  private onEdge(): void {
    if (this.busy) {
      this.intDeferred = true; // an edge during our own SPI work: handle it when we are done
      return;
    }
    this.serviceInterrupt();
  }

  private serviceInterrupt(): void {
    if (!this.up) return;
    // DS advice (§4.4): clear INTIE, service everything, set INTIE again for a fresh edge.
    this.busy = true;
    this.bfc(EIE, INTIE);
    this.serviceFlags(this.rcr(EIR));
    this.busy = false;
    if (this.intCb) this.intCb();
    this.busy = true;
    this.bfs(EIE, INTIE);
    this.busy = false;
  }

  private runDeferred(): void {
    for (let i = 0; i < 4 && this.intDeferred && !this.busy; i++) {
      this.intDeferred = false;
      this.serviceInterrupt();
    }
  }
}
