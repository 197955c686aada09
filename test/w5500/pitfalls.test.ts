// Each pitfall of the W5500 fact sheet (docs/chips/w5500.md §10, plus §2, §4.3, §5.2) shown with
// a deliberately wrong "naive driver" written inline here: the model must visibly misbehave or record
// the violation. These drivers are wrong on purpose; hal/drivers/w5500.ts is the right one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpiDevice } from '../../hal/interfaces';
import { makeRig, makeFrame, OUR_MAC, PEER_MAC, BROADCAST } from './helpers';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { W5500Model, W5500ModelOptions } from '../../hal/sim/w5500-model';
import { W5500 } from '../../hal/drivers/w5500';

/** Raw register access for the naive drivers: one SPI frame per call, VDM. */
class Raw {
  constructor(private readonly spi: SpiDevice) {}
  read(ctl: number, addr: number, n: number): Uint8Array {
    const tx = new Uint8Array(3 + n);
    tx[0] = addr >> 8; tx[1] = addr & 0xff; tx[2] = ctl;
    return this.spi.transfer(tx).subarray(3);
  }
  r8(ctl: number, addr: number): number { return this.read(ctl, addr, 1)[0]; }
  r16(ctl: number, addr: number): number { const b = this.read(ctl, addr, 2); return (b[0] << 8) | b[1]; }
  write(ctl: number, addr: number, data: ArrayLike<number>): void {
    const tx = new Uint8Array(3 + data.length);
    tx[0] = addr >> 8; tx[1] = addr & 0xff; tx[2] = ctl;
    tx.set(data as ArrayLike<number>, 3);
    this.spi.transfer(tx);
  }
  w8(ctl: number, addr: number, v: number): void { this.write(ctl, addr, [v]); }
  w16(ctl: number, addr: number, v: number): void { this.write(ctl, addr, [(v >> 8) & 0xff, v & 0xff]); }
  /** Command with the poll the naive drivers at least get right (unless a test says otherwise). */
  cmd(c: number): void { this.w8(0x0c, 0x0001, c); for (let i = 0; i < 10 && this.r8(0x08, 0x0001); i++) { /* poll */ } }
}

function bare(opts: Partial<W5500ModelOptions> = {}) {
  const clock = new VirtualClock(100);
  const wire = new VirtualWire(clock);
  const model = new W5500Model(Object.assign({ clock, port: wire.a }, opts));
  return { clock, wire, model, raw: new Raw(model.spi), peer: wire.b };
}

/** A driver-initialised chip, then raw access for the naive part. */
function ready(opts: Partial<W5500ModelOptions> = {}) {
  const r = makeRig(opts);
  return Object.assign(r, { raw: new Raw(r.model.spi) });
}

const has = (violations: string[], text: string): boolean => violations.some((v) => v.indexOf(text) >= 0);

test('§2: MISO carries 01 02 03 during the header; a driver taking byte 2 as data reads 0x03 for VERSIONR', () => {
  const { model } = bare();
  const rx = model.spi.transfer(new Uint8Array([0x00, 0x39, 0x00, 0x00]));
  assert.is(rx[2], 0x03, 'naive: wrong byte');
  assert.is(rx[3], 0x04, 'the data byte');
});

test('§10.1: a command written while Sn_CR has not cleared is lost (the socket never opens)', () => {
  const { raw, model } = bare();
  raw.w8(0x0c, 0x0000, 0x04);   // Sn_MR = MACRAW
  raw.w8(0x0c, 0x0001, 0x10);   // CLOSE ...
  raw.w8(0x0c, 0x0001, 0x01);   // ... OPEN stacked without polling Sn_CR
  assert.ok(has(model.violations, 'still pending'));
  assert.is(raw.r8(0x08, 0x0003), 0x00, 'Sn_SR not SOCK_MACRAW');
});

test('§10.2: reading Sn_RX_RSR once under a torn read gives a value that is no frame boundary', () => {
  const { raw, model, peer } = ready();
  peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 1));              // RSR = 102 = 0x0066
  model.faults.tornRsrFrame = makeFrame(200, OUR_MAC, PEER_MAC, 2); // lands between the bytes: RSR -> 0x0130
  const rsr = raw.r16(0x08, 0x0026);                             // read once: high 0x00 (before), low 0x30 (after)
  assert.is(rsr, 0x0030);
  assert.ok(rsr !== 0x0066 && rsr !== 0x0130, 'torn');
  // Naive batch driver: consume `rsr` bytes, advance Sn_RX_RD by it, RECV.
  const ptr = raw.r16(0x08, 0x0028);
  raw.read(0x18, ptr, rsr);
  raw.w16(0x0c, 0x0028, (ptr + rsr) & 0xffff);
  raw.cmd(0x40);
  assert.ok(has(model.violations, 'not on a frame boundary'));
  // A second read (the rule) gives the settled value.
  assert.is(raw.r16(0x08, 0x0026), 0x0130 - 0x30);
});

