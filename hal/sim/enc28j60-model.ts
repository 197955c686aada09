// A register-accurate model of the Microchip ENC28J60 behind a simulated SPI bus.
// Written from the fact sheet docs/chips/enc28j60.md (section numbers below are the sheet's),
// independently of hal/drivers/enc28j60.ts so that a mistake in one is caught by the other.
//
// What is modelled: the SPI instruction set (§2) with the dummy byte on MAC/MII reads, banks (§3),
// every register of §3 with its reset value, buffer pointers and their wrap rules (§2.1), the RX ring
// (§6, §7, §13: ERXFCON filter, appended FCS, pad byte, write-up-to-ERXRDPT, EPKTCNT saturation),
// transmit with control byte, padding, TSV (§8), the PHY behind the MII with busy timing (§5), link
// changes and LINKIF, interrupts and the INT pin (§4.4), DMA copy and checksum (§12), reset timing (§10,
// §13) and the B7 errata listed in §11 behind switches (2, 5, 6, 9, 12, 13, 14, 17, 19).
// Things a driver does wrong are recorded in `violations` so tests can assert the model caught them.

import { Clock, SpiDevice } from '../interfaces';
import { SimInputPin, SimOutputPin } from './sim-pins';
import { WirePort } from './virtual-wire';
import { SeededRandom } from './random';
import { hex } from '../hex';
import { crc32 } from './crc32';
import { writeThrough } from './spi-write';

// ---- register map: flat index = bank * 32 + address; 0x1B..0x1F are common and stored at bank 0 ----
const EIE = 0x1b, EIR = 0x1c, ESTAT = 0x1d, ECON2 = 0x1e, ECON1 = 0x1f;
// bank 0
const ERDPTL = 0x00, EWRPTL = 0x02, ETXSTL = 0x04, ETXNDL = 0x06, ERXSTL = 0x08, ERXNDL = 0x0a,
  ERXRDPTL = 0x0c, ERXRDPTH = 0x0d, ERXWRPTL = 0x0e, EDMASTL = 0x10, EDMANDL = 0x12, EDMADSTL = 0x14,
  EDMACSL = 0x16;
// bank 1
const B1 = 32;
const EHT0 = B1 + 0x00, ERXFCON = B1 + 0x18, EPKTCNT = B1 + 0x19;
// bank 2
const B2 = 64;
const MACON1 = B2 + 0x00, MACON3 = B2 + 0x02, MACON4 = B2 + 0x03, MACLCON1 = B2 + 0x08,
  MACLCON2 = B2 + 0x09, MAMXFLL = B2 + 0x0a, MICMD = B2 + 0x12, MIREGADR = B2 + 0x14, MIWRL = B2 + 0x16,
  MIWRH = B2 + 0x17, MIRDL = B2 + 0x18, MIRDH = B2 + 0x19;
// bank 3
const B3 = 96;
const MAADR5 = B3 + 0x00, MAADR6 = B3 + 0x01, MAADR3 = B3 + 0x02, MAADR4 = B3 + 0x03, MAADR1 = B3 + 0x04,
  MAADR2 = B3 + 0x05, MISTAT = B3 + 0x0a, EREVID = B3 + 0x12, ECOCON = B3 + 0x15, EFLOCON = B3 + 0x17,
  EPAUSL = B3 + 0x18;

// ECON1 / ECON2 / EIR / ESTAT bits (§4)
const TXRST = 0x80, RXRST = 0x40, DMAST = 0x20, CSUMEN = 0x10, TXRTS = 0x08, RXEN = 0x04;
const AUTOINC = 0x80, PKTDEC = 0x40, PWRSV = 0x20;
const INTIE = 0x80;
const PKTIF = 0x40, DMAIF = 0x20, LINKIF = 0x10, TXIF = 0x08, TXERIF = 0x02, RXERIF = 0x01;
const ST_INT = 0x80, BUFER = 0x40, TXABRT = 0x02, CLKRDY = 0x01;

// PHY registers (§5)
const PHCON1 = 0x00, PHSTAT1 = 0x01, PHID1 = 0x02, PHID2 = 0x03, PHCON2 = 0x10, PHSTAT2 = 0x11,
  PHIE = 0x12, PHIR = 0x13, PHLCON = 0x14;

const MEM_SIZE = 0x2000;
/** Device time one SPI transaction is taken to last, for the MII busy time (10.24 µs, §5.1). */
const MII_BUSY_TRANSACTIONS = 2;

/** Errata switches (§11); all default to on: the model behaves like Rev. B7 silicon. */
export interface Enc28j60Errata {
  /** 2: after SRC, CLKRDY reads 1 at once while MAC/MII/PHY ignore accesses for 1 ms. */
  e2: boolean;
  /** 5: writing ERXST ≠ 0 loads the RX write pointer with 0x0000. */
  e5: boolean;
  /** 6: PKTIF is set only when EPKTCNT goes 0 → 1 and cleared by every PKTDEC. */
  e6: boolean;
  /** 9: half duplex without PHCON2.HDLDIS loops our own transmissions back into the receiver. */
  e9: boolean;
  /** 12: after a TX abort, TXRTS sticks at the next start until TXRST is pulsed. */
  e12: boolean;
  /** 14: while ERXRDPT is even the hardware writes through it (corrupting unread packets). */
  e14: boolean;
  /** 17: a checksum DMA with RXEN = 1 aborts the packet being received. */
  e17: boolean;
  /** 19: SRC is ignored while ECON2.PWRSV = 1. */
  e19: boolean;
}

