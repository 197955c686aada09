import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, makeFrame, drain, peerFrames, sameBytes, PEER_MAC } from './rig';

test('init brings the chip up: B7 revision, link up, no rule violations', () => {
  const rig = makeRig();
  assert.is(rig.drv.revision, 0x06);
  assert.ok(rig.drv.linkUp());
  assert.equal(rig.model.violations, []);
  assert.is(rig.model.reg(0, 0x1f) & 0x04, 0x04, 'RXEN set');
});

test('frames of every size 14..1514 arrive byte-exact, one at a time', () => {
  const rig = makeRig();
  const buf = new Uint8Array(1514);
  for (let len = 14; len <= 1514; len++) {
    const f = makeFrame(rig.rnd, len);
    rig.wire.b.send(f);
    const n = rig.drv.receive(buf);
    if (n !== len || !sameBytes(buf.subarray(0, n), f)) assert.unreachable('frame of ' + len + ' bytes: got ' + n);
  }
  assert.is(rig.drv.counters.rxFrames, 1501);
  assert.is(rig.drv.counters.rxDropped, 0);
  assert.is(rig.model.stats.rxAccepted, 1501);
  assert.equal(rig.model.violations, []);
});

test('frames of every size 14..1514 leave byte-exact (short ones zero-padded to 60 by the MAC)', () => {
  const rig = makeRig();
  for (let len = 14; len <= 1514; len++) {
    const f = makeFrame(rig.rnd, len, PEER_MAC);
    assert.ok(rig.drv.send(f));
    const got = peerFrames(rig);
    if (got.length !== 1) assert.unreachable('frame of ' + len + ': ' + got.length + ' on the wire');
    const g = got[0];
    if (g.length !== Math.max(60, len) || !sameBytes(g.subarray(0, len), f)) assert.unreachable('frame of ' + len + ' differs');
    for (let i = len; i < g.length; i++) if (g[i] !== 0) assert.unreachable('pad byte not zero');
  }
  assert.is(rig.drv.counters.txFrames, 1501);
  assert.is(rig.drv.counters.txErrors, 0);
  assert.equal(rig.model.violations, []);
});

test('the ring wraps many times with several packets queued at once', () => {
  const rig = makeRig();
  const sent: Uint8Array[] = [];
  const got: Uint8Array[] = [];
  let bytes = 0;
  for (let round = 0; round < 400; round++) {
    const k = 1 + rig.rnd.nextInt(4);
    for (let i = 0; i < k; i++) {
      const f = makeFrame(rig.rnd, 14 + rig.rnd.nextInt(1501));
      sent.push(f);
      bytes += f.length;
      rig.wire.b.send(f);
    }
    for (const f of drain(rig.drv)) got.push(f);
  }
  assert.ok(bytes > 20 * 0x1a00, 'ring wrapped at least 20 times (' + bytes + ' bytes)');
  assert.is(got.length, sent.length);
  for (let i = 0; i < sent.length; i++) if (!sameBytes(got[i], sent[i])) assert.unreachable('frame ' + i + ' differs');
  assert.equal(rig.model.violations, []);
});

test('full duplex: MACON3.FULDPX and PHCON1.PDPXMD agree, frames move both ways', () => {
  const rig = makeRig({ driver: { fullDuplex: true } });
  assert.is(rig.model.reg(2, 0x02), 0x33, 'MACON3 with FULDPX');
  assert.is(rig.model.phyReg(0x00) & 0x0100, 0x0100, 'PHCON1.PDPXMD');
  const f = makeFrame(rig.rnd, 500);
  rig.wire.b.send(f);
  const got = drain(rig.drv);
  assert.ok(got.length === 1 && sameBytes(got[0], f));
  const out = makeFrame(rig.rnd, 500, PEER_MAC);
  assert.ok(rig.drv.send(out));
  assert.ok(sameBytes(peerFrames(rig)[0], out));
  assert.equal(rig.model.violations, []);
});

test('a smaller RX ring (rxEnd option) wraps correctly too', () => {
  const rig = makeRig({ driver: { rxEnd: 0x0bff } });
  assert.is(rig.model.rxPointers().nd, 0x0bff);
  const sent: Uint8Array[] = [];
  const got: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    const f = makeFrame(rig.rnd, 14 + rig.rnd.nextInt(1501));
    sent.push(f);
    rig.wire.b.send(f);
    if (i % 2) for (const g of drain(rig.drv)) got.push(g);
  }
  for (const g of drain(rig.drv)) got.push(g);
  assert.is(got.length, sent.length);
  for (let i = 0; i < sent.length; i++) assert.ok(sameBytes(got[i], sent[i]));
  const out = makeFrame(rig.rnd, 1514, PEER_MAC);
  assert.ok(rig.drv.send(out), 'TX area at 0x0C00');
  assert.ok(sameBytes(peerFrames(rig)[0], out));
  assert.equal(rig.model.violations, []);
});

test.run();
