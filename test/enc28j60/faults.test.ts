import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, makeFrame, drain, peerFrames, sameBytes, PEER_MAC, CHIP_MAC } from './rig';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { Enc28j60 } from '../../hal/drivers/enc28j60';
import { SpiDevice } from '../../hal/interfaces';
import { Rig } from './rig';
import { writeThrough } from '../../hal/sim/spi-write';

/** Sends `n` frames from the peer, drains, and checks they all arrived in order, byte-exact. */
function lossless(rig: Rig, n: number): void {
  const sent: Uint8Array[] = [];
  const got: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const f = makeFrame(rig.rnd, 14 + rig.rnd.nextInt(1501));
    sent.push(f);
    rig.wire.b.send(f);
    if (i % 3 === 2) for (const g of drain(rig.drv)) got.push(g);
  }
  for (const g of drain(rig.drv)) got.push(g);
  assert.is(got.length, n, 'frames received');
  for (let i = 0; i < n; i++) if (!sameBytes(got[i], sent[i])) assert.unreachable('frame ' + i + ' differs');
  const out = makeFrame(rig.rnd, 300, PEER_MAC, CHIP_MAC);
  assert.ok(rig.drv.send(out), 'send works');
  const seen = peerFrames(rig);
  assert.ok(seen.length === 1 && sameBytes(seen[0], out), 'sent frame on the wire');
}

test('a burst past the ring size overflows: the chip drops with RXERIF, the driver counts it and recovers', () => {
  const rig = makeRig();
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 20; i++) {
    const f = makeFrame(rig.rnd, 1514);
    sent.push(f);
    rig.wire.b.send(f);
  }
  rig.model.service();
  assert.ok(rig.model.stats.rxDroppedFull > 0, 'chip dropped frames');
  assert.ok(rig.model.reg(0, 0x1c) & 0x01, 'RXERIF set');
  const got = drain(rig.drv);
  assert.is(got.length, rig.model.stats.rxAccepted);
  assert.is(got.length + rig.model.stats.rxDroppedFull, 20);
  for (let i = 0; i < got.length; i++) assert.ok(sameBytes(got[i], sent[i]), 'the first frames, intact');
  for (let i = 0; i < 40; i++) rig.drv.receive(new Uint8Array(1514)); // idle polls reach a health check
  assert.ok(rig.drv.stats.rxOverflows >= 1, 'overflow counted');
  assert.is(rig.model.reg(0, 0x1c) & 0x01, 0, 'RXERIF acknowledged');
  lossless(rig, 200);
  assert.equal(rig.model.violations, []);
});

test('EPKTCNT saturates at 255: further small frames are dropped with RXERIF, the rest read intact', () => {
  const rig = makeRig();
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 270; i++) {
    const f = makeFrame(rig.rnd, 14);
    sent.push(f);
    rig.wire.b.send(f);
  }
  rig.model.service();
  assert.is(rig.model.rxPointers().count, 255);
  assert.is(rig.model.stats.rxDroppedCount, 15);
  const got = drain(rig.drv);
  assert.is(got.length, 255);
  for (let i = 0; i < 255; i++) assert.ok(sameBytes(got[i], sent[i]));
  lossless(rig, 50);
});

test('link flap: linkUp follows PHSTAT2.LSTAT, frames on a dead cable are lost, traffic resumes', () => {
  const rig = makeRig();
  assert.ok(rig.drv.linkUp());
  rig.model.setLink(false);
  rig.clock.advance(500);
  assert.not.ok(rig.drv.linkUp());
  rig.wire.b.send(makeFrame(rig.rnd, 100));
  assert.is(drain(rig.drv).length, 0);
  assert.is(rig.model.stats.rxLinkDown, 1);
  rig.model.setLink(true);
  rig.clock.advance(500);
  assert.ok(rig.drv.linkUp());
  assert.ok(rig.drv.stats.linkChanges >= 2);
  lossless(rig, 30);
});

