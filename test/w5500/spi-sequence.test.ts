// The bytes on the SPI bus for bring-up, transmit and receive, checked against the sequences of the
// W5500 fact sheet (docs/chips/w5500.md §2 examples, §7.1-§7.3). The expected frames below were
// written out by hand from the sheet: header = offset (2 bytes, MSB first) + control byte
// (BSB << 3 | RWB << 2 | OM=00), then data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { W5500Model } from '../../hal/sim/w5500-model';
import { W5500 } from '../../hal/drivers/w5500';
import { hex, makeFrame, OUR_MAC, PEER_MAC } from './helpers';
import { writeThrough } from '../../hal/sim/spi-write';

function rig(withIntLine = false) {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock);
  // Commands and the reset complete at once, so each poll loop shows exactly one poll.
  const model = new W5500Model({ clock, port: wire.a, cmdBusyReads: 0, resetBusyReads: 0 });
  const miso: Uint8Array[] = [];
  const transfer = (tx: Uint8Array) => { const r = model.spi.transfer(tx); miso.push(r); return r; };
  const spi = { transfer, write: writeThrough(transfer) };
  const driver = new W5500({ spi, clock, mac: OUR_MAC, intPin: withIntLine ? model.intPin : undefined });
  model.trace = [];
  return { clock, wire, model, driver, miso, trace: model.trace };
}

const zeros = (n: number): string => new Array(n).fill('00').join(' ');

/** The frames as hex, a read's data phase shown as zeros: the chip ignores MOSI there (§2), and the driver sends whatever its buffer held. */
function readsMasked(trace: Uint8Array[]): string[] {
  return trace.map((t) => (t[2] & 0x04) === 0 && t.length > 3 ? hex(t.subarray(0, 3)) + ' ' + zeros(t.length - 3) : hex(t));
}

test('bring-up follows §7.1 step by step', () => {
  const r = rig();
  r.driver.init();
  const expected = [
    '00 00 04 80',                // step 2: MR = 0x80 (§2 example "write 1 byte 0x80 to MR: 00 00 04 80")
    '00 00 00 00',                // step 2: poll MR until RST (bit 7) reads 0
    '00 39 00 00',                // step 3: read VERSIONR (§2 example "00 39 00 xx")
    '00 19 00 00 00',             // step 4: RTR presence check (2 bytes)
    '00 00 04 10',                // step 5: MR = 0x10 (PB)
    '00 09 04 02 55 00 00 00 01', // step 6: SHAR, first octet at 0x0009
    '00 1e 0c 10 10',             // step 7: socket 0 RXBUF_SIZE (0x1E) = 16, TXBUF_SIZE (0x1F) = 16; control 0x0C
    '00 1e 2c 00 00',             //         socket 1: BSB 00101 -> write control 0x2C; sizes 0
    '00 1e 4c 00 00',             //         socket 2: BSB 01001 -> 0x4C
    '00 1e 6c 00 00',             //         socket 3: BSB 01101 -> 0x6C
    '00 1e 8c 00 00',             //         socket 4: BSB 10001 -> 0x8C
    '00 1e ac 00 00',             //         socket 5: BSB 10101 -> 0xAC
    '00 1e cc 00 00',             //         socket 6: BSB 11001 -> 0xCC
    '00 1e ec 00 00',             //         socket 7: BSB 11101 -> 0xEC
    '00 18 04 00',                // step 9: SIMR = 0
    '00 00 0c 84',                // step 10: Sn_MR(0) = 0x84 (MACRAW + MFEN)
    '00 01 0c 01',                // step 11: Sn_CR(0) = OPEN (§2 example "00 01 0C cmd")
    '00 01 08 00',                //          poll Sn_CR(0) == 0
    '00 03 08 00',                //          check Sn_SR(0) == 0x42
    '00 2c 0c 14',                // step 12: Sn_IMR(0) = 0x14 (RECV | SEND_OK)
    '00 02 0c ff',                //          (ours) clear any stale Sn_IR flags: write 1 to clear (§4.3)
  ];
  assert.equal(r.trace.map(hex), expected);
  // MISO: 01 02 03 during the header (§2), then the data: VERSIONR reads 0x04, RTR 0x07D0, Sn_SR 0x42.
  assert.is(hex(r.miso[2]), '01 02 03 04');
  assert.is(hex(r.miso[3]), '01 02 03 07 d0');
  assert.is(hex(r.miso[18]), '01 02 03 42');
  assert.is(hex(r.miso[4]), '01 02 03 00', 'MISO during write data is 0x00');
});

test('transmit of one frame follows §7.2', () => {
  const r = rig();
  r.driver.init();
  r.trace.length = 0;
  const f = makeFrame(60, PEER_MAC, OUR_MAC, 1);
  assert.ok(r.driver.send(f));
  const expected = [
    '00 20 08 00 00',            // step 2: Sn_TX_FSR(0), read...
    '00 20 08 00 00',            //         ...until two reads agree (§5.4)
    '00 24 08 00 00',            // step 3: Sn_TX_WR(0) -> ptr (0 after OPEN)
    '00 00 14 ' + hex(f),        // step 4: frame into socket 0 TX buffer (control 0x14) at offset ptr
    '00 24 0c 00 3c',            // step 5: Sn_TX_WR(0) = ptr + 60, big-endian
    '00 01 0c 20',               // step 6: Sn_CR(0) = SEND
    '00 01 08 00',               //         poll until Sn_CR(0) == 0
    '00 02 08 00',               // step 7: Sn_IR(0) for SEND_OK (bit 4)...
    '00 02 0c 10',               //         ...then write 0x10 to clear it
  ];
  assert.equal(r.trace.map(hex), expected);
  assert.is(hex(r.miso[r.miso.length - 2]), '01 02 03 10', 'SEND_OK seen');
  assert.is(hex(r.miso[r.miso.length - 8]), '01 02 03 40 00', 'FSR = 16384: all 16 KB to socket 0');
});