export interface Enc28j60Faults {
  /** Chip absent / SO line stuck: every MISO byte reads this level and nothing is decoded. */
  misoStuck: 'high' | 'low' | null;
  /** Every n-th SPI transaction gets one bit flipped in one MISO byte (0 = never). */
  corruptSpiEvery: number;
  /** The next n transmissions in half duplex are aborted with a late collision (errata 13). */
  lateCollisions: number;
  /** The next n transmissions are aborted with excessive collisions (no retry makes sense). */
  excessiveCollisions: number;
}

export interface Enc28j60ModelOptions {
  clock: Clock;
  port: WirePort;
  /** EREVID value; default 0x06 (B7). */
  revision?: number;
  errata?: Partial<Enc28j60Errata>;
  /** Seed for the dummy byte and the corruption positions. */
  seed?: number;
  /** Initial cable state; default connected. */
  link?: boolean;
}

export interface Enc28j60ModelStats {
  spiTransactions: number;
  spiCorrupted: number;
  rxAccepted: number;
  rxFiltered: number;
  /** Dropped with RXERIF because the packet would have reached ERXRDPT. */
  rxDroppedFull: number;
  /** Dropped with RXERIF because EPKTCNT was 255. */
  rxDroppedCount: number;
  /** Ignored: RXEN/MARXEN off, RXRST held, chip in reset or asleep. */
  rxDisabled: number;
  rxLinkDown: number;
  rxAbortedByDma: number;
  /** Packets written while ERXRDPT was even (errata 14 switch on): they may have overwritten unread data. */
  rxWrittenThroughRdpt: number;
  txSent: number;
  txAborted: number;
  txStalled: number;
  txLoopedBack: number;
}

export class Enc28j60Model {
  readonly spi: SpiDevice;
  readonly intPin = new SimInputPin();
  readonly resetPin = new SimOutputPin();
  readonly faults: Enc28j60Faults = { misoStuck: null, corruptSpiEvery: 0, lateCollisions: 0, excessiveCollisions: 0 };
  readonly errata: Enc28j60Errata;
  readonly stats: Enc28j60ModelStats = {
    spiTransactions: 0, spiCorrupted: 0, rxAccepted: 0, rxFiltered: 0, rxDroppedFull: 0, rxDroppedCount: 0,
    rxDisabled: 0, rxLinkDown: 0, rxAbortedByDma: 0, rxWrittenThroughRdpt: 0, txSent: 0, txAborted: 0,
    txStalled: 0, txLoopedBack: 0,
  };
  /** Rule violations seen (bounded); `violationCount` counts all of them. */
  readonly violations: string[] = [];
  violationCount = 0;
  /** When an array, every MOSI frame is appended (copied): for byte-sequence tests. */
  trace: Uint8Array[] | null = null;

  /** The 8 KB buffer memory. */
  readonly mem = new Uint8Array(MEM_SIZE);
  private readonly r = new Uint8Array(128);
  private readonly phy = new Uint16Array(32);
  private readonly clock: Clock;
  private readonly port: WirePort;
  private readonly rnd: SeededRandom;
  private readonly revision: number;

  private link: boolean;
  private llstat = false;        // PHSTAT1.LLSTAT latch
  private rdptLatch = 0;         // ERXRDPTL is buffered until ERXRDPTH is written (§3.2)
  private inReset = false;       // RESET pin held low
  private clkRdyAt = 0;          // ESTAT.CLKRDY reads 1 from this time
  private macReadyAt = 0;        // MAC/MII/PHY usable from this time (errata 2 makes it differ)
  private miiBusy = 0;           // transactions left until the MII operation completes
  private miiBusySince = 0;
  private miiOp: 'read' | 'write' | null = null;
  private txStalled = false;     // errata 12 state
  private dmaCsumAbortPending = false;
  private inTransfer = false;

  constructor(opts: Enc28j60ModelOptions) {
    this.clock = opts.clock;
    this.port = opts.port;
    this.revision = opts.revision === undefined ? 0x06 : opts.revision;
    this.rnd = new SeededRandom(opts.seed === undefined ? 28 : opts.seed);
    const e = opts.errata || {};
    const on = (v: boolean | undefined): boolean => v === undefined ? true : v;
    this.errata = {
      e2: on(e.e2), e5: on(e.e5), e6: on(e.e6), e9: on(e.e9), e12: on(e.e12), e14: on(e.e14), e17: on(e.e17),
      e19: on(e.e19),
    };
    this.link = opts.link === undefined ? true : opts.link;
    this.resetRegisters();
    this.resetPhy();
    this.startOscillator();
    this.resetPin.onChange = (high: boolean) => {
      if (!high) {
        this.inReset = true;
      } else {
        this.inReset = false;
        this.resetRegisters();
        this.resetPhy();
        this.startOscillator();
      }
      this.updateInt();
    };
    this.spi = { transfer: (tx: Uint8Array) => this.transfer(tx), write: writeThrough((tx: Uint8Array) => this.transfer(tx)) };
  }

  // ---------------------------------------------------------------- test-facing controls

  /** Cable plugged (true) or pulled (false). Sets PHIR/LINKIF per §5 and §4.4. */
  setLink(up: boolean): void {
    if (up === this.link) return;
    this.link = up;
    if (!up) this.llstat = false;
    this.phy[PHIR] |= 0x10; // PLNKIF
    if ((this.phy[PHIE] & 0x12) === 0x12) {
      this.phy[PHIR] |= 0x04; // PGIF
      this.r[EIR] |= LINKIF;
    }
    this.updateInt();
  }

  linkUp(): boolean {
    return this.link;
  }