test('link change raises INT (PHIE → LINKIF): the interrupt path refreshes the link at once', () => {
  const rig = makeRig({ usePins: true });
  let calls = 0;
  rig.drv.onInterrupt(() => { calls++; });
  rig.model.setLink(false);
  assert.ok(calls >= 1, 'interrupt seen');
  assert.not.ok(rig.drv.linkUp(), 'link down without waiting for the poll interval');
  assert.is(rig.model.reg(0, 0x1c) & 0x10, 0, 'LINKIF cleared by reading PHIR');
  rig.model.setLink(true);
  assert.ok(rig.drv.linkUp());
});

test('interrupt-driven receive: each INT edge drains the frames waiting', () => {
  const rig = makeRig({ usePins: true });
  const buf = new Uint8Array(1514);
  const got: Uint8Array[] = [];
  rig.drv.onInterrupt(() => {
    for (let i = 0; i < 300; i++) {
      const n = rig.drv.receive(buf);
      if (!n) break;
      got.push(new Uint8Array(buf.subarray(0, n)));
    }
  });
  const sent: Uint8Array[] = [];
  for (let round = 0; round < 100; round++) {
    const k = 1 + rig.rnd.nextInt(3);
    for (let i = 0; i < k; i++) {
      const f = makeFrame(rig.rnd, 14 + rig.rnd.nextInt(1501));
      sent.push(f);
      rig.wire.b.send(f);
    }
    rig.model.service(); // frames land in the ring; INT falls
  }
  assert.is(got.length, sent.length);
  for (let i = 0; i < sent.length; i++) assert.ok(sameBytes(got[i], sent[i]));
  assert.is(rig.model.intPin.read(), true, 'INT released');
  assert.equal(rig.model.violations, []);
});

test('overflow with the INT pin: RXERIF raises INT, the handler counts and clears it, frames still drain', () => {
  const rig = makeRig({ usePins: true });
  let edges = 0;
  rig.drv.onInterrupt(() => { edges++; }); // a handler that only schedules work
  for (let i = 0; i < 12; i++) rig.wire.b.send(makeFrame(rig.rnd, 1514));
  rig.model.service();
  assert.ok(edges >= 1);
  assert.ok(rig.drv.stats.rxOverflows >= 1, 'RXERIF counted in the interrupt handler');
  assert.is(rig.model.reg(0, 0x1c) & 0x01, 0, 'RXERIF cleared');
  assert.is(drain(rig.drv).length, rig.model.stats.rxAccepted);
  lossless(rig, 30);
  assert.equal(rig.model.violations, []);
});

test('pin reset at init: the driver polls CLKRDY after the pin reset', () => {
  const rig = makeRig({ usePins: true });
  assert.ok(rig.drv.linkUp());
  assert.equal(rig.model.violations, []);
  lossless(rig, 20);
});

test('brown-out while idle: the health check notices the reset chip and re-initialises', () => {
  const rig = makeRig();
  lossless(rig, 10);
  rig.model.powerGlitch();
  rig.clock.advance(5);
  for (let i = 0; i < 40; i++) rig.drv.receive(new Uint8Array(1514));
  assert.is(rig.drv.stats.reinits, 1);
  lossless(rig, 100);
});

test('chip reset in the middle of receiving: the driver resynchronises and no frame is corrupted after', () => {
  const clock = new VirtualClock(0);
  const wire = new VirtualWire(clock, {}, 100000);
  const model = new Enc28j60Model({ clock, port: wire.a });
  let count = 0;
  let glitchAt = -1;
  const transfer = (tx: Uint8Array): Uint8Array => {
    count++;
    if (count === glitchAt) model.powerGlitch();
    return model.spi.transfer(tx);
  };
  const spi: SpiDevice = { transfer, write: writeThrough(transfer) };
  const drv = new Enc28j60({ spi, clock, mac: CHIP_MAC });
  drv.init();
  const rig: Rig = { clock, wire, model, drv, rnd: makeRig({ init: false }).rnd };
  for (let i = 0; i < 5; i++) wire.b.send(makeFrame(rig.rnd, 600));
  glitchAt = count + 9; // lands inside the second packet's reads
  const got = drain(drv);
  assert.ok(got.length <= 5);
  assert.ok(drv.counters.resyncs >= 1, 'resync counted');
  clock.advance(5);
  lossless(rig, 100);
});

