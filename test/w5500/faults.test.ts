// The W5500 driver under the model's fault switches: link flap, brown-out (silent chip reset), absent
// chip, corrupted SPI bytes, lost SEND_OK, corrupted length header, torn RSR reads, interrupt-driven use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, makeFrame, sameBytes, OUR_MAC, PEER_MAC, Rig } from './helpers';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { W5500Model } from '../../hal/sim/w5500-model';
import { W5500 } from '../../hal/drivers/w5500';
import { writeThrough } from '../../hal/sim/spi-write';

const buf = new Uint8Array(1514);

/** Moves `count` frames each way and asserts every one arrives byte-exact. */
function exchange(r: Rig, count: number, seed: number): void {
  for (let i = 0; i < count; i++) {
    const a = makeFrame(60 + ((seed + i * 37) % 1400), OUR_MAC, PEER_MAC, seed + i);
    r.peer.send(a);
    const n = r.driver.receive(buf);
    assert.is(n, a.length, 'rx ' + i);
    assert.ok(sameBytes(buf, a, n), 'rx bytes ' + i);
    const b = makeFrame(14 + ((seed + i * 53) % 1500), PEER_MAC, OUR_MAC, seed + 5000 + i);
    assert.ok(r.driver.send(b), 'tx ' + i);
    const got = r.peer.take();
    assert.ok(got && sameBytes(got, b, b.length), 'tx bytes ' + i);
  }
}

test('link flap: PHYCFGR.LNK follows the cable, frames during the outage are lost, traffic resumes', () => {
  const r = makeRig();
  assert.ok(r.driver.linkUp());
  r.model.setLink(false);
  assert.is(r.driver.linkUp(), false);
  r.peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 1));
  assert.is(r.driver.receive(buf), 0);
  assert.is(r.model.stats.rxLinkDownDrops, 1);
  r.driver.send(makeFrame(100, PEER_MAC, OUR_MAC, 2));
  assert.is(r.peer.take(), null);
  r.model.setLink(true);
  assert.ok(r.driver.linkUp());
  exchange(r, 20, 10);
  assert.equal(r.model.violations, []);
});

test('silent chip reset (brown-out) is found by the periodic Sn_SR check; the driver re-initialises', () => {
  const r = makeRig();
  exchange(r, 5, 1);
  r.model.powerGlitch();
  assert.is(r.model.socketStatus, 0x00);
  r.clock.advance(1001); // past healthCheckMs
  assert.is(r.driver.receive(buf), 0);
  assert.is(r.driver.counters.resyncs, 1);
  assert.is(r.model.socketStatus, 0x42);
  exchange(r, 20, 2); // unicast reaches us again: SHAR was restored before OPEN (§9)
  assert.equal(r.model.violations, []);
});

test('a chip reset between transfers in the middle of traffic: SEND_OK never comes, the driver recovers', () => {
  const r = makeRig();
  exchange(r, 3, 1);
  r.model.faults.glitchAfterTransfers = 3; // lands inside send(): after the FSR reads
  assert.is(r.driver.send(makeFrame(200, PEER_MAC, OUR_MAC, 9)), false);
  assert.is(r.driver.counters.txErrors, 1);
  assert.ok(r.driver.counters.resyncs >= 1);
  exchange(r, 20, 3);
});

test('brown-out in the middle of receive transfers, at many points: the driver always recovers', () => {
  for (let at = 1; at <= 12; at++) {
    const r = makeRig();
    exchange(r, 2, at);
    r.peer.send(makeFrame(300, OUR_MAC, PEER_MAC, 1));
    r.peer.send(makeFrame(400, OUR_MAC, PEER_MAC, 2));
    r.model.faults.glitchAfterTransfers = at;
    for (let k = 0; k < 6; k++) r.driver.receive(buf);
    r.clock.advance(1001); // the health check finds Sn_SR(0) != SOCK_MACRAW
    r.driver.receive(buf);
    assert.is(r.model.stats.brownOuts, 1, 'glitch at ' + at);
    assert.is(r.model.socketStatus, 0x42, 'reopened, glitch at ' + at);
    exchange(r, 10, 100 + at);
  }
});

test('slow commands and a slow software reset are polled through; a command that never clears is bounded', () => {
  const slow = makeRig({ cmdBusyReads: 7, resetBusyReads: 9 });
  exchange(slow, 10, 3);
  assert.equal(slow.model.violations, []);
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock);
  const model = new W5500Model({ clock, port: wire.a, cmdBusyReads: 1e9 });
  const d = new W5500({ spi: model.spi, clock, mac: OUR_MAC });
  assert.throws(() => d.init(), /did not open/);
});