  /** Brown-out: every register, the PHY and the buffer contents are lost; the oscillator restarts. */
  powerGlitch(): void {
    for (let i = 0; i < MEM_SIZE; i++) this.mem[i] = this.rnd.nextU32() & 0xff;
    this.resetRegisters();
    this.resetPhy();
    this.startOscillator();
    this.updateInt();
  }

  /** Register value by bank and address (no side effects), for tests. */
  reg(bank: number, addr: number): number {
    return this.r[addr >= 0x1b ? addr : bank * 32 + addr];
  }

  phyReg(addr: number): number {
    return this.phy[addr & 0x1f];
  }

  /** RX ring read pointer as the hardware uses it, and its write pointer. */
  rxPointers(): { st: number; nd: number; rd: number; wr: number; count: number } {
    return { st: this.g16(ERXSTL), nd: this.g16(ERXNDL), rd: this.g16(ERXRDPTL), wr: this.g16(ERXWRPTL), count: this.r[EPKTCNT] };
  }

  /** Takes every frame that has arrived on the wire into the RX ring and updates the INT pin. */
  service(): void {
    for (let f = this.port.take(); f; f = this.port.take()) this.receiveFromWire(f);
    this.updateInt();
  }

  // ---------------------------------------------------------------- state helpers

  private violate(msg: string): void {
    this.violationCount++;
    if (this.violations.length < 1000) this.violations.push(msg);
  }

  private g16(i: number): number {
    return this.r[i] | ((this.r[i + 1] & 0x1f) << 8);
  }

  private s16(i: number, v: number): void {
    this.r[i] = v & 0xff;
    this.r[i + 1] = (v >> 8) & 0x1f;
  }

  private resetRegisters(): void {
    // §3 reset values.
    this.r.fill(0);
    this.s16(ERDPTL, 0x05fa);
    this.s16(ERXSTL, 0x05fa);
    this.s16(ERXNDL, 0x1fff);
    this.s16(ERXRDPTL, 0x05fa);
    this.rdptLatch = 0xfa;
    this.r[ECON2] = AUTOINC;
    this.r[ERXFCON] = 0xa1;
    this.r[MAMXFLL] = 0x00;
    this.r[MAMXFLL + 1] = 0x06;
    this.r[MACLCON1] = 0x0f;
    this.r[MACLCON2] = 0x37;
    this.r[ECOCON] = 0x04;
    this.r[EPAUSL] = 0x00;
    this.r[EPAUSL + 1] = 0x10;
    this.r[EREVID] = this.revision;
    this.miiBusy = 0;
    this.miiOp = null;
    this.txStalled = false;
    this.dmaCsumAbortPending = false;
  }

  private resetPhy(): void {
    this.phy.fill(0);
    this.phy[PHID1] = 0x0083;
    this.phy[PHID2] = 0x1400;
    this.phy[PHLCON] = 0x3422;
    this.llstat = this.link;
  }

  /** Power-on or pin reset: CLKRDY after the oscillator start-up timer (≈300 µs, §12). */
  private startOscillator(): void {
    const now = this.clock.nowMs();
    this.clkRdyAt = now + 0.3;
    this.macReadyAt = now + 0.3;
  }

  private softReset(): void {
    // errata 19: SRC is ignored while PWRSV = 1.
    if (this.errata.e19 && (this.r[ECON2] & PWRSV)) {
      this.violate('errata 19: SRC sent while ECON2.PWRSV = 1 (ignored)');
      return;
    }
    this.resetRegisters();
    // §12: whether SRC resets the PHY is not stated; the model resets it (the stricter choice).
    this.resetPhy();
    const now = this.clock.nowMs();
    if (this.errata.e2) {
      // errata 2: CLKRDY claims ready at once, but the PHY clock is stopped for about 1 ms.
      this.clkRdyAt = now;
      this.macReadyAt = now + 1;
    } else {
      this.clkRdyAt = now + 0.3;
      this.macReadyAt = now + 0.3;
    }
  }

  private macReady(): boolean {
    return this.clock.nowMs() >= this.macReadyAt;
  }

  private isMacMii(i: number): boolean {
    // §2: bank 2 entirely; bank 3 MAADR1..6 (0x00..0x05) and MISTAT (0x0A).
    const a = i & 0x1f;
    if (a >= 0x1b) return false;
    if (i >= B2 && i < B3) return true;
    return i >= B3 && (a <= 0x05 || a === 0x0a);
  }

  private flat(addr: number): number {
    return addr >= 0x1b ? addr : (this.r[ECON1] & 3) * 32 + addr;
  }

  private intActive(): boolean {
    return (this.r[EIE] & INTIE) !== 0 && (this.r[EIR] & this.r[EIE] & 0x7f) !== 0;
  }

  private updateInt(): void {
    if (this.inTransfer) return; // driven once the transaction is over
    const active = !this.inReset && this.intActive();
    this.intPin.drive(!active);
  }

  private setPktif(): void {
    if (this.r[EPKTCNT] > 0) this.r[EIR] |= PKTIF;
    else this.r[EIR] &= ~PKTIF;
  }

  // ---------------------------------------------------------------- SPI decoding (§2, §13)

