// The model on its own, driven through raw SPI: reset values, pointer rules, latches, PHY, filter, INT.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { Raw } from './raw';
import { makeRig, makeFrame, drain, CHIP_MAC } from './rig';

function fresh(): { model: Enc28j60Model; raw: Raw; clock: VirtualClock; wire: VirtualWire } {
  const clock = new VirtualClock(0);
  const wire = new VirtualWire(clock);
  const model = new Enc28j60Model({ clock, port: wire.a });
  clock.advance(1);
  return { model, raw: new Raw(model.spi), clock, wire };
}

test('reset values the drivers depend on (§3)', () => {
  const { raw } = fresh();
  assert.is(raw.rcr(0, 0x1e), 0x80, 'ECON2 AUTOINC');
  assert.is(raw.rcr(1, 0x18), 0xa1, 'ERXFCON');
  assert.is(raw.rcr(0, 0x0a) | (raw.rcr(0, 0x0b) << 8), 0x1fff, 'ERXND');
  assert.is(raw.rcr(0, 0x08) | (raw.rcr(0, 0x09) << 8), 0x05fa, 'ERXST');
  assert.is(raw.rcrMac(2, 0x0a) | (raw.rcrMac(2, 0x0b) << 8), 0x0600, 'MAMXFL');
  assert.is(raw.rcrMac(2, 0x08), 0x0f, 'MACLCON1');
  assert.is(raw.rcrMac(2, 0x09), 0x37, 'MACLCON2');
  assert.is(raw.rcr(3, 0x15), 0x04, 'ECOCON');
  assert.is(raw.rcr(3, 0x12), 0x06, 'EREVID B7');
  assert.is(raw.phyRead(0x02), 0x0083, 'PHID1');
  assert.is(raw.phyRead(0x03), 0x1400, 'PHID2');
  assert.is(raw.phyRead(0x14), 0x3422, 'PHLCON');
  assert.is(raw.rcr(0, 0x1a), 0, 'unimplemented address reads 0');
});

test('ERDPT wraps ERXND → ERXST on RBM; EWRPT wraps 0x1FFF → 0x0000 on WBM (§2.1)', () => {
  const { raw, model } = fresh();
  raw.wcr(0, 0x08, 0x00); raw.wcr(0, 0x09, 0x00); // ERXST 0
  raw.wcr(0, 0x0a, 0xff); raw.wcr(0, 0x0b, 0x0f); // ERXND 0x0FFF
  raw.wcr(0, 0x02, 0xfe); raw.wcr(0, 0x03, 0x1f); // EWRPT 0x1FFE
  raw.wbm(new Uint8Array([1, 2, 3, 4]));
  assert.equal(Array.from(model.mem.subarray(0x1ffe)), [1, 2]);
  assert.equal(Array.from(model.mem.subarray(0, 2)), [3, 4]);
  model.mem[0x0ffe] = 9; model.mem[0x0fff] = 8;
  raw.wcr(0, 0x00, 0xfe); raw.wcr(0, 0x01, 0x0f); // ERDPT 0x0FFE
  assert.equal(Array.from(raw.rbm(4)), [9, 8, 3, 4], 'wrapped from ERXND to ERXST');
  raw.wcr(0, 0x00, 0xff); raw.wcr(0, 0x01, 0x1f); // ERDPT 0x1FFF (outside the ring)
  model.mem[0x1fff] = 7;
  assert.equal(Array.from(raw.rbm(2)), [7, 3]);
});

test('ERXRDPT low byte is buffered until the high byte is written (§3.2)', () => {
  const { raw, model } = fresh();
  raw.wcr(0, 0x0d, 0x01); // high first: commits the old latch (0xFA) with high 0x01
  raw.wcr(0, 0x0c, 0x23); // low: buffered only
  assert.is(model.rxPointers().rd, 0x01fa);
  raw.wcr(0, 0x0d, 0x04);
  assert.is(model.rxPointers().rd, 0x0423);
});