test('§10.3: forgetting RECV frees nothing: RSR never drops, the driver reads the same bytes again, the chip overflows', () => {
  const { raw, model, peer } = ready();
  for (let i = 0; i < 20; i++) {
    peer.send(makeFrame(1000, OUR_MAC, PEER_MAC, i));
    const rsr = raw.r16(0x08, 0x0026);
    if (rsr === 0) continue;
    const ptr = raw.r16(0x08, 0x0028);
    const hdr = raw.r16(0x18, ptr);
    raw.read(0x18, (ptr + 2) & 0xffff, Math.max(1, Math.min(1514, hdr - 2)));
    raw.w16(0x0c, 0x0028, (ptr + hdr) & 0xffff); // ... and no RECV
  }
  assert.ok(has(model.violations, 'without RECV'));
  assert.ok(model.stats.rxOverflowDrops > 0, 'RX memory never freed');
});

test('§10.4: advancing Sn_RX_RD by header + 2 (forgetting the header counts itself) is caught at RECV', () => {
  const { raw, model, peer } = ready();
  peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 1));
  peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 2));
  raw.r16(0x08, 0x0026);
  const ptr = raw.r16(0x08, 0x0028);
  const hdr = raw.r16(0x18, ptr);
  assert.is(hdr, 102);
  raw.w16(0x0c, 0x0028, (ptr + hdr + 2) & 0xffff);
  raw.cmd(0x40);
  assert.ok(has(model.violations, 'not on a frame boundary'));
});

test('§10.5: a second SEND before SEND_OK of the first is caught', () => {
  const { raw, model, clock } = ready({ sendTimeMs: 0.2 });
  const send = (len: number): void => {
    const ptr = raw.r16(0x08, 0x0024);
    raw.write(0x14, ptr, makeFrame(len, PEER_MAC, OUR_MAC, len));
    raw.w16(0x0c, 0x0024, (ptr + len) & 0xffff);
    raw.cmd(0x20);
  };
  send(100);
  send(200); // no wait for SEND_OK
  assert.ok(has(model.violations, 'SEND before the previous SEND_OK'));
  // Waiting and clearing is clean:
  model.violations.length = 0;
  clock.advance(1);
  model.service();
  raw.w8(0x0c, 0x0002, 0x10);
  clock.advance(1);
  model.service();
  raw.w8(0x0c, 0x0002, 0x10);
  send(300);
  assert.equal(model.violations, []);
});

test('§10.6: socket 0 = 16 KB with sockets 1..7 left at 2 KB is over-subscribed; resizing an open socket is caught', () => {
  const { raw, model } = bare();
  raw.write(0x0c, 0x001e, [16, 16]); // socket 0 only (as Mongoose does)
  raw.w8(0x0c, 0x0000, 0x84);
  raw.cmd(0x01);
  assert.ok(has(model.violations, '> 16 KB'));
  raw.write(0x0c, 0x001e, [8, 8]);
  assert.ok(has(model.violations, 'changed while open'));
});

test('§10.7: there is no link interrupt: a flap leaves INTn and IR alone, only PHYCFGR.LNK tells', () => {
  const { raw, model } = ready();
  raw.w8(0x04, 0x0016, 0xf0); // IMR: every common interrupt enabled
  raw.w8(0x04, 0x0018, 0x01); // SIMR
  let edges = 0;
  model.intPin.watchFalling(() => { edges++; });
  model.setLink(false);
  model.service();
  assert.is(edges, 0);
  assert.ok(model.intPin.read());
  assert.is(raw.r8(0x00, 0x0015), 0, 'IR');
  assert.is(raw.r8(0x00, 0x002e) & 1, 0, 'LNK = 0');
  model.setLink(true);
  assert.is(raw.r8(0x00, 0x002e) & 1, 1, 'LNK = 1');
  assert.is(edges, 0);
});