test('a second frame reads neither Sn_TX_FSR nor Sn_TX_WR: after SEND_OK both are known (§5.3)', () => {
  const r = rig();
  r.driver.init();
  assert.ok(r.driver.send(makeFrame(60, PEER_MAC, OUR_MAC, 1)));
  r.trace.length = 0;
  const f = makeFrame(100, PEER_MAC, OUR_MAC, 2);
  assert.ok(r.driver.send(f));
  assert.equal(r.trace.map(hex), [
    '00 3c 14 ' + hex(f),        // step 4: at ptr = 60, where the first frame's Sn_TX_WR left it
    '00 24 0c 00 a0',            // step 5: Sn_TX_WR(0) = 60 + 100
    '00 01 0c 20',               // step 6: SEND
    '00 01 08 00',
    '00 02 08 00',               // step 7: SEND_OK...
    '00 02 0c 10',               //         ...cleared
  ]);
  assert.equal(r.model.violations, []);
  r.model.service();
  r.clock.advance(1);
  assert.is(r.wire.b.take()!.length, 60);
  assert.equal(Array.from(r.wire.b.take()!), Array.from(f), 'the second frame on the wire byte-exact');
});

test('receive of one frame follows §7.3, header and frame in one read', () => {
  const r = rig();
  r.driver.init();
  const f = makeFrame(64, OUR_MAC, PEER_MAC, 2);
  r.wire.b.send(f);
  r.trace.length = 0;
  r.miso.length = 0;
  const buf = new Uint8Array(1514);
  assert.is(r.driver.receive(buf), 64);
  const expected = [
    // step 1, clearing RECV, only with an INT line (next test): nothing else reads the flag
    '00 26 08 00 00',            // step 2: Sn_RX_RSR(0), read...
    '00 26 08 00 00',            //         ...until two reads agree
    '00 28 08 00 00',            // step 3: Sn_RX_RD(0) -> ptr (read once after OPEN)
    '00 00 18 ' + zeros(66),     // steps 4-5: the 2-byte header and the 64 bytes behind it, RSR = 66 bytes at ptr
    '00 28 0c 00 42',            // step 6: Sn_RX_RD(0) = ptr + header (0x42 = 66)
    '00 01 0c 40',               // step 7: Sn_CR(0) = RECV
    '00 01 08 00',               //         poll until 0
  ];
  assert.equal(readsMasked(r.trace), expected);
  assert.is(hex(r.miso[1]), '01 02 03 00 42', 'RSR = 66 = 2 + 64: the header counts itself (§6)');
  assert.is(hex(r.miso[3].subarray(0, 5)), '01 02 03 00 42', 'length header 0x0042');
  assert.equal(Array.from(buf.subarray(0, 64)), Array.from(f));
});

test('with an INT line RECV is cleared before the drain; Sn_RX_RD is not read again', () => {
  const r = rig(true);
  r.driver.init();
  const buf = new Uint8Array(1514);
  r.wire.b.send(makeFrame(64, OUR_MAC, PEER_MAC, 2));
  assert.is(r.driver.receive(buf), 64);
  const f = makeFrame(80, OUR_MAC, PEER_MAC, 3);
  r.wire.b.send(f);
  r.trace.length = 0;
  assert.is(r.driver.receive(buf), 80);
  assert.equal(readsMasked(r.trace), [
    '00 02 0c 04',               // step 1: clear RECV (write 0x04 to Sn_IR(0))
    '00 26 08 00 00',
    '00 26 08 00 00',
    '00 42 18 ' + zeros(82),     // at ptr = 66, where our last Sn_RX_RD write left it
    '00 28 0c 00 94',            // 66 + 82
    '00 01 0c 40',
    '00 01 08 00',
  ]);
  assert.equal(Array.from(buf.subarray(0, 80)), Array.from(f));
});

test('frames waiting together: one read and one RECV for all of them, each byte-exact', () => {
  const r = rig();
  r.driver.init();
  const frames = [makeFrame(60, OUR_MAC, PEER_MAC, 4), makeFrame(90, OUR_MAC, PEER_MAC, 5), makeFrame(60, OUR_MAC, PEER_MAC, 6)];
  for (const f of frames) r.wire.b.send(f);
  r.trace.length = 0;
  const buf = new Uint8Array(1514);
  for (const f of frames) {
    assert.is(r.driver.receive(buf), f.length);
    assert.equal(Array.from(buf.subarray(0, f.length)), Array.from(f));
  }
  const got = r.trace.map(hex);
  assert.is(got.length, 7, got.join('\n'));
  assert.is(got[3].slice(0, 9), '00 00 18 ', 'one read from ptr 0...');
  assert.is(r.trace[3].length, 3 + 62 + 92 + 62, '...of all three with their headers');
  assert.is(got[4], '00 28 0c 00 d8', 'Sn_RX_RD past all three (216)');
  assert.is(got[5], '00 01 0c 40', 'one RECV');
  assert.is(r.driver.receive(buf), 0);
  assert.equal(r.model.violations, []);
});

test('a poll with nothing waiting is one read of Sn_RX_RSR', () => {
  const r = rig();
  r.driver.init();
  r.trace.length = 0;
  assert.is(r.driver.receive(new Uint8Array(1514)), 0);
  assert.equal(r.trace.map(hex), ['00 26 08 00 00']);
});

test.run();
