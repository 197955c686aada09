// The bytes the driver puts on the SPI bus, decoded into instructions and compared with sequences
// written out by hand from the fact sheet (§2 opcodes, §5.1 PHY access, §8.3 transmit, §9 receive,
// §10 initialisation) — not from the driver's own output. Bank switches (BFC/BFS ECON1 with only
// BSEL bits) are tracked but left out of the comparison; repeated MISTAT polls count once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, makeFrame, CHIP_MAC, PEER_MAC } from './rig';

// Register names by bank and address, from the sheet's tables §3.1–§3.5.
const COMMON: Record<number, string> = { 0x1b: 'EIE', 0x1c: 'EIR', 0x1d: 'ESTAT', 0x1e: 'ECON2', 0x1f: 'ECON1' };
const BANKS: Array<Record<number, string>> = [
  { 0x00: 'ERDPTL', 0x01: 'ERDPTH', 0x02: 'EWRPTL', 0x03: 'EWRPTH', 0x04: 'ETXSTL', 0x05: 'ETXSTH', 0x06: 'ETXNDL',
    0x07: 'ETXNDH', 0x08: 'ERXSTL', 0x09: 'ERXSTH', 0x0a: 'ERXNDL', 0x0b: 'ERXNDH', 0x0c: 'ERXRDPTL', 0x0d: 'ERXRDPTH' },
  { 0x18: 'ERXFCON', 0x19: 'EPKTCNT' },
  { 0x00: 'MACON1', 0x02: 'MACON3', 0x03: 'MACON4', 0x04: 'MABBIPG', 0x06: 'MAIPGL', 0x07: 'MAIPGH', 0x0a: 'MAMXFLL',
    0x0b: 'MAMXFLH', 0x12: 'MICMD', 0x14: 'MIREGADR', 0x16: 'MIWRL', 0x17: 'MIWRH', 0x18: 'MIRDL', 0x19: 'MIRDH' },
  { 0x00: 'MAADR5', 0x01: 'MAADR6', 0x02: 'MAADR3', 0x03: 'MAADR4', 0x04: 'MAADR1', 0x05: 'MAADR2', 0x0a: 'MISTAT',
    0x12: 'EREVID' },
];
const MAC_MII = /^(MA|MI)/;

function h2(v: number): string {
  return (v < 16 ? '0' : '') + v.toString(16).toUpperCase();
}

function decode(trace: Uint8Array[], startBank = 0): string[] {
  let bank = startBank;
  const out: string[] = [];
  for (const t of trace) {
    const b0 = t[0];
    if (b0 === 0xff) { out.push('SRC'); bank = 0; continue; }
    if (b0 === 0x3a) { out.push('RBM ' + (t.length - 1)); continue; }
    if (b0 === 0x7a) { out.push('WBM ' + (t.length - 1) + ' ctrl=' + h2(t[1])); continue; }
    const op = b0 >> 5, a = b0 & 0x1f;
    const name = a >= 0x1b ? COMMON[a] : BANKS[bank][a] || 'b' + bank + ':' + h2(a);
    if (op === 0) {
      // §2: MAC/MII reads clock a dummy byte first — check the length while decoding.
      const want = MAC_MII.test(name) ? 3 : 2;
      out.push('RCR ' + name + (t.length === want ? '' : ' (BAD LENGTH ' + t.length + ')'));
    } else if (op === 2) {
      out.push('WCR ' + name + '=' + h2(t[1]));
      if (a === 0x1f) bank = t[1] & 3;
    } else if (op === 4 || op === 5) {
      if (a === 0x1f) {
        bank = op === 4 ? bank | (t[1] & 3) : bank & ~(t[1] & 3);
        if ((t[1] & ~3) === 0) continue; // bank switch only
      }
      out.push((op === 4 ? 'BFS ' : 'BFC ') + name + ' ' + h2(t[1]));
    } else {
      out.push('?? ' + h2(b0));
    }
  }
  // collapse busy polling of MISTAT into one entry
  return out.filter((s, i) => !(s === 'RCR MISTAT' && out[i - 1] === 'RCR MISTAT'));
}

// §5.1 write and read, written out from the sheet.
const phyWrite = (addr: number, v: number): string[] =>
  ['WCR MIREGADR=' + h2(addr), 'WCR MIWRL=' + h2(v & 0xff), 'WCR MIWRH=' + h2(v >> 8), 'RCR MISTAT'];
const phyRead = (addr: number): string[] =>
  ['WCR MIREGADR=' + h2(addr), 'WCR MICMD=01', 'RCR MISTAT', 'WCR MICMD=00', 'RCR MIRDL', 'RCR MIRDH'];