test('§10.8: PHYCFGR.RST written 0 and never 1 again leaves the link down for good', () => {
  const { raw, clock } = bare({ phyNegotiateMs: 50 });
  assert.is(raw.r8(0x00, 0x002e) & 1, 1, 'link up at start');
  raw.w8(0x04, 0x002e, 0x78); // RST = 0 ... and nothing more
  clock.advance(10000);
  assert.is(raw.r8(0x00, 0x002e) & 1, 0, 'still down');
  raw.w8(0x04, 0x002e, 0xf8); // RST = 1: negotiation runs
  assert.is(raw.r8(0x00, 0x002e) & 1, 0);
  clock.advance(50);
  assert.is(raw.r8(0x00, 0x002e), 0xff, 'RST, OPMD, OPMDC=111, full duplex, 100M, link');
});

test('§10.9: VERSIONR can read 0 just after reset: one read says "no chip", the driver\'s bounded poll succeeds', () => {
  const { raw } = bare({ versionZeroReads: 3 });
  raw.w8(0x04, 0x0000, 0x80);
  assert.is(raw.r8(0x00, 0x0039), 0x00, 'naive single read');
  const r = makeRig({ versionZeroReads: 3 });
  assert.ok(r.model.socketStatus === 0x42);
});

test('§10.10: after a silent chip reset a driver that never checks Sn_SR sends into a closed socket', () => {
  const { raw, model, peer } = ready();
  model.powerGlitch();
  const ptr = raw.r16(0x08, 0x0024);
  raw.write(0x14, ptr, makeFrame(100, PEER_MAC, OUR_MAC, 1));
  raw.w16(0x0c, 0x0024, (ptr + 100) & 0xffff);
  raw.cmd(0x20);
  assert.ok(has(model.violations, 'not open'));
  assert.is(peer.take(), null);
  peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 2));
  assert.is(raw.r16(0x08, 0x0026), 0, 'nothing is received either');
  assert.is(model.stats.rxClosedDrops, 1);
});

test('§10.11: with SIPR set the on-chip stack answers ARP for it; our driver leaves SIPR 0.0.0.0 and sets PB', () => {
  const { raw, model, peer } = ready();
  assert.is(model.peekCommon(0x0000), 0x10, 'MR.PB');
  for (let i = 0; i < 4; i++) assert.is(model.peekCommon(0x000f + i), 0);
  const arp = new Uint8Array(60);
  arp.set(BROADCAST, 0); arp.set(PEER_MAC, 6); arp[12] = 0x08; arp[13] = 0x06;
  arp.set([0, 1, 8, 0, 6, 4, 0, 1], 14); arp.set(PEER_MAC, 22); arp.set([192, 0, 2, 9], 28); arp.set([192, 0, 2, 1], 38);
  peer.send(arp);
  model.service();
  assert.is(peer.take(), null, 'no answer from the chip');
  raw.write(0x04, 0x000f, [192, 0, 2, 1]); // naive: configures the chip's own IP
  peer.send(arp);
  model.service();
  const reply = peer.take();
  assert.ok(reply && reply[21] === 2, 'the chip answered by itself');
  assert.ok(has(model.violations, 'SIPR'));
});

test('§10.12: trusting a corrupted length header moves Sn_RX_RD past Sn_RX_WR', () => {
  const { raw, model, peer } = ready();
  model.faults.corruptNextHeader = 0x2000;
  peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 1));
  raw.r16(0x08, 0x0026);
  const ptr = raw.r16(0x08, 0x0028);
  const hdr = raw.r16(0x18, ptr);
  assert.is(hdr, 0x2000);
  raw.w16(0x0c, 0x0028, (ptr + hdr) & 0xffff);
  raw.cmd(0x40);
  assert.ok(has(model.violations, 'past Sn_RX_WR'));
});

test('§10.13: a frame larger than 1514 bytes in MACRAW is caught and not sent', () => {
  const { raw, model, peer } = ready();
  raw.write(0x14, 0, new Uint8Array(1600));
  raw.w16(0x0c, 0x0024, 1600);
  raw.cmd(0x20);
  assert.ok(has(model.violations, 'SEND of 1600 bytes'));
  assert.is(peer.take(), null);
});