  private transfer(tx: Uint8Array): Uint8Array {
    const n = tx.length;
    const rx = new Uint8Array(n);
    if (this.faults.misoStuck) {
      rx.fill(this.faults.misoStuck === 'high' ? 0xff : 0x00);
      return rx;
    }
    if (this.inReset) {
      rx.fill(0xff);
      this.violate('SPI transaction while RESET is held low');
      return rx;
    }
    if (this.inTransfer) this.violate('re-entrant SPI transaction (CS already low)');
    this.inTransfer = true; // the INT pin is driven once the transaction is over
    for (let f = this.port.take(); f; f = this.port.take()) this.receiveFromWire(f);
    this.stats.spiTransactions++;
    if (this.trace) this.trace.push(new Uint8Array(tx));
    this.tickMii();
    if (n > 0) this.decode(tx, rx);
    if (this.faults.corruptSpiEvery > 0 && n > 1 && this.stats.spiTransactions % this.faults.corruptSpiEvery === 0) {
      const at = 1 + this.rnd.nextInt(n - 1);
      rx[at] ^= 1 << this.rnd.nextInt(8);
      this.stats.spiCorrupted++;
    }
    this.inTransfer = false;
    this.updateInt();
    return rx;
  }

  private decode(tx: Uint8Array, rx: Uint8Array): void {
    const n = tx.length;
    const op = tx[0] >> 5;
    const a = tx[0] & 0x1f;
    if (tx[0] === 0xff) {
      this.softReset(); // SRC; extra 0xFF bytes are harmless (Linux sends two)
      return;
    }
    if (tx[0] === 0x3a) {
      this.readBuffer(rx, n);
      return;
    }
    if (tx[0] === 0x7a) {
      this.writeBuffer(tx, n);
      return;
    }
    switch (op) {
      case 0: { // RCR
        const i = this.flat(a);
        const v = this.readReg(i);
        if (this.isMacMii(i)) {
          // Dummy byte first (§2): a junk value that differs from the register.
          let junk = this.rnd.nextU32() & 0xff;
          if (junk === v) junk ^= 0x5a;
          if (n > 1) rx[1] = junk;
          for (let k = 2; k < n; k++) rx[k] = v;
          if (n < 3) this.violate('RCR of MAC/MII register ' + hex(i) + ' without the dummy byte');
        } else {
          for (let k = 1; k < n; k++) rx[k] = v;
        }
        return;
      }
      case 2: // WCR
        if (n < 2) { this.violate('WCR without data byte'); return; }
        this.writeReg(this.flat(a), tx[1]);
        return;
      case 4: // BFS
      case 5: { // BFC
        if (n < 2) { this.violate('BFS/BFC without mask byte'); return; }
        const i = this.flat(a);
        if (this.isMacMii(i)) {
          // §2: BFS/BFC are not supported on MAC/MII registers.
          this.violate((op === 4 ? 'BFS' : 'BFC') + ' on MAC/MII register ' + hex(i) + ' (not supported, ignored)');
          return;
        }
        const old = this.readRegRaw(i);
        this.writeReg(i, op === 4 ? old | tx[1] : old & ~tx[1], op === 5 ? tx[1] : 0);
        return;
      }
      default:
        this.violate('unknown SPI opcode ' + hex(tx[0]));
    }
  }

  // ---------------------------------------------------------------- buffer memory (§2.1)

  // RBM and WBM move bytes 1..n-1 of a transfer; with AUTOINC the pointer steps like the byte-by-byte
  // hardware (RBM wraps from ERXND to ERXST, WBM at the end of the 8 KB), copied here in bulk, a run at a time.
  private readBuffer(rx: Uint8Array, n: number): void {
    let p = this.g16(ERDPTL);
    if ((this.r[ECON2] & AUTOINC) === 0) {
      if (n > 1) rx.fill(this.mem[p], 1, n);
      return;
    }
    const st = this.g16(ERXSTL), nd = this.g16(ERXNDL);
    for (let k = 1; k < n;) {
      const last = p <= nd ? nd : 0x1fff;
      const len = Math.min(n - k, last - p + 1);
      rx.set(this.mem.subarray(p, p + len), k);
      k += len;
      p += len;
      if (p - 1 === last) p = last === nd ? st : 0;
    }
    this.s16(ERDPTL, p);
  }

  private writeBuffer(tx: Uint8Array, n: number): void {
    let p = this.g16(EWRPTL);
    if ((this.r[ECON2] & AUTOINC) === 0) {
      if (n > 1) this.mem[p] = tx[n - 1];
      return;
    }
    for (let k = 1; k < n;) {
      const len = Math.min(n - k, MEM_SIZE - p);
      this.mem.set(tx.subarray(k, k + len), p);
      k += len;
      p = (p + len) & 0x1fff;
    }
    this.s16(EWRPTL, p);
  }

  // ---------------------------------------------------------------- registers

  /** Value without read side effects (for BFS/BFC read-modify-write). */
  private readRegRaw(i: number): number {
    if (i === ESTAT) return this.estat();
    if (i === ECON2) return this.r[ECON2] & ~PKTDEC;
    return this.r[i];
  }

  private estat(): number {
    let v = this.r[ESTAT] & (BUFER | TXABRT | 0x10);
    if (this.intActive()) v |= ST_INT;
    if (this.clock.nowMs() >= this.clkRdyAt) v |= CLKRDY;
    return v;
  }

  private readReg(i: number): number {
    if (this.isMacMii(i) && !this.macReady()) {
      this.violate('errata 2: MAC/MII register ' + hex(i) + ' read before the PHY clock runs (1 ms after SRC)');
      return 0;
    }
    if ((i === MIRDL || i === MIRDH) && this.miiBusy > 0) {
      this.violate('MIRD read while MISTAT.BUSY (§5.1)');
    }
    return this.readRegRaw(i);
  }

