// Each documented pitfall (fact sheet §2, §11) done wrong by a small inline driver, and the model
// visibly misbehaving or recording the violation. The same steps done right work on the same model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, makeFrame, drain, peerFrames, sameBytes, PEER_MAC, CHIP_MAC } from './rig';
import { Raw } from './raw';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';

const ECON1 = 0x1f, ECON2 = 0x1e, EIR = 0x1c, ESTAT = 0x1d;
const RX_END = 0x19ff, TX_START = 0x1a00;

interface NaiveRx { next: number }

/** One packet the §9 way, except for how ERXRDPT is written. */
function naiveReceive(raw: Raw, st: NaiveRx, evenRdpt: boolean): Uint8Array | null {
  raw.wcr(0, 0x00, st.next & 0xff);
  raw.wcr(0, 0x01, st.next >> 8);
  const h = raw.rbm(6);
  const next = h[0] | (h[1] << 8);
  const count = h[2] | (h[3] << 8);
  const frame = count >= 18 && count <= 1518 ? new Uint8Array(raw.rbm(count - 4)) : new Uint8Array(0);
  const rd = evenRdpt ? next : next === 0 ? RX_END : next - 1;
  raw.wcr(0, 0x0c, rd & 0xff);
  raw.wcr(0, 0x0d, (rd >> 8) & 0x1f);
  st.next = next & 0x1fff;
  raw.bfs(ECON2, 0x40); // PKTDEC
  return frame;
}

function naiveSend(raw: Raw, frame: Uint8Array, pulseTxrst: boolean): { done: boolean; eir: number } {
  if (pulseTxrst) { raw.bfs(ECON1, 0x80); raw.bfc(ECON1, 0x80); }
  raw.bfc(EIR, 0x0a);
  raw.wcr(0, 0x04, TX_START & 0xff); raw.wcr(0, 0x05, TX_START >> 8);
  raw.wcr(0, 0x02, TX_START & 0xff); raw.wcr(0, 0x03, TX_START >> 8);
  const data = new Uint8Array(frame.length + 1);
  data.set(frame, 1);
  raw.wbm(data);
  const nd = TX_START + frame.length;
  raw.wcr(0, 0x06, nd & 0xff); raw.wcr(0, 0x07, nd >> 8);
  raw.bfs(ECON1, 0x08);
  let done = false;
  for (let i = 0; i < 20 && !done; i++) done = (raw.rcr(0, ECON1) & 0x08) === 0;
  return { done, eir: raw.rcr(0, EIR) };
}

function evenRdptRun(e14: boolean): { got: Uint8Array[]; burst: Uint8Array[]; rig: ReturnType<typeof makeRig> } {
  const rig = makeRig({ errata: { e14 } });
  const raw = new Raw(rig.model.spi);
  const st: NaiveRx = { next: 0 };
  rig.wire.b.send(makeFrame(rig.rnd, 100));
  naiveReceive(raw, st, true); // frees with ERXRDPT = next (even)
  const burst: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) {
    const f = makeFrame(rig.rnd, 1000);
    burst.push(f);
    rig.wire.b.send(f);
  }
  rig.model.service();
  const got: Uint8Array[] = [];
  for (let i = 0; i < 12 && raw.rcr(1, 0x19) > 0; i++) got.push(naiveReceive(raw, st, true) as Uint8Array);
  return { got, burst, rig };
}

test('errata 14: an even ERXRDPT lets the chip write through unread packets (switch on) — not when off', () => {
  const bad = evenRdptRun(true);
  assert.ok(bad.rig.model.violations.some((v) => v.includes('errata 14')), 'violation recorded');
  assert.ok(bad.rig.model.stats.rxWrittenThroughRdpt > 0);
  let intact = 0;
  for (let i = 0; i < bad.got.length; i++) if (sameBytes(bad.got[i], bad.burst[i])) intact++;
  assert.ok(intact < bad.got.length, 'the ring was corrupted: ' + intact + ' of ' + bad.got.length + ' intact');

  const ideal = evenRdptRun(false);
  assert.ok(ideal.got.length > 0);
  for (let i = 0; i < ideal.got.length; i++) assert.ok(sameBytes(ideal.got[i], ideal.burst[i]), 'ideal chip: frame ' + i + ' intact');

  // The driver (odd ERXRDPT) on the errata chip: the first frames intact, the rest dropped, never corrupted.
  const rig = makeRig();
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) { const f = makeFrame(rig.rnd, 1000); sent.push(f); rig.wire.b.send(f); }
  const got = drain(rig.drv);
  assert.ok(got.length > 0);
  for (let i = 0; i < got.length; i++) assert.ok(sameBytes(got[i], sent[i]));
  assert.equal(rig.model.violations, []);
});