test('§10.14: reading the length header little-endian gives nonsense that runs past Sn_RX_WR', () => {
  const { raw, model, peer } = ready();
  peer.send(makeFrame(100, OUR_MAC, PEER_MAC, 1));
  raw.r16(0x08, 0x0026);
  const ptr = raw.r16(0x08, 0x0028);
  const b = raw.read(0x18, ptr, 2);
  const hdrLE = b[0] | (b[1] << 8);
  assert.is(hdrLE, 0x6600);
  raw.w16(0x0c, 0x0028, (ptr + hdrLE) & 0xffff);
  raw.cmd(0x40);
  assert.ok(has(model.violations, 'past Sn_RX_WR'));
});

test('§10.15 / §2: FDM frames decode back to back in one transfer, and one lost byte desynchronises all that follow', () => {
  const { model } = bare();
  // Write MR = 0x10 (FDM 1 byte, control 0x05), then read VERSIONR (FDM 1 byte, control 0x01).
  const rx = model.spi.transfer(new Uint8Array([0x00, 0x00, 0x05, 0x10, 0x00, 0x39, 0x01, 0x00]));
  assert.is(rx[7], 0x04);
  assert.is(model.peekCommon(0x0000), 0x10);
  const bad = model.spi.transfer(new Uint8Array([0x00, 0x05, 0x10, 0x00, 0x39, 0x01, 0x00, 0x00])); // first byte lost
  assert.ok(bad[7] !== 0x04, 'no resynchronisation in FDM');
});

test('§4.3: with Sn_IMR masking SEND_OK the flag never shows (datasheet reading); the lenient switch shows it', () => {
  for (const lenientImr of [false, true]) {
    const { raw, model } = ready({ lenientImr });
    raw.w8(0x0c, 0x002c, 0x04); // naive: RECV only
    raw.write(0x14, 0, makeFrame(60, PEER_MAC, OUR_MAC, 1));
    raw.w16(0x0c, 0x0024, 60);
    raw.cmd(0x20);
    let seen = false;
    for (let i = 0; i < 20 && !seen; i++) seen = (raw.r8(0x08, 0x0002) & 0x10) !== 0;
    assert.is(seen, lenientImr);
    assert.equal(model.violations, []);
  }
});

test('§5.2: raw 16-bit offsets map mod the socket size and a burst wraps inside the socket region', () => {
  const { raw, model } = bare();
  const data = new Uint8Array(32);
  for (let i = 0; i < 32; i++) data[i] = i + 1;
  // Default 2 KB per socket: socket 1's TX buffer (BSB 00110, write control 0x34) from offset 0xF7F0.
  raw.write(0x34, 0xf7f0, data); // 0xF7F0 mod 2048 = 0x7F0: 16 bytes to the end, 16 wrap to its start
  assert.equal(Array.from(raw.read(0x30, 0x07f0, 16)), Array.from(data.subarray(0, 16)));
  assert.equal(Array.from(raw.read(0x30, 0x0800, 16)), Array.from(data.subarray(16)), 'offset 0x800 = start again');
  assert.equal(Array.from(raw.read(0x50, 0x0000, 16)), new Array(16).fill(0), 'socket 2 region untouched');
  assert.equal(model.violations, []);
});

test('§2.1: reserved block selects read 0 and are logged', () => {
  const { raw, model } = bare();
  assert.is(raw.r8(0x20, 0x0000), 0); // BSB 00100
  raw.w8(0x24, 0x0000, 0x55);
  assert.is(model.violations.length, 2);
});

test('§7.1: an RSTn pulse shorter than 500 µs, or access before the PLL has locked, is caught', () => {
  const { model, clock, raw } = bare();
  model.resetPin.write(false);
  clock.advance(0.1);
  model.resetPin.write(true);
  raw.r8(0x00, 0x0039);
  assert.ok(has(model.violations, 'held low'));
  assert.ok(has(model.violations, 'PLL'));
  // The driver's reset timing is clean.
  const r = makeRig();
  r.driver.init();
  assert.equal(r.model.violations, []);
});

test('the driver itself passes every check above under traffic (no violation)', () => {
  const r = makeRig({ sendTimeMs: 0 });
  const d = new W5500({ spi: r.model.spi, clock: r.clock, mac: OUR_MAC, promiscuous: false });
  d.init();
  const buf = new Uint8Array(1514);
  for (let i = 0; i < 100; i++) {
    r.peer.send(makeFrame(60 + i * 13, OUR_MAC, PEER_MAC, i));
    assert.is(d.receive(buf), 60 + i * 13);
    assert.ok(d.send(makeFrame(14 + i * 15, PEER_MAC, OUR_MAC, i)));
    r.peer.take();
  }
  assert.equal(r.model.violations, []);
});

test.run();