test('absent chip: MISO stuck high or low gives a clear error from init()', () => {
  for (const level of ['high', 'low'] as const) {
    const rig = makeRig({ init: false });
    rig.model.faults.misoStuck = level;
    assert.throws(() => rig.drv.init(), level === 'high' ? /ENC28J60 not found: EREVID read 0xFF/ : /ENC28J60 not found: EREVID read 0x00/);
  }
});

test('chip vanishing at run time: receive returns 0, send returns false, nothing throws; recovery when back', () => {
  const rig = makeRig();
  rig.model.faults.misoStuck = 'high';
  const buf = new Uint8Array(1514);
  for (let i = 0; i < 50; i++) assert.is(rig.drv.receive(buf), 0);
  assert.not.ok(rig.drv.send(makeFrame(rig.rnd, 60, PEER_MAC)));
  assert.ok(rig.drv.counters.txErrors >= 1);
  const reinits = rig.drv.stats.reinits;
  for (let i = 0; i < 50; i++) rig.drv.receive(buf);
  assert.ok(rig.drv.stats.reinits - reinits <= 1, 'no re-init storm while the chip is gone');
  rig.model.faults.misoStuck = null;
  rig.clock.advance(1000);
  for (let i = 0; i < 40; i++) rig.drv.receive(buf);
  assert.ok(rig.drv.stats.reinits >= 1);
  lossless(rig, 50);
});

test('corrupted SPI bytes: no throw, no hang, bad headers resync; clean traffic is lossless afterwards', () => {
  const rig = makeRig();
  rig.model.faults.corruptSpiEvery = 13;
  const buf = new Uint8Array(1514);
  let got = 0;
  for (let i = 0; i < 1500; i++) {
    rig.wire.b.send(makeFrame(rig.rnd, 14 + rig.rnd.nextInt(1501)));
    if (i % 2) for (let k = 0; k < 4; k++) if (rig.drv.receive(buf)) got++;
    if (i % 5 === 0) rig.drv.send(makeFrame(rig.rnd, 100, PEER_MAC));
  }
  assert.ok(rig.model.stats.spiCorrupted > 100);
  assert.ok(got > 500, 'most frames still came through (' + got + ')');
  assert.ok(rig.drv.counters.resyncs + rig.drv.counters.rxDropped > 0, 'some corruption was detected');
  rig.model.faults.corruptSpiEvery = 0;
  drain(rig.drv);
  peerFrames(rig);
  for (let i = 0; i < 40; i++) rig.drv.receive(buf);
  lossless(rig, 200);
});

test('late collisions (errata 13): the driver reads the TSV and retransmits, up to 16 attempts', () => {
  const rig = makeRig();
  rig.model.faults.lateCollisions = 3;
  const f = makeFrame(rig.rnd, 200, PEER_MAC);
  assert.ok(rig.drv.send(f));
  const seen = peerFrames(rig);
  assert.is(seen.length, 1);
  assert.ok(sameBytes(seen[0], f));
  assert.is(rig.drv.stats.lateCollisions, 3);
  rig.model.faults.lateCollisions = 16;
  assert.not.ok(rig.drv.send(f), 'gives up after 16 attempts');
  assert.is(rig.drv.counters.txErrors, 1);
  assert.is(peerFrames(rig).length, 0);
  assert.ok(rig.drv.send(f), 'the next frame goes out (TXRST pulse clears the errata 12 stall)');
  assert.is(peerFrames(rig).length, 1);
  assert.equal(rig.model.violations, []);
});

test('excessive collisions are not retried: one attempt, counted as a TX error', () => {
  const rig = makeRig();
  rig.model.faults.excessiveCollisions = 1;
  assert.not.ok(rig.drv.send(makeFrame(rig.rnd, 100, PEER_MAC)));
  assert.is(rig.model.stats.txAborted, 1);
  assert.is(rig.drv.counters.txErrors, 1);
  assert.ok(rig.drv.send(makeFrame(rig.rnd, 100, PEER_MAC)));
});

test.run();