test('a hardware reset pulse restarts the chip: init() brings it up again', () => {
  const r = makeRig();
  exchange(r, 2, 1);
  r.driver.init();
  exchange(r, 5, 2);
  assert.equal(r.model.violations, []);
});

test('absent chip: MISO stuck high or low gives a clear error from init()', () => {
  for (const level of ['high', 'low'] as const) {
    const clock = new VirtualClock();
    const wire = new VirtualWire(clock);
    const model = new W5500Model({ clock, port: wire.a });
    model.faults.misoStuck = level;
    const d = new W5500({ spi: model.spi, clock, mac: OUR_MAC });
    const t0 = clock.nowMs();
    assert.throws(() => d.init(), level === 'high' ? /W5500 not found: VERSIONR read 0xFF/ : /W5500 not found: VERSIONR read 0x00/);
    assert.ok(clock.nowMs() - t0 < 1000, 'bounded');
    assert.is(d.receive(buf), 0);
    assert.is(d.send(makeFrame(60, PEER_MAC, OUR_MAC, 1)), false);
  }
});

test('garbage on MISO with the right VERSIONR byte is caught by the RTR presence check', () => {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock);
  const model = new W5500Model({ clock, port: wire.a });
  const transfer = (tx: Uint8Array) => { const r = model.spi.transfer(tx); if (tx[1] === 0x19) r[3] ^= 0x40; return r; };
  const spi = { transfer, write: writeThrough(transfer) };
  const d = new W5500({ spi, clock, mac: OUR_MAC });
  assert.throws(() => d.init(), /W5500 answers garbage: RTR/);
});

test('corrupted SPI bytes: the driver never throws, resyncs as needed, and is byte-exact once the line is clean', () => {
  const r = makeRig();
  r.model.faults.corruptSpiEvery = 7;
  let received = 0;
  for (let i = 0; i < 300; i++) {
    r.peer.send(makeFrame(60 + (i * 13) % 1400, OUR_MAC, PEER_MAC, i));
    for (let k = 0; k < 3; k++) if (r.driver.receive(buf) > 0) received++;
    r.driver.send(makeFrame(60 + (i * 7) % 1400, PEER_MAC, OUR_MAC, i));
    while (r.peer.take()) { /* drain */ }
    r.driver.linkUp();
  }
  assert.ok(r.model.stats.spiCorrupted > 100, 'corruption happened');
  assert.ok(received > 100, 'most frames still arrive: ' + received);
  r.model.faults.corruptSpiEvery = 0;
  r.clock.advance(2000);
  for (let k = 0; k < 50 && r.driver.receive(buf) > 0; k++) { /* drain what is left */ }
  exchange(r, 30, 500);
});

test('lost SEND_OK: bounded wait, counted, socket re-opened, next frames go out', () => {
  const r = makeRig();
  r.model.faults.loseSendOk = 1;
  const t0 = r.clock.nowMs();
  assert.is(r.driver.send(makeFrame(100, PEER_MAC, OUR_MAC, 1)), false);
  assert.ok(r.clock.nowMs() - t0 < 100);
  assert.is(r.driver.counters.txErrors, 1);
  assert.is(r.driver.counters.resyncs, 1);
  r.peer.take(); // the frame itself did go out
  exchange(r, 10, 4);
  assert.equal(r.model.violations, []);
});

test('SEND_OK that takes virtual time is waited for (count and clock bound)', () => {
  const r = makeRig({ sendTimeMs: 0.1 });
  // The virtual clock does not move by itself: the poll count bounds the wait and the send fails...
  assert.is(r.driver.send(makeFrame(100, PEER_MAC, OUR_MAC, 1)), false);
  // ...while a clock that advances with each SPI transfer (as real time does) lets it complete.
  const spi = r.model.spi;
  const tick = (tx: Uint8Array) => { r.clock.advance(0.01); return spi.transfer(tx); };
  const ticking = { transfer: tick, write: writeThrough(tick) };
  const d = new W5500({ spi: ticking, clock: r.clock, mac: OUR_MAC });
  d.init();
  for (let i = 0; i < 20; i++) assert.ok(d.send(makeFrame(100 + i, PEER_MAC, OUR_MAC, i)));
  assert.equal(r.model.violations.filter((v) => v.indexOf('SEND before') >= 0), []);
});