  private writeReg(i: number, v: number, clearMask = 0): void {
    v &= 0xff;
    if (this.isMacMii(i) && !this.macReady()) {
      this.violate('errata 2: MAC/MII register ' + hex(i) + ' written before the PHY clock runs (1 ms after SRC; ignored)');
      return;
    }
    const rxen = (this.r[ECON1] & RXEN) !== 0;
    switch (i) {
      case ECON1: this.writeEcon1(v); return;
      case ECON2:
        if (v & PKTDEC) {
          if (this.r[EPKTCNT] > 0) this.r[EPKTCNT]--;
          else this.violate('PKTDEC with EPKTCNT = 0');
          if (this.errata.e6) this.r[EIR] &= ~PKTIF; // errata 6: PKTIF not reliable
          else this.setPktif();
        }
        this.r[ECON2] = v & (AUTOINC | PWRSV | 0x08);
        return;
      case EIR:
        // PKTIF and LINKIF are read-only; the others are set/cleared by the host.
        this.r[EIR] = (this.r[EIR] & (PKTIF | LINKIF)) | (v & (DMAIF | TXIF | TXERIF | RXERIF));
        return;
      case ESTAT:
        // BUFER and TXABRT are read/clear; everything else read-only.
        if (clearMask) this.r[ESTAT] &= ~(clearMask & (BUFER | TXABRT));
        return;
      case EIE: this.r[EIE] = v & 0xfb; return;
      case ERXSTL: case ERXSTL + 1: case ERXNDL: case ERXNDL + 1:
        if (rxen) this.violate('ERXST/ERXND changed while RXEN = 1 (§10 step 13)');
        this.r[i] = i & 1 ? v & 0x1f : v;
        if (i === ERXSTL || i === ERXSTL + 1) this.loadWritePointer(i === ERXSTL + 1);
        return;
      case ERXRDPTL: this.rdptLatch = v; return;
      case ERXRDPTH: {
        this.r[ERXRDPTL] = this.rdptLatch;
        this.r[ERXRDPTH] = v & 0x1f;
        const rd = this.g16(ERXRDPTL);
        if ((rd & 1) === 0) this.violate('errata 14: even ERXRDPT ' + hex(rd, 4) + ' written');
        return;
      }
      case ERXWRPTL: case ERXWRPTL + 1: case EDMACSL: case EDMACSL + 1: case EPKTCNT: case EREVID:
      case MISTAT: case MIRDL: case MIRDH:
        this.violate('write to read-only register ' + hex(i));
        return;
      case ERXFCON:
        if (rxen) this.violate('ERXFCON changed while RXEN = 1 (§4.8)');
        this.r[i] = v;
        return;
      case MAADR1: case MAADR2: case MAADR3: case MAADR4: case MAADR5: case MAADR6:
        if (rxen) this.violate('MAADR changed while RXEN = 1 (§4.8)');
        this.r[i] = v;
        return;
      case MICMD: {
        if (this.miiBusy > 0) this.violate('MICMD written while MISTAT.BUSY (§5.1)');
        const was = this.r[MICMD];
        this.r[MICMD] = v & 3;
        if ((v & 1) && !(was & 1)) this.startMii('read');
        return;
      }
      case MIREGADR: case MIWRL:
        if (this.miiBusy > 0) this.violate('MII register written while MISTAT.BUSY (§5.1)');
        this.r[i] = i === MIREGADR ? v & 0x1f : v;
        return;
      case MIWRH:
        if (this.miiBusy > 0) this.violate('MII register written while MISTAT.BUSY (§5.1)');
        this.r[i] = v;
        this.startMii('write'); // §5.1: writing MIWRH starts the PHY write
        return;
      case EFLOCON: this.r[i] = v & 0x03; return;
      case MACON1: this.r[i] = v & 0x0f; return;
      case MACON4: this.r[i] = v & 0x70; return;
      default:
        if (!this.implemented(i)) return; // unimplemented addresses read 0 (§3)
        this.r[i] = (i < B1 && (i & 1) && i <= EDMACSL + 1) ? v & 0x1f : v;
    }
  }

  private implemented(i: number): boolean {
    const a = i & 0x1f;
    if (a >= 0x1b) return true;
    if (i < B1) return a <= 0x17;
    if (i < B2) return a <= 0x11 || a === 0x14 || a === 0x15 || a === 0x18;
    if (i < B3) return a <= 0x04 || (a >= 0x06 && a <= 0x0b);
    return a <= 0x09 || a === 0x15 || (a >= 0x17 && a <= 0x19);
  }

  private loadWritePointer(report = true): void {
    const st = this.g16(ERXSTL);
    if (this.errata.e5 && st !== 0) {
      // errata 5: the internal write pointer may be loaded with 0x0000 instead of ERXST.
      // (Reported once the high byte is written, so a low-then-high write is judged on its result.)
      if (report) this.violate('errata 5: ERXST ' + hex(st, 4) + ' is not 0x0000; RX write pointer loaded with 0x0000');
      this.s16(ERXWRPTL, 0);
    } else {
      this.s16(ERXWRPTL, st);
    }
  }

  private writeEcon1(v: number): void {
    const old = this.r[ECON1];
    let nv = v & ~DMAST;
    // TXRST (§4.1): while set, the transmit logic is held in reset.
    if (nv & TXRST) {
      nv &= ~TXRTS;
      this.txStalled = false;
    } else if (old & TXRST) {
      // errata 12: releasing TXRST can set TXERIF; the driver clears TXIF/TXERIF after the pulse.
      if (this.errata.e12 && (this.r[ESTAT] & TXABRT)) this.r[EIR] |= TXERIF;
    }
    if ((nv & RXRST) && !(old & RXRST)) {
      // RXRST: receive logic reset. The sheet (§12) does not list the side effects; the model empties
      // the ring state (EPKTCNT = 0, write pointer back to ERXST) — drivers rewrite the pointers anyway.
      this.r[EPKTCNT] = 0;
      this.setPktif();
      this.loadWritePointer();
    }
    this.r[ECON1] = nv;
    if ((v & DMAST) && !(old & DMAST)) this.runDma();
    // (Clearing TXRTS cancels; after an errata-12 stall the next start stalls again until TXRST.)
    if ((nv & TXRTS) && !(old & TXRTS)) this.startTx();
  }