test('initialisation follows §10 (half duplex, SRC reset, polled)', () => {
  const rig = makeRig({ init: false });
  rig.clock.advance(1);
  rig.model.trace = [];
  rig.drv.init();
  const m = CHIP_MAC;
  const expected = [
    'BFC ECON2 20',                 // §10.1 / errata 19: leave power save before SRC
    'SRC',                          // §10.2
    'RCR ESTAT',                    // §10.3: after the 1 ms+ wait, sanity check (bit 3 = 0, CLKRDY = 1)
    'RCR EREVID',                   // §10.5
    'WCR ECON1=00', 'WCR ECON2=88', // §10.6
    'WCR ERXSTL=00', 'WCR ERXSTH=00', 'WCR ERXNDL=FF', 'WCR ERXNDH=19', // §10.7 ring 0x0000..0x19FF
    'WCR ERXRDPTL=FF', 'WCR ERXRDPTH=19',                               // ERXRDPT = ERXND, low first
    'WCR ETXSTL=00', 'WCR ETXSTH=1A', 'WCR ETXNDL=FF', 'WCR ETXNDH=1F', // §10.8
    'WCR ERXFCON=A1',                                                   // §10.9
    'WCR MACON1=0D', 'WCR MACON3=32', 'WCR MACON4=40',                  // §10.10 half duplex column
    'WCR MAMXFLL=EE', 'WCR MAMXFLH=05', 'WCR MABBIPG=12', 'WCR MAIPGL=12', 'WCR MAIPGH=0C',
    'WCR MAADR1=' + h2(m[0]), 'WCR MAADR2=' + h2(m[1]), 'WCR MAADR3=' + h2(m[2]),
    'WCR MAADR4=' + h2(m[3]), 'WCR MAADR5=' + h2(m[4]), 'WCR MAADR6=' + h2(m[5]),
    ...phyWrite(0x00, 0x0000),      // §10.11 PHCON1 half duplex
    ...phyWrite(0x10, 0x0100),      // PHCON2.HDLDIS (errata 9)
    ...phyWrite(0x14, 0x3476),      // PHLCON
    ...phyWrite(0x12, 0x0012),      // §10.12 PHIE
    ...phyRead(0x13),               // PHIR read acknowledges any old link change
    'BFC EIR 7F', 'WCR EIE=00',     // no INT pin: interrupts stay masked
    'BFS ECON1 04',                 // §10.13 RXEN
    ...phyRead(0x11),               // §10.14 PHSTAT2.LSTAT
  ];
  assert.equal(decode(rig.model.trace), expected);
  assert.equal(rig.model.violations, []);
});

test('transmit follows §8.3 steps 2-8 (TXRST pulse after init, control byte 0x00, ETXND = last byte)', () => {
  const rig = makeRig();
  const f = makeFrame(rig.rnd, 60, PEER_MAC);
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  assert.ok(rig.drv.send(f));
  const expected = [
    'BFS ECON1 80', 'BFC ECON1 80', 'BFC EIR 0A',             // step 2 (errata 12): the first frame after init
    'WCR EWRPTL=00', 'WCR EWRPTH=1A',                          // step 3: TXSTART = 0x1A00 (ETXST written at init)
    'WBM 61 ctrl=00',                                          // step 4: control byte + 60 bytes
    'WCR ETXNDL=3C', 'WCR ETXNDH=1A',                          // step 5: 0x1A00 + 60
    'BFS ECON1 08',                                            // step 7 TXRTS
    'RCR ECON1', 'RCR EIR',                                    // step 8: TXRTS clear, TXERIF not set
  ];
  assert.equal(decode(rig.model.trace, bankBefore), expected);
  const wbm = rig.model.trace.find((t) => t[0] === 0x7a) as Uint8Array;
  assert.equal(Array.from(wbm.subarray(2)), Array.from(f), 'frame bytes follow the control byte, no CRC');
  assert.equal(rig.model.violations, []);
});

test('a frame after one sent without error: no TXRST pulse (errata 12 allows it after an abort only); ETXND only for a new length', () => {
  const rig = makeRig();
  assert.ok(rig.drv.send(makeFrame(rig.rnd, 60, PEER_MAC)));
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  const same = makeFrame(rig.rnd, 60, PEER_MAC);
  assert.ok(rig.drv.send(same));
  assert.equal(decode(rig.model.trace, bankBefore), [
    'WCR EWRPTL=00', 'WCR EWRPTH=1A', 'WBM 61 ctrl=00', 'BFS ECON1 08', 'RCR ECON1', 'RCR EIR',
  ]);
  rig.model.trace = [];
  const longer = makeFrame(rig.rnd, 1514, PEER_MAC);
  assert.ok(rig.drv.send(longer));
  assert.equal(decode(rig.model.trace, bankBefore), [
    'WCR EWRPTL=00', 'WCR EWRPTH=1A', 'WBM 1515 ctrl=00',
    'WCR ETXNDL=EA', 'WCR ETXNDH=1F',                          // 0x1A00 + 1514 = 0x1FEA
    'BFS ECON1 08', 'RCR ECON1', 'RCR EIR',
  ]);
  const wbm = rig.model.trace.find((t) => t[0] === 0x7a) as Uint8Array;
  assert.equal(Array.from(wbm.subarray(2)), Array.from(longer));
  assert.equal(rig.model.violations, []);
});

