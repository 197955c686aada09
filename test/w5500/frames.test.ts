// The W5500 driver on the register-accurate model: frames move byte-exact in both directions, through
// many wraps of the free-running 16-bit pointers, and bursts up to RX overflow lose only what the chip
// dropped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, makeFrame, sameBytes, OUR_MAC, PEER_MAC, BROADCAST, OTHER_MAC } from './helpers';
import { SeededRandom } from '../../hal/sim/random';

test('every frame size 14..1514 is received byte-exact (runts let through by the model switch)', () => {
  const { driver, peer, model } = makeRig({ acceptRunts: true });
  const buf = new Uint8Array(1514);
  for (let len = 14; len <= 1514; len++) {
    const f = makeFrame(len, OUR_MAC, PEER_MAC, len);
    peer.send(f);
    const n = driver.receive(buf);
    if (n !== len || !sameBytes(buf, f, len)) assert.unreachable('size ' + len + ' came back as ' + n);
    assert.is(driver.receive(buf), 0);
  }
  assert.is(driver.counters.rxFrames, 1501);
  assert.equal(model.violations, []);
});

test('by default the chip drops runts (< 60 bytes without FCS) and the driver sees nothing', () => {
  const { driver, peer, model } = makeRig();
  peer.send(makeFrame(59, OUR_MAC, PEER_MAC, 1));
  peer.send(makeFrame(60, OUR_MAC, PEER_MAC, 2));
  const buf = new Uint8Array(1514);
  assert.is(driver.receive(buf), 60);
  assert.is(driver.receive(buf), 0);
  assert.is(model.stats.rxRunts, 1);
});

test('every frame size 14..1514 is transmitted byte-exact, short ones padded with zeros to 60', () => {
  const { driver, peer, model } = makeRig();
  for (let len = 14; len <= 1514; len++) {
    const f = makeFrame(len, PEER_MAC, OUR_MAC, len);
    const wr0 = model.pointers.txWr;
    assert.ok(driver.send(f), 'send ' + len);
    // The driver pads itself (chip padding is unverified, §7.2): Sn_TX_WR moves by at least 60.
    if (((model.pointers.txWr - wr0) & 0xffff) !== Math.max(60, len)) assert.unreachable('TX_WR moved wrongly for ' + len);
    const got = peer.take();
    if (!got) return assert.unreachable('nothing on the wire for ' + len);
    if (got.length !== Math.max(60, len) || !sameBytes(got, f, len)) assert.unreachable('size ' + len + ' sent as ' + got.length);
    for (let i = len; i < got.length; i++) if (got[i] !== 0) assert.unreachable('padding not zero at ' + len);
  }
  assert.is(driver.counters.txFrames, 1501);
  assert.is(driver.counters.txErrors, 0);
  assert.equal(model.violations, []);
});

test('pointers wrap past 0xFFFF many times over with traffic interleaved both ways, byte-exact', () => {
  const { driver, peer, model } = makeRig();
  const rnd = new SeededRandom(77);
  const buf = new Uint8Array(1514);
  let rxBytes = 0, txBytes = 0;
  let rxWraps = 0, txWraps = 0, lastRx = 0, lastTx = 0;
  for (let i = 0; i < 1500; i++) {
    const a = makeFrame(60 + rnd.nextInt(1455), OUR_MAC, PEER_MAC, i);
    const b = makeFrame(14 + rnd.nextInt(1501), PEER_MAC, OUR_MAC, 100000 + i);
    // Up to three frames queued at once so several wait in RX memory together.
    peer.send(a);
    if (i % 3 === 0) peer.send(a);
    for (let k = 0; k < 3; k++) {
      const n = driver.receive(buf);
      if (n === 0) break;
      if (n !== a.length || !sameBytes(buf, a, n)) return assert.unreachable('rx frame ' + i + ' corrupted');
      rxBytes += n + 2;
    }
    assert.ok(driver.send(b));
    const got = peer.take();
    if (!got || !sameBytes(got, b, b.length)) return assert.unreachable('tx frame ' + i + ' corrupted');
    txBytes += Math.max(60, b.length);
    const p = model.pointers;
    if (p.rxWr < lastRx) rxWraps++;
    if (p.txWr < lastTx) txWraps++;
    lastRx = p.rxWr; lastTx = p.txWr;
  }
  assert.ok(rxBytes > 4 * 0x10000 && txBytes > 4 * 0x10000, rxBytes + ' / ' + txBytes);
  assert.ok(rxWraps >= 4 && txWraps >= 4, 'wraps ' + rxWraps + ' / ' + txWraps);
  assert.is(driver.counters.rxDropped, 0);
  assert.is(driver.counters.resyncs, 0);
  assert.equal(model.violations, []);
});