  // ---------------------------------------------------------------- MII / PHY (§5)

  private startMii(op: 'read' | 'write'): void {
    this.miiOp = op;
    this.miiBusy = MII_BUSY_TRANSACTIONS;
    this.miiBusySince = this.clock.nowMs();
    this.r[MISTAT] |= 0x01;
  }

  private tickMii(): void {
    // MICMD.MIISCAN: MIRD follows the PHY register continuously.
    if (this.r[MICMD] & 2) {
      const v = this.phyRead(this.r[MIREGADR]);
      this.r[MIRDL] = v & 0xff;
      this.r[MIRDH] = v >> 8;
      this.r[MISTAT] = (this.r[MISTAT] & ~0x04) | 0x02;
    } else {
      this.r[MISTAT] &= ~0x02;
    }
    if (this.miiBusy === 0) return;
    this.miiBusy--;
    // 10.24 µs: done after the next transaction, or once the clock has moved on.
    if (this.miiBusy > 0 && this.clock.nowMs() - this.miiBusySince < 0.01) return;
    this.miiBusy = 0;
    this.r[MISTAT] &= ~0x01;
    const a = this.r[MIREGADR] & 0x1f;
    if (this.miiOp === 'read') {
      const v = this.phyRead(a);
      this.r[MIRDL] = v & 0xff;
      this.r[MIRDH] = v >> 8;
    } else if (this.miiOp === 'write') {
      this.phyWrite(a, this.r[MIWRL] | (this.r[MIWRH] << 8));
    }
    this.miiOp = null;
  }

  private phyRead(a: number): number {
    switch (a) {
      case PHSTAT1: {
        const v = 0x1800 | (this.llstat ? 0x0004 : 0);
        this.llstat = this.link; // latch re-arms on read
        return v;
      }
      case PHSTAT2:
        return (this.link ? 0x0400 : 0) | (this.phy[PHCON1] & 0x0100 ? 0x0200 : 0);
      case PHIR: {
        // §5: reading PHIR clears PGIF/PLNKIF and EIR.LINKIF.
        const v = this.phy[PHIR];
        this.phy[PHIR] = 0;
        this.r[EIR] &= ~LINKIF;
        return v;
      }
      default:
        return this.phy[a];
    }
  }

  private phyWrite(a: number, v: number): void {
    switch (a) {
      case PHCON1:
        if (v & 0x8000) { this.resetPhy(); return; } // PRST, self-clearing
        this.phy[a] = v & 0x4900;
        return;
      case PHCON2: this.phy[a] = v & 0x6500; return;
      case PHIE: this.phy[a] = v & 0x12; return;
      case PHLCON: this.phy[a] = v & 0x3ffe; return;
      case PHSTAT1: case PHSTAT2: case PHID1: case PHID2: case PHIR:
        this.violate('write to read-only PHY register ' + hex(a));
        return;
      default:
        this.phy[a] = v;
    }
  }

  private fullDuplex(): boolean {
    return (this.r[MACON3] & 1) !== 0;
  }

  // ---------------------------------------------------------------- receive (§6, §7, §13)

  private macAddress(): number[] {
    const r = this.r;
    return [r[MAADR1], r[MAADR2], r[MAADR3], r[MAADR4], r[MAADR5], r[MAADR6]];
  }

  private hashBit(f: Uint8Array): boolean {
    // §4.8: CRC-32 of the destination (bit-serial, LSB first, poly 0x04C11DB7, init all ones, no final
    // inversion); bits 28:23 index EHT0..7.
    let c = 0xffffffff;
    for (let i = 0; i < 6; i++) {
      for (let b = 0; b < 8; b++) {
        const bit = ((c >>> 31) ^ (f[i] >> b)) & 1;
        c = bit ? ((c << 1) ^ 0x04c11db7) >>> 0 : (c << 1) >>> 0;
      }
    }
    const idx = (c >>> 23) & 0x3f;
    return (this.r[EHT0 + (idx >> 3)] & (1 << (idx & 7))) !== 0;
  }

  private filterAccepts(f: Uint8Array): boolean {
    const fc = this.r[ERXFCON];
    if ((fc & ~(0x40 | 0x20)) === 0) return true; // no filter enabled: promiscuous (§4.8)
    const mac = this.macAddress();
    let uc = true, bc = true;
    for (let i = 0; i < 6; i++) {
      if (f[i] !== mac[i]) uc = false;
      if (f[i] !== 0xff) bc = false;
    }
    const mc = (f[0] & 1) !== 0;
    const results: boolean[] = [];
    if (fc & 0x80) results.push(uc);
    if (fc & 0x10) { results.push(false); this.violate('pattern-match filter (PMEN) is not modelled: never matches'); }
    if (fc & 0x08) results.push(uc && this.isMagic(f, mac));
    if (fc & 0x04) results.push(this.hashBit(f));
    if (fc & 0x02) results.push(mc);
    if (fc & 0x01) results.push(bc);
    if (fc & 0x40) { // AND
      for (let i = 0; i < results.length; i++) if (!results[i]) return false;
      return true;
    }
    for (let i = 0; i < results.length; i++) if (results[i]) return true;
    return false;
  }