test('errata 6: a driver that trusts PKTIF leaves packets behind; EPKTCNT tells the truth', () => {
  const run = (e6: boolean): { naive: number; left: number } => {
    const rig = makeRig({ errata: { e6 } });
    const raw = new Raw(rig.model.spi);
    for (let i = 0; i < 3; i++) rig.wire.b.send(makeFrame(rig.rnd, 200));
    rig.model.service();
    const st: NaiveRx = { next: 0 };
    let naive = 0;
    for (let i = 0; i < 10 && (raw.rcr(0, EIR) & 0x40); i++) { naiveReceive(raw, st, false); naive++; }
    return { naive, left: raw.rcr(1, 0x19) };
  };
  const bad = run(true);
  assert.is(bad.naive, 1);
  assert.is(bad.left, 2, 'two packets still waiting while PKTIF reads 0');
  const ideal = run(false);
  assert.is(ideal.naive, 3);
  const rig = makeRig();
  for (let i = 0; i < 3; i++) rig.wire.b.send(makeFrame(rig.rnd, 200));
  assert.is(drain(rig.drv).length, 3, 'the driver polls EPKTCNT and gets all three');
});

test('forgetting the dummy byte on MAC/MII reads returns junk (and is recorded)', () => {
  const rig = makeRig();
  const raw = new Raw(rig.model.spi);
  assert.is(raw.rcrMac(3, 0x04), CHIP_MAC[0], 'MAADR1 with the dummy byte');
  assert.is(raw.rcrMac(3, 0x01), CHIP_MAC[5], 'MAADR6 with the dummy byte');
  assert.is.not(raw.rcrMacNoDummy(3, 0x04), CHIP_MAC[0]);
  assert.is.not(raw.rcrMacNoDummy(2, 0x02), 0x32, 'MACON3 read without the dummy byte');
  assert.ok(rig.model.violations.some((v) => v.includes('without the dummy byte')));
  // ETH registers have no dummy byte: EREVID in the first byte.
  assert.is(raw.rcr(3, 0x12), 0x06);
});

test('errata 12: after an abort, starting TX without a TXRST pulse stalls it; the driver pulses and sends', () => {
  const rig = makeRig();
  const raw = new Raw(rig.model.spi);
  rig.model.faults.lateCollisions = 1;
  const f = makeFrame(rig.rnd, 120, PEER_MAC);
  const first = naiveSend(raw, f, false);
  assert.ok(first.done && (first.eir & 0x02), 'first attempt aborted (TXERIF)');
  const second = naiveSend(raw, f, false);
  assert.not.ok(second.done, 'TXRTS stuck');
  assert.is(peerFrames(rig).length, 0);
  assert.ok(rig.model.violations.some((v) => v.includes('errata 12')));
  assert.ok(rig.drv.send(f), 'the driver pulses TXRST and the frame goes out');
  const seen = peerFrames(rig);
  assert.is(seen.length, 1);
  assert.ok(sameBytes(seen[0], f));
});

test('errata 13: ignoring the TSV late-collision bit loses the frame; the driver retries it', () => {
  const rig = makeRig();
  const raw = new Raw(rig.model.spi);
  rig.model.faults.lateCollisions = 1;
  const f = makeFrame(rig.rnd, 300, PEER_MAC);
  const r = naiveSend(raw, f, true);
  assert.ok(r.done, 'the naive driver thinks it is sent');
  assert.is(peerFrames(rig).length, 0, 'but nothing reached the wire');
  // The TSV says why: byte 3 bit 5 (TSV bit 29); ESTAT.LATECOL is not set (errata 15).
  const tsvAt = TX_START + f.length + 1;
  raw.wcr(0, 0x00, tsvAt & 0xff); raw.wcr(0, 0x01, tsvAt >> 8);
  const tsv = raw.rbm(7);
  assert.ok(tsv[3] & 0x20, 'TSV late collision');
  assert.is(raw.rcr(0, ESTAT) & 0x10, 0);
  rig.model.faults.lateCollisions = 1;
  assert.ok(rig.drv.send(f));
  assert.is(peerFrames(rig).length, 1);
  assert.is(rig.drv.stats.lateCollisions, 1);
});