test('after an abort given up on, the next frame starts with the TXRST pulse (errata 12)', () => {
  const rig = makeRig({ driver: { maxTxAttempts: 1 } });
  assert.ok(rig.drv.send(makeFrame(rig.rnd, 60, PEER_MAC)));
  rig.model.faults.lateCollisions = 1;
  assert.not.ok(rig.drv.send(makeFrame(rig.rnd, 60, PEER_MAC)), 'one attempt, aborted');
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  assert.ok(rig.drv.send(makeFrame(rig.rnd, 60, PEER_MAC)));
  const d = decode(rig.model.trace, bankBefore);
  assert.equal(d.slice(0, 3), ['BFS ECON1 80', 'BFC ECON1 80', 'BFC EIR 0A'], d.join(', '));
  assert.equal(rig.model.violations, []);
});

test('a late collision adds the §8.3 step 9 TSV read and a retry from step 2', () => {
  const rig = makeRig();
  const f = makeFrame(rig.rnd, 60, PEER_MAC);
  rig.model.faults.lateCollisions = 1;
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  assert.ok(rig.drv.send(f));
  const expected = [
    'BFS ECON1 80', 'BFC ECON1 80', 'BFC EIR 0A',
    'WCR EWRPTL=00', 'WCR EWRPTH=1A', 'WBM 61 ctrl=00',
    'WCR ETXNDL=3C', 'WCR ETXNDH=1A', 'BFS ECON1 08', 'RCR ECON1', 'RCR EIR',
    'WCR ERDPTL=3D', 'WCR ERDPTH=1A', 'RBM 7',                 // TSV at ETXND + 1 = 0x1A3D
    'BFS ECON1 80', 'BFC ECON1 80', 'BFC EIR 0A',             // errata 13: reset and retransmit
    'BFS ECON1 08', 'RCR ECON1', 'RCR EIR',
  ];
  assert.equal(decode(rig.model.trace, bankBefore), expected);
});

test('receive follows §9 (EPKTCNT, ERDPT, 6-byte header, frame without CRC, odd ERXRDPT, PKTDEC)', () => {
  const rig = makeRig();
  const f = makeFrame(rig.rnd, 60);
  rig.wire.b.send(f);
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  const buf = new Uint8Array(1514);
  assert.is(rig.drv.receive(buf), 60);
  assert.is(rig.drv.receive(buf), 0);
  // Packet at 0x0000: 6-byte header + 64 bytes (60 + CRC) → next = 0x0046; ERXRDPT = next − 1 = 0x0045.
  // The header and the 64 bytes behind it in one read (a minimum frame whole, CRC included).
  const expected = [
    'RCR EPKTCNT',
    'WCR ERDPTL=00', 'WCR ERDPTH=00', 'RBM 70',
    'WCR ERXRDPTL=45', 'WCR ERXRDPTH=00',
    'BFS ECON2 40',
    'RCR EPKTCNT',
  ];
  assert.equal(decode(rig.model.trace, bankBefore), expected);
});

test('a packet read whole leaves ERDPT on the next one: its ERDPT is not written; a full-size one in two reads', () => {
  const rig = makeRig();
  const buf = new Uint8Array(1514);
  const small = makeFrame(rig.rnd, 60);
  rig.wire.b.send(small);
  assert.is(rig.drv.receive(buf), 60);
  const big = makeFrame(rig.rnd, 1514);
  rig.wire.b.send(big);
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  assert.is(rig.drv.receive(buf), 1514);
  assert.equal(Array.from(buf.subarray(0, 1514)), Array.from(big));
  // Packet at 0x0046: 6 + 1518 bytes (1514 + CRC, even) → next = 0x063A; ERXRDPT = 0x0639.
  assert.equal(decode(rig.model.trace, bankBefore), [
    'RCR EPKTCNT',
    'RBM 70', 'RBM 1454',
    'WCR ERXRDPTL=39', 'WCR ERXRDPTH=06',
    'BFS ECON2 40',
  ]);
  assert.equal(rig.model.violations, []);
});

test('after the ring wraps, ERXRDPT = ERXND when the next packet starts at ERXST (errata 14)', () => {
  const rig = makeRig();
  const buf = new Uint8Array(1514);
  // Fill the ring so that a packet ends exactly at ERXND: 0x1A00 bytes = sum of (6 + len + 4), all even.
  // 5 packets of 1314 bytes (6 + 1310 + 4 = 1320) = 6600, then one of 56 − 10 = 46 bytes → 6656 = 0x1A00.
  for (let i = 0; i < 5; i++) { rig.wire.b.send(makeFrame(rig.rnd, 1310)); assert.is(rig.drv.receive(buf), 1310); }
  rig.wire.b.send(makeFrame(rig.rnd, 46));
  rig.model.trace = [];
  const bankBefore = rig.model.reg(0, 0x1f) & 3;
  assert.is(rig.drv.receive(buf), 46);
  const d = decode(rig.model.trace, bankBefore);
  const i = d.indexOf('WCR ERXRDPTL=FF');
  assert.ok(i >= 0, d.join(', '));
  assert.is(d[i + 1], 'WCR ERXRDPTH=19');
  assert.equal(rig.model.violations, []);
});

test.run();