  private isMagic(f: Uint8Array, mac: number[]): boolean {
    outer: for (let s = 14; s + 102 <= f.length; s++) { // sim-only code: labels are fine here
      for (let k = 0; k < 6; k++) if (f[s + k] !== 0xff) continue outer;
      for (let rep = 0; rep < 16; rep++) for (let k = 0; k < 6; k++) if (f[s + 6 + rep * 6 + k] !== mac[k]) continue outer;
      return true;
    }
    return false;
  }

  private ringWrite(p: number, bytes: Uint8Array, st: number, nd: number): number {
    for (let k = 0; k < bytes.length; k++) {
      this.mem[p] = bytes[k];
      p = p === nd ? st : (p + 1) & 0x1fff;
    }
    return p;
  }

  private receiveFromWire(f: Uint8Array): void {
    if (!this.link) { this.stats.rxLinkDown++; return; }
    const e1 = this.r[ECON1];
    if (this.inReset || !(e1 & RXEN) || (e1 & RXRST) || !(this.r[MACON1] & 1) || (this.r[ECON2] & PWRSV) || !this.macReady()) {
      this.stats.rxDisabled++;
      return;
    }
    if (f.length < 14) { this.stats.rxFiltered++; return; }
    if (this.dmaCsumAbortPending) {
      // errata 17: the checksum DMA aborted the packet being received.
      this.dmaCsumAbortPending = false;
      this.stats.rxAbortedByDma++;
      this.violate('errata 17: packet aborted by a DMA checksum run with RXEN = 1');
      return;
    }
    if (!this.filterAccepts(f)) { this.stats.rxFiltered++; return; }
    if (this.r[EPKTCNT] === 255) {
      // §12: EPKTCNT saturates at 255; further packets are dropped with RXERIF.
      this.r[EIR] |= RXERIF;
      this.stats.rxDroppedCount++;
      return;
    }
    const st = this.g16(ERXSTL), nd = this.g16(ERXNDL);
    const size = nd - st + 1;
    if (size <= 0) { this.stats.rxDisabled++; return; }
    const wr = this.g16(ERXWRPTL);
    const rd = this.g16(ERXRDPTL);
    const count = f.length + 4; // the chip stores the FCS (§7)
    const need = 6 + count;
    const offset = (wr - st + need) % size;
    let next = st + offset;
    if (next & 1) next = next === nd ? st : next + 1; // packets start on even addresses (§6)
    // §6: hardware writes up to but not including ERXRDPT.
    const writable = rd > wr ? rd - wr : size - (wr - rd);
    const rdInRing = rd >= st && rd <= nd;
    if ((rd & 1) === 0 && this.errata.e14 && rdInRing) {
      // errata 14: with an even ERXRDPT the limit check fails: the packet is written regardless.
      this.stats.rxWrittenThroughRdpt++;
    } else if (need + (need & 1) > writable || !rdInRing) { // the pad byte must not land on ERXRDPT either
      this.r[EIR] |= RXERIF;
      this.stats.rxDroppedFull++;
      return;
    }
    const hdr = new Uint8Array(6);
    hdr[0] = next & 0xff;
    hdr[1] = next >> 8;
    hdr[2] = count & 0xff;
    hdr[3] = count >> 8;
    // RSV bits 23..16 in byte 4, 31..24 in byte 5 (§7, Table 7-3).
    const type = (f[12] << 8) | f[13];
    let b4 = 0x80; // received OK
    if (type > 1500) b4 |= 0x40; // length out of range (a type field)
    let b5 = 0;
    let bcast = true;
    for (let i = 0; i < 6; i++) if (f[i] !== 0xff) bcast = false;
    if (bcast) b5 |= 0x02;
    else if (f[0] & 1) b5 |= 0x01;
    if (type === 0x8808) b5 |= 0x08;
    if (type === 0x8100) b5 |= 0x40;
    hdr[4] = b4;
    hdr[5] = b5;
    const fcs = crc32(f);
    const tail = new Uint8Array([fcs & 0xff, (fcs >>> 8) & 0xff, (fcs >>> 16) & 0xff, fcs >>> 24]);
    let p = this.ringWrite(wr, hdr, st, nd);
    p = this.ringWrite(p, f, st, nd);
    this.ringWrite(p, tail, st, nd);
    this.s16(ERXWRPTL, next);
    const wasZero = this.r[EPKTCNT] === 0;
    this.r[EPKTCNT]++;
    if (!this.errata.e6 || wasZero) this.r[EIR] |= PKTIF;
    this.stats.rxAccepted++;
  }

  // ---------------------------------------------------------------- transmit (§8)