test('PHY: LLSTAT latches a link loss until read; PHIR read clears LINKIF; INT follows EIE/EIR', () => {
  const { raw, model } = fresh();
  raw.phyWrite(0x12, 0x0012); // PHIE
  raw.wcr(0, 0x1b, 0x90);     // EIE INTIE | LINKIE
  assert.ok(model.intPin.read(), 'INT high');
  model.setLink(false);
  model.setLink(true);
  assert.not.ok(model.intPin.read(), 'INT low after a link change');
  assert.ok(raw.rcr(0, 0x1c) & 0x10, 'LINKIF');
  assert.ok(raw.rcr(0, 0x1d) & 0x80, 'ESTAT.INT');
  assert.is(raw.phyRead(0x01) & 0x04, 0, 'LLSTAT latched low');
  assert.is(raw.phyRead(0x01) & 0x04, 0x04, 'and re-armed by the read');
  assert.ok(raw.phyRead(0x11) & 0x0400, 'LSTAT up');
  assert.is(raw.phyRead(0x13) & 0x14, 0x14, 'PHIR PLNKIF|PGIF');
  assert.is(raw.rcr(0, 0x1c) & 0x10, 0, 'LINKIF cleared by the PHIR read');
  assert.ok(model.intPin.read(), 'INT released');
});

test('MII BUSY is visible right after a read command; MIRD read while busy is recorded (§5.1)', () => {
  const { raw, model } = fresh();
  raw.wcr(2, 0x14, 0x02);
  raw.wcr(2, 0x12, 0x01);
  raw.x(0x18, 0, 0); // RCR MIRDL at once, bank 2 still selected
  assert.ok(model.violations.some((v) => v.includes('MIRD read while MISTAT.BUSY')));
  assert.is(raw.rcrMac(3, 0x0a) & 1, 0, 'done a transaction later');
  raw.wcr(2, 0x12, 0x00);
  assert.is(raw.rcrMac(2, 0x18) | (raw.rcrMac(2, 0x19) << 8), 0x0083, 'PHID1 via MIRD');
});

test('receive filter (§4.8): unicast to another MAC and multicast dropped, broadcast kept; MCEN/promiscuous', () => {
  const rig = makeRig();
  const other = new Uint8Array([0x02, 0, 0, 0, 0, 0x99]);
  const mcast = new Uint8Array([0x01, 0x00, 0x5e, 0, 0, 1]);
  const bcast = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  rig.wire.b.send(makeFrame(rig.rnd, 64, other));
  rig.wire.b.send(makeFrame(rig.rnd, 64, mcast));
  rig.wire.b.send(makeFrame(rig.rnd, 64, bcast));
  rig.wire.b.send(makeFrame(rig.rnd, 64, CHIP_MAC));
  assert.is(drain(rig.drv).length, 2);
  assert.is(rig.model.stats.rxFiltered, 2);
  const m = makeRig({ driver: { multicast: true } });
  m.wire.b.send(makeFrame(m.rnd, 64, mcast));
  m.wire.b.send(makeFrame(m.rnd, 64, other));
  assert.is(drain(m.drv).length, 1, 'MCEN accepts multicast');
});

test('stored packet: next pointer, RSV byte count incl. CRC, received-OK bit, FCS, even alignment (§7)', () => {
  const rig = makeRig();
  const f = makeFrame(rig.rnd, 61); // odd: 6 + 65 = 71 → pad → next packet at 72
  rig.wire.b.send(f);
  rig.model.service();
  const mem = rig.model.mem;
  assert.is(mem[0] | (mem[1] << 8), 72);
  assert.is(mem[2] | (mem[3] << 8), 65);
  assert.ok(mem[4] & 0x80, 'received OK');
  assert.ok(mem[4] & 0x40, 'type field > 1500: length out of range');
  assert.equal(Array.from(mem.subarray(6, 6 + 61)), Array.from(f));
  assert.is(rig.model.rxPointers().wr, 72);
  assert.is(rig.model.rxPointers().count, 1);
});

test.run();