test('a length header split across the end of the 16 KB RX buffer: one read that wraps inside the buffer (§5.2)', () => {
  const { driver, peer, model } = makeRig();
  const buf = new Uint8Array(1514);
  // 10 x (2 + 1514) + (2 + 1221) = 16383: the next header starts on the last byte of the buffer.
  for (let i = 0; i < 11; i++) {
    const f = makeFrame(i < 10 ? 1514 : 1221, OUR_MAC, PEER_MAC, i);
    peer.send(f);
    assert.is(driver.receive(buf), f.length);
  }
  assert.is(model.pointers.rxWr, 16383);
  model.trace = [];
  const f = makeFrame(700, OUR_MAC, PEER_MAC, 99);
  peer.send(f);
  assert.is(driver.receive(buf), 700);
  assert.ok(sameBytes(buf, f, 700));
  const offs = model.trace.filter((t) => t[2] === 0x18).map((t) => ((t[0] << 8) | t[1]) + ':' + (t.length - 3));
  assert.equal(offs, ['16383:702'], 'the header\'s first byte at the last offset, the rest from offset 0, in one burst');
  assert.equal(model.violations, []);
});

test('a burst beyond 16 KB: the chip drops what does not fit, the rest arrives intact and in order, then traffic resumes', () => {
  const { driver, peer, model } = makeRig();
  const buf = new Uint8Array(1514);
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 30; i++) {
    const f = makeFrame(1000, OUR_MAC, PEER_MAC, i);
    f[14] = i;
    sent.push(f);
    peer.send(f);
  }
  const got: number[] = [];
  for (let k = 0; k < 100; k++) {
    const n = driver.receive(buf);
    if (n === 0) break;
    assert.ok(sameBytes(buf, sent[buf[14]], n), 'frame intact');
    got.push(buf[14]);
  }
  // 16384 / (1000 + 2) = 16 frames fit; the chip drops the rest silently (no MACRAW overflow flag).
  assert.equal(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  assert.is(model.stats.rxOverflowDrops, 14);
  for (let i = 0; i < 40; i++) {
    const f = makeFrame(500 + i, OUR_MAC, PEER_MAC, 1000 + i);
    peer.send(f);
    assert.is(driver.receive(buf), f.length);
    assert.ok(sameBytes(buf, f, f.length));
  }
  assert.equal(model.violations, []);
});

test('MAC filter: unicast for another host is dropped by the chip, broadcast is received; promiscuous takes both', () => {
  const { driver, peer, model } = makeRig();
  const buf = new Uint8Array(1514);
  peer.send(makeFrame(60, OTHER_MAC, PEER_MAC, 1));
  peer.send(makeFrame(61, BROADCAST, PEER_MAC, 2));
  assert.is(driver.receive(buf), 61);
  assert.is(driver.receive(buf), 0);
  assert.is(model.stats.rxFiltered, 1);
  const p = makeRig({}, { promiscuous: true });
  p.peer.send(makeFrame(60, OTHER_MAC, PEER_MAC, 1));
  assert.is(p.driver.receive(buf), 60);
});

test('a receive buffer too small skips the whole frame (counted) and the next frame is fine', () => {
  const { driver, peer } = makeRig();
  peer.send(makeFrame(1000, OUR_MAC, PEER_MAC, 1));
  const f = makeFrame(100, OUR_MAC, PEER_MAC, 2);
  peer.send(f);
  const small = new Uint8Array(512);
  assert.is(driver.receive(small), 0);
  assert.is(driver.counters.rxDropped, 1);
  assert.is(driver.receive(small), 100);
  assert.ok(sameBytes(small, f, 100));
});

test('frames outside 14..1514 are refused by send() and counted', () => {
  const { driver, peer } = makeRig();
  assert.is(driver.send(new Uint8Array(13)), false);
  assert.is(driver.send(new Uint8Array(1515)), false);
  assert.is(driver.counters.txErrors, 2);
  assert.is(peer.take(), null);
});

test.run();