  private startTx(): void {
    if (this.errata.e12 && this.txStalled) {
      // errata 12: TXRTS stays set forever; nothing is sent until TXRST is pulsed.
      this.stats.txStalled++;
      this.violate('errata 12: transmission started after an abort without a TXRST pulse (TX stalled)');
      return;
    }
    if (!this.macReady()) {
      this.violate('errata 2: TX started before the PHY clock runs');
    }
    const st = this.g16(ETXSTL), nd = this.g16(ETXNDL);
    const len = ((nd - st) & 0x1fff); // bytes after the control byte
    const ctrl = this.mem[st];
    const data = new Uint8Array(len);
    const p = (st + 1) & 0x1fff;
    const first = Math.min(len, MEM_SIZE - p);
    data.set(this.mem.subarray(p, p + first));
    if (first < len) data.set(this.mem.subarray(0, len - first), first);
    const m3 = this.r[MACON3];
    let padcfg = m3 >> 5, crcen = (m3 & 0x10) !== 0, huge = (m3 & 0x04) !== 0;
    if (ctrl & 1) { // POVERRIDE (§8.1)
      padcfg = ctrl & 0x04 ? 1 : 0;
      crcen = (ctrl & 0x02) !== 0;
      huge = (ctrl & 0x08) !== 0;
    } else if (ctrl !== 0) {
      this.violate('TX control byte ' + hex(ctrl) + ' has bits set without POVERRIDE');
    }
    let frame = data;
    let crcError = false;
    if (padcfg & 1) {
      // §4.6: x01 pads to 60 (101: VLAN frames to 64), x11 pads to 64; a CRC is always appended.
      const vlan = len >= 14 && data[12] === 0x81 && data[13] === 0x00;
      const min = (padcfg & 2) || (padcfg === 5 && vlan) ? 64 : 60;
      if (len < min) { frame = new Uint8Array(min); frame.set(data); }
      crcen = true;
    }
    if (!crcen) {
      // The last four bytes are the host's CRC: check it and put the rest on the wire.
      if (len >= 4) {
        const body = data.subarray(0, len - 4);
        const c = crc32(body);
        crcError = data[len - 4] !== (c & 0xff) || data[len - 3] !== ((c >>> 8) & 0xff) ||
          data[len - 2] !== ((c >>> 16) & 0xff) || data[len - 1] !== (c >>> 24);
        frame = new Uint8Array(body);
      }
    }
    const total = frame.length + 4;
    const mamxfl = this.r[MAMXFLL] | (this.r[MAMXFLL + 1] << 8);
    const half = !this.fullDuplex();
    if ((this.phy[PHCON1] & 0x0100 ? 1 : 0) !== (this.r[MACON3] & 1)) {
      this.violate('MACON3.FULDPX does not match PHCON1.PDPXMD (§4.6, indeterminate state)');
    }
    let abort = false, late = false, excessive = false, giant = false;
    if (!huge && total > mamxfl) { abort = true; giant = true; }
    else if (half && this.faults.lateCollisions > 0) { this.faults.lateCollisions--; abort = true; late = true; }
    else if (this.faults.excessiveCollisions > 0) { this.faults.excessiveCollisions--; abort = true; excessive = true; }
    const tsv = new Uint8Array(7);
    tsv[0] = total & 0xff;
    tsv[1] = total >> 8;
    let b2 = 0, b3 = 0;
    if (late) b2 |= 1;
    if (excessive) b2 |= 0x0f & (this.r[MACLCON1] + 1);
    if (crcError) b2 |= 0x10;
    if (!abort) b2 |= 0x80; // transmit done
    let bcast = frame.length >= 6;
    for (let i = 0; i < 6 && i < frame.length; i++) if (frame[i] !== 0xff) bcast = false;
    if (bcast) b3 |= 0x02;
    else if (frame.length && frame[0] & 1) b3 |= 0x01;
    if (excessive) b3 |= 0x10;
    if (late) b3 |= 0x20; // TSV bit 29 (errata 13)
    if (giant) b3 |= 0x40;
    tsv[2] = b2;
    tsv[3] = b3;
    tsv[4] = total & 0xff;
    tsv[5] = total >> 8;
    tsv[6] = 0;
    let q = (nd + 1) & 0x1fff;
    for (let k = 0; k < 7; k++) { this.mem[q] = tsv[k]; q = (q + 1) & 0x1fff; }
    this.r[ECON1] &= ~TXRTS;
    this.r[EIR] |= TXIF;
    if (abort) {
      this.r[EIR] |= TXERIF;
      this.r[ESTAT] |= TXABRT;
      // errata 15: ESTAT.LATECOL is unreliable; the model never sets it.
      this.stats.txAborted++;
      if (this.errata.e12 && half) this.txStalled = true;
      return;
    }
    this.r[ESTAT] &= ~TXABRT;
    this.stats.txSent++;
    if (this.link) this.port.send(frame);
    if (this.errata.e9 && half && !(this.phy[PHCON2] & 0x0100)) {
      // errata 9: half-duplex loopback of our own frame unless PHCON2.HDLDIS.
      this.stats.txLoopedBack++;
      this.receiveFromWire(new Uint8Array(frame));
    }
  }

  // ---------------------------------------------------------------- DMA (§12)

  private runDma(): void {
    const st = this.g16(EDMASTL), nd = this.g16(EDMANDL), dst = this.g16(EDMADSTL);
    const rst = this.g16(ERXSTL), rnd = this.g16(ERXNDL);
    const inRing = st >= rst && st <= rnd;
    const step = (p: number): number => (inRing && p === rnd ? rst : (p + 1) & 0x1fff);
    if (this.r[ECON1] & CSUMEN) {
      let sum = 0, k = 0;
      for (let p = st, guard = 0; guard < MEM_SIZE; guard++) {
        sum += k & 1 ? this.mem[p] : this.mem[p] << 8;
        k++;
        if (p === nd) break;
        p = step(p);
      }
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      const cs = ~sum & 0xffff;
      // EDMACSH holds the first (high-order) byte of the checksum as it goes into a header (assumption).
      this.r[EDMACSL] = cs & 0xff;
      this.r[EDMACSL + 1] = cs >> 8;
      if (this.errata.e17 && (this.r[ECON1] & RXEN)) this.dmaCsumAbortPending = true;
    } else {
      let q = dst;
      for (let p = st, guard = 0; guard < MEM_SIZE; guard++) {
        this.mem[q] = this.mem[p];
        q = (q + 1) & 0x1fff;
        if (p === nd) break;
        p = step(p);
      }
    }
    this.r[ECON1] &= ~DMAST;
    this.r[EIR] |= DMAIF;
  }
}