test('errata 2: polling CLKRDY right after SRC and configuring the MAC at once loses the writes', () => {
  const clock = new VirtualClock(0);
  const wire = new VirtualWire(clock);
  const model = new Enc28j60Model({ clock, port: wire.a });
  clock.advance(1);
  const raw = new Raw(model.spi);
  raw.src();
  assert.ok(raw.rcr(0, ESTAT) & 0x01, 'CLKRDY claims ready at once');
  raw.wcr(2, 0x00, 0x0d); // MACON1
  assert.ok(model.violations.some((v) => v.includes('errata 2')));
  clock.advance(1);
  assert.is(raw.rcrMac(2, 0x00), 0, 'MACON1 write was lost');
  // Done right: SRC, wait 1 ms (not CLKRDY), then configure.
  raw.src();
  clock.advance(1);
  raw.wcr(2, 0x00, 0x0d);
  assert.is(raw.rcrMac(2, 0x00), 0x0d);
});

test('errata 5: an RX ring not starting at 0x0000 gets packets written at 0x0000', () => {
  const clock = new VirtualClock(0);
  const wire = new VirtualWire(clock);
  const model = new Enc28j60Model({ clock, port: wire.a });
  clock.advance(1);
  const raw = new Raw(model.spi);
  raw.wcr(0, 0x08, 0x00); raw.wcr(0, 0x09, 0x06); // ERXST = 0x0600
  assert.ok(model.violations.some((v) => v.includes('errata 5')));
  assert.is(model.rxPointers().wr, 0x0000);
});

test('errata 9: half duplex without PHCON2.HDLDIS loops our own frames back; the driver sets it', () => {
  const rig = makeRig();
  const bcast = makeFrame(rig.rnd, 80, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), CHIP_MAC);
  assert.ok(rig.drv.send(bcast));
  assert.is(drain(rig.drv).length, 0, 'no echo with HDLDIS');
  const raw = new Raw(rig.model.spi);
  rig.drv.init(); // known driver state: bank 2 selected last (its final MII read)
  raw.phyWrite(0x10, 0x0000); // PHCON2 without HDLDIS, as a driver that skips errata 9 leaves it
  raw.bank(2); // hand the bus back in the bank the driver left selected (its last MII read, bank 2)
  assert.ok(rig.drv.send(bcast));
  const echo = drain(rig.drv);
  assert.is(echo.length, 1, 'own broadcast came back');
  assert.is(rig.model.stats.txLoopedBack, 1);
});

test('BFS/BFC on a MAC/MII register is not supported: ignored and recorded', () => {
  const rig = makeRig();
  const raw = new Raw(rig.model.spi);
  raw.bank(2);
  raw.bfs(0x12, 0x01); // MICMD.MIIRD by BFS — as some libraries do
  assert.ok(rig.model.violations.some((v) => v.startsWith('BFS on MAC/MII')));
  assert.is(raw.rcrMac(2, 0x12), 0);
});

test('errata 17 and DMA: copy and checksum work; a checksum run with RXEN = 1 aborts a packet', () => {
  const rig = makeRig();
  const raw = new Raw(rig.model.spi);
  const data = new Uint8Array([0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02]);
  raw.wcr(0, 0x02, 0x00); raw.wcr(0, 0x03, 0x1b); // EWRPT = 0x1B00 (TX area)
  raw.wbm(data);
  // copy 0x1B00..0x1B13 → 0x1C00
  raw.wcr(0, 0x10, 0x00); raw.wcr(0, 0x11, 0x1b);
  raw.wcr(0, 0x12, 0x13); raw.wcr(0, 0x13, 0x1b);
  raw.wcr(0, 0x14, 0x00); raw.wcr(0, 0x15, 0x1c);
  raw.bfs(ECON1, 0x20);
  assert.ok(raw.rcr(0, EIR) & 0x20, 'DMAIF');
  assert.ok(sameBytes(rig.model.mem.subarray(0x1c00, 0x1c14), data));
  // checksum of the IPv4 header above (RFC 1071); software reference:
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i] << 8) | data[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  raw.bfs(ECON1, 0x10); // CSUMEN
  raw.bfs(ECON1, 0x20); // DMAST with RXEN = 1
  raw.bfc(ECON1, 0x10);
  const cs = raw.rcr(0, 0x16) | (raw.rcr(0, 0x17) << 8);
  assert.is(cs, ~sum & 0xffff);
  rig.wire.b.send(makeFrame(rig.rnd, 100));
  assert.is(drain(rig.drv).length, 0, 'the packet being received was aborted');
  assert.is(rig.model.stats.rxAbortedByDma, 1);
  assert.ok(rig.model.violations.some((v) => v.includes('errata 17')));
});

test.run();
