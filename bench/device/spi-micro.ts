// The W5500 or ENC28J60 driver's part of a segment inside the real interpreter: built and run by
// bench/espruino-spi.ts (SPI_MICRO.chip picks the driver and its responder; the W5500 when not given).
// The driver runs over the Espruino HAL (EspruinoSpiDevice, as a board has it) and sends or receives
// full-size frames. The chip is a register responder of a few lines: each SPI frame is answered from
// arrays built once (a register read by its control byte and address, a read of RX memory by its
// length), so it costs the same at every call, and the bench subtracts it by the calls counted here.
// What the responder does not do is what Espruino's own SPI.send does: clock the bytes and allocate the
// array it returns (bench/espruino-spi.ts counts that allocation apart). SPI_MICRO (prepended by the
// runner) sets the mode and the count:
// - 'send': n frames of 1,514 bytes sent; 'receive': n frames of 1,514 bytes received, one waiting at a time;
// - 'read' / 'write': n calls of the responder alone (its `send` for a register read, its `write` with a
//   header and a frame), to subtract;
// - 'alloc': n arrays of 1,517 bytes made and dropped (what SPI.send allocates for a frame written by it).
// Prints "P key value" lines.
import { W5500 } from '../../hal/drivers/w5500';
import { Enc28j60 } from '../../hal/drivers/enc28j60';
import { EspruinoSpiDevice, espruinoPlatform } from '../../hal/espruino/platform';
declare function print(...a: unknown[]): void;
declare const SPI_MICRO: { mode: string; n: number; chip?: string };