test('corrupted length header: no trust, resync (CLOSE/OPEN), counted, then frames flow again', () => {
  for (const bad of [0xffff, 0x0005, 1517, 0]) {
    const r = makeRig();
    r.model.faults.corruptNextHeader = bad;
    r.peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 1));
    assert.is(r.driver.receive(buf), 0);
    assert.is(r.driver.counters.resyncs, 1, 'header ' + bad);
    assert.is(r.driver.counters.rxDropped, 1);
    exchange(r, 10, 7);
    assert.equal(r.model.violations, [], 'header ' + bad);
  }
});

test('a corrupted length header behind good frames in the same read: the good ones arrive, then resync', () => {
  for (const bad of [0xffff, 0x0005, 1517, 0]) {
    const r = makeRig();
    const a = makeFrame(100, OUR_MAC, PEER_MAC, 1);
    const b = makeFrame(120, OUR_MAC, PEER_MAC, 2);
    r.peer.send(a);
    r.peer.send(b);
    r.model.service(); // a and b stored in RX memory first
    r.model.faults.corruptNextHeader = bad;
    r.peer.send(makeFrame(90, OUR_MAC, PEER_MAC, 3));
    r.model.service();
    r.model.trace = [];
    assert.is(r.driver.receive(buf), a.length, 'header ' + bad);
    assert.ok(sameBytes(buf, a, a.length));
    assert.is(r.driver.receive(buf), b.length);
    assert.ok(sameBytes(buf, b, b.length));
    assert.is(r.model.trace.filter((t) => t[2] === 0x18).length, 1, 'all three came in one read');
    r.model.trace = null;
    assert.is(r.driver.receive(buf), 0);
    assert.is(r.driver.counters.resyncs, 1, 'header ' + bad);
    assert.is(r.driver.counters.rxFrames, 2);
    exchange(r, 10, 7);
    assert.equal(r.model.violations, [], 'header ' + bad);
  }
});

test('torn Sn_RX_RSR reads: reading until two reads agree never loses or splits a frame', () => {
  const r = makeRig();
  for (let i = 0; i < 50; i++) {
    const a = makeFrame(200 + i * 7, OUR_MAC, PEER_MAC, i);
    const b = makeFrame(300 + i * 11, OUR_MAC, PEER_MAC, 1000 + i);
    r.peer.send(a);
    r.model.faults.tornRsrFrame = b; // lands between the two bytes of the next RSR read
    assert.is(r.driver.receive(buf), a.length);
    assert.ok(sameBytes(buf, a, a.length));
    assert.is(r.model.faults.tornRsrFrame, null, 'the tear happened');
    assert.is(r.driver.receive(buf), b.length);
    assert.ok(sameBytes(buf, b, b.length));
    assert.is(r.driver.receive(buf), 0);
  }
  assert.equal(r.model.violations, []);
});

test('interrupt-driven: INTn falls when a frame lands; draining in the callback releases it', () => {
  const r = makeRig();
  let edges = 0;
  const got: number[] = [];
  const stop = r.driver.onInterrupt(() => { edges++; });
  assert.ok(r.model.intPin.read(), 'INTn idle high');
  r.peer.send(makeFrame(120, OUR_MAC, PEER_MAC, 1));
  r.peer.send(makeFrame(130, OUR_MAC, PEER_MAC, 2));
  r.model.service(); // the chip takes the frames off the wire
  assert.is(edges, 1);
  assert.is(r.model.intPin.read(), false);
  for (let n = r.driver.receive(buf); n > 0; n = r.driver.receive(buf)) got.push(n);
  assert.equal(got, [120, 130]);
  assert.ok(r.model.intPin.read(), 'INTn released after draining');
  // SEND_OK pulls INTn low until the driver clears it inside send(): one spurious edge, pin released.
  r.driver.send(makeFrame(60, PEER_MAC, OUR_MAC, 3));
  assert.ok(r.model.intPin.read());
  edges = 1;
  r.peer.send(makeFrame(140, OUR_MAC, PEER_MAC, 4));
  r.model.service();
  assert.is(edges, 2);
  stop();
  r.driver.receive(buf);
  r.peer.send(makeFrame(150, OUR_MAC, PEER_MAC, 5));
  r.model.service();
  assert.is(edges, 2, 'stopped watching');
});

test.run();