function main(): void {
  const FRAME = 1514;
  const mode = SPI_MICRO.mode;
  const n = SPI_MICRO.n;
  const enc = SPI_MICRO.chip === 'enc28j60';
  let reads = 0;
  let writes = 0;
  let headerReads = 0; // ENC28J60: reads of a packet's header (and first 64 bytes), counted apart
  let restReads = 0;   // ENC28J60: reads of the rest of a packet

  // ---- the responder
  const answers: { [key: number]: Uint8Array } = {};
  const reg = function (ctl: number, addr: number, value: number, width: number): void {
    const a = new Uint8Array(3 + width);
    if (width === 1) a[3] = value;
    else { a[3] = value >> 8; a[4] = value & 0xff; }
    answers[ctl << 8 | addr] = a;
  };
  reg(0x00, 0x00, 0x00, 1);        // MR: reset done
  reg(0x00, 0x39, 0x04, 1);        // VERSIONR
  reg(0x00, 0x19, 0x07d0, 2);      // RTR after reset
  reg(0x00, 0x2e, 0x01, 1);        // PHYCFGR: link up
  reg(0x08, 0x01, 0x00, 1);        // Sn_CR: command taken
  reg(0x08, 0x02, 0x10, 1);        // Sn_IR: SEND_OK
  reg(0x08, 0x03, 0x42, 1);        // Sn_SR: SOCK_MACRAW
  reg(0x08, 0x20, 0x4000, 2);      // Sn_TX_FSR: 16 KB free
  reg(0x08, 0x24, 0x0000, 2);      // Sn_TX_WR
  reg(0x08, 0x26, 2 + FRAME, 2);   // Sn_RX_RSR: one full-size frame waiting, always
  reg(0x08, 0x28, 0x0000, 2);      // Sn_RX_RD
  // Reads of RX memory, by length: the length header alone, the frame alone, or both (§6).
  const rx: { [len: number]: Uint8Array } = {};
  rx[5] = new Uint8Array([0, 0, 0, (2 + FRAME) >> 8, (2 + FRAME) & 0xff]);
  rx[3 + FRAME] = new Uint8Array(3 + FRAME);
  rx[5 + FRAME] = new Uint8Array(5 + FRAME);
  rx[5 + FRAME][3] = (2 + FRAME) >> 8;
  rx[5 + FRAME][4] = (2 + FRAME) & 0xff;
  // What a register write or a frame written by `send` gets back (an earlier driver wrote that way).
  const zeros: { [len: number]: Uint8Array } = {};
  zeros[4] = new Uint8Array(4);
  zeros[5] = new Uint8Array(5);
  zeros[9] = new Uint8Array(9);
  zeros[3 + FRAME] = new Uint8Array(3 + FRAME);
  const bus = {
    setup: function (): void { /* nothing to set up */ },
    send: function (tx: Uint8Array): Uint8Array {
      reads++;
      const ctl = tx[2];
      if (ctl === 0x18) return rx[tx.length];
      if (ctl & 0x04) return zeros[tx.length];
      return answers[ctl << 8 | tx[1]];
    },
    write: function (head: Uint8Array, body: Uint8Array, cs: unknown): void { writes++; },
  };

  // ---- the ENC28J60 responder (docs/chips/enc28j60.md §2: RCR answers after the opcode byte, a MAC/MII
  // register after a dummy byte; RBM answers the buffer's bytes). Register reads are answered by address
  // from two tables; the chip's packets are full-size frames one after another in the default RX ring
  // (0x0000-0x19FF), so each header read names the next packet where the driver checks it must be.
  const RX_RING = 0x1a00;
  const COUNT = FRAME + 4;                // the frame and its CRC (§7.2.2)
  const STEP = 6 + COUNT + (COUNT & 1);  // header, packet, pad to an even address
  const eth: { [op: number]: Uint8Array } = {};
  const mii: { [op: number]: Uint8Array } = {};
  const ethReg = function (addr: number, value: number): void { eth[addr] = new Uint8Array([0, value]); };
  const miiReg = function (addr: number, value: number): void { mii[addr] = new Uint8Array([0, 0, value]); };
  ethReg(0x1d, 0x01);        // ESTAT: CLKRDY
  ethReg(0x1f, 0x04);        // ECON1: RXEN, TXRTS clear (a transmission done)
  ethReg(0x1c, 0x08);        // EIR: TXIF, no TXERIF
  ethReg(0x1e, 0x88);        // ECON2: AUTOINC | VRPS
  ethReg(0x19, mode === 'receive' ? 1 : 0); // EPKTCNT (bank 1)
  ethReg(0x12, 0x06);        // EREVID (bank 3): B7
  for (let a = 0; a < 0x1b; a++) if (!eth[a]) ethReg(a, 0);
  miiReg(0x0a, 0x00);        // MISTAT: not busy
  miiReg(0x18, 0x00);        // MIRDL
  miiReg(0x19, 0x04);        // MIRDH: PHSTAT2.LSTAT, link up
  for (let a = 0; a < 0x1b; a++) if (!mii[a]) miiReg(a, 0);
  const header = new Uint8Array(7 + 64);
  header[3] = COUNT & 0xff;
  header[4] = COUNT >> 8;
  header[5] = 0x80;          // RSV: received OK
  const rest: { [len: number]: Uint8Array } = {};
  rest[1 + COUNT + (COUNT & 1) - 64] = new Uint8Array(1 + COUNT + (COUNT & 1) - 64);
  let packetAt = 0;
  const encBus = {
    setup: function (): void { /* nothing to set up */ },
    send: function (tx: Uint8Array): Uint8Array {
      reads++;
      if (tx[0] === 0x3a) {
        if (tx.length !== 71) { restReads++; return rest[tx.length]; }
        headerReads++;
        packetAt += STEP;
        if (packetAt >= RX_RING) packetAt -= RX_RING;
        header[1] = packetAt & 0xff; // the next packet's address
        header[2] = packetAt >> 8;
        return header;
      }
      return tx.length === 2 ? eth[tx[0] & 0x1f] : mii[tx[0] & 0x1f];
    },
    write: function (head: Uint8Array, body: Uint8Array, cs: unknown): void { writes++; },
  };

  const p = espruinoPlatform();
  const spi = new EspruinoSpiDevice(enc ? encBus : bus, 'D4');
  if (mode === 'read' || mode === 'write' || mode === 'alloc' || mode.slice(0, 4) === 'enc-') {
    const tx = new Uint8Array(5);
    tx[1] = 0x26; tx[2] = 0x08;
    const frame = new Uint8Array(FRAME);
    const head = new Uint8Array(3);
    const cs = 'D4';
    const reg = new Uint8Array([0x1f, 0]);
    const hdr = new Uint8Array(71);
    hdr[0] = 0x3a;
    const more = new Uint8Array(1 + COUNT + (COUNT & 1) - 64);
    more[0] = 0x3a;
    let keep: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if (mode === 'read') bus.send(tx);
      else if (mode === 'enc-register') encBus.send(reg);
      else if (mode === 'enc-header') encBus.send(hdr);
      else if (mode === 'enc-rest') encBus.send(more);
      else if (mode === 'write') bus.write(head, frame, cs);
      else keep = new Uint8Array(3 + FRAME);
    }
    print('P kept ' + (keep ? keep.length : 0));
  } else {
    const mac = new Uint8Array([2, 0, 0, 0, 0, 2]);
    const d = enc ? new Enc28j60({ spi, clock: p.clock, mac }) : new W5500({ spi, clock: p.clock, mac });
    d.init();
    const frame = new Uint8Array(FRAME);
    const buf = new Uint8Array(FRAME);
    frame[12] = 0x08;
    reads = 0;
    writes = 0;
    headerReads = 0;
    restReads = 0;
    let ok = 0;
    for (let i = 0; i < n; i++) {
      if (mode === 'send') { if (d.send(frame)) ok++; }
      else if (d.receive(buf) === FRAME) ok++;
    }
    print('P frames ' + ok);
  }
  print('P reads ' + reads);
  print('P writes ' + writes);
  print('P headerReads ' + headerReads);
  print('P restReads ' + restReads);
  print('P done 1');
}

main();
