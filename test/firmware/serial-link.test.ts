// The serial frame link (hal/espruino/serial-frame-device.ts) and its relay's framing
// (tools/serial-tap-relay.ts): records  A5 5A LEN FRAME 5A A5  on a byte stream, cut out whatever the
// chunking, with garbage, oversize and truncated records skipped (counted) and the stream resynchronised;
// a bounded receive queue; the configuration and the build profile of link 'serial'.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { SerialFrameDevice, SerialLike } from '../../hal/espruino/serial-frame-device';
import { encodeFrame, FrameDecoder, parseSerialRelayArgs } from '../../tools/serial-tap-relay';
import { boardConfig } from '../../firmware/boards';
import { validateConfig, resolveConfig, BoardConfig, DEFAULTS, SerialLinkConfig } from '../../firmware/config';
import { profileOf } from '../../tools/build/profile';
import { SeededRandom } from '../../hal/sim/random';

const ROOT = path.join(__dirname, '..', '..');

/** A fake Espruino Serial: records setup, hands 'data' to the device as latin1 strings, keeps what is written. */
class FakeSerial implements SerialLike {
  baud = 0;
  path = '';
  handler: ((d: string) => void) | null = null;
  written: Buffer[] = [];
  setup(baud: number, o: { path: string }): void { this.baud = baud; this.path = o.path; }
  on(event: string, fn: (d: string) => void): void { if (event === 'data') this.handler = fn; }
  write(...items: Array<string | Uint8Array>): void {
    for (const it of items) this.written.push(typeof it === 'string' ? Buffer.from(it, 'latin1') : Buffer.from(it)); // copies
  }
  removeAllListeners(event: string): void { if (event === 'data') this.handler = null; }
  feed(b: Buffer): void { this.handler!(b.toString('latin1')); }
}

const rnd = new SeededRandom(7);
const randInt = (lo: number, hi: number): number => lo + (rnd.nextU32() % (hi - lo + 1));

/** A frame of `len` bytes; `noMagic` keeps 0xA5 out of it (so it cannot hide a header). */
function frameOf(len: number, seed: number, noMagic = false): Buffer {
  const f = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    let v = (i * 31 + seed * 17 + (i >> 8)) & 255;
    if (noMagic && v === 0xa5) v = 0xa4;
    f[i] = v;
  }
  return f;
}

function open(slots = 8): { dev: SerialFrameDevice; ser: FakeSerial; kicks: () => number } {
  const ser = new FakeSerial();
  const dev = new SerialFrameDevice({ mac: new Uint8Array([2, 0, 0, 0, 0, 7]), path: '/dev/pts/99', baud: 115200, slots, serial: ser });
  let k = 0;
  dev.onInterrupt(() => k++);
  return { dev, ser, kicks: () => k };
}

function drain(dev: SerialFrameDevice): Buffer[] {
  const out: Buffer[] = [];
  const buf = new Uint8Array(1514);
  for (let n = dev.receive(buf); n > 0; n = dev.receive(buf)) out.push(Buffer.from(buf.subarray(0, n)));
  return out;
}

/** Feeds `stream` in chunks of random sizes 1..max. */
function feedChunked(ser: FakeSerial, stream: Buffer, max: number): void {
  for (let off = 0; off < stream.length;) {
    const n = Math.min(randInt(1, max), stream.length - off);
    ser.feed(stream.subarray(off, off + n));
    off += n;
  }
}

test('the port is set up with the configured path and rate; a frame goes out as one record', () => {
  const { dev, ser } = open();
  assert.is(ser.baud, 115200);
  assert.is(ser.path, '/dev/pts/99');
  const f = frameOf(60, 1);
  assert.ok(dev.send(new Uint8Array(f)));
  assert.equal(Buffer.concat(ser.written), encodeFrame(f));
  const big = frameOf(1514, 2);
  ser.written = [];
  assert.ok(dev.send(new Uint8Array(big)));
  const rec = Buffer.concat(ser.written);
  assert.equal([...rec.subarray(0, 4)], [0xa5, 0x5a, 1514 >> 8, 1514 & 255]);
  assert.equal([...rec.subarray(rec.length - 2)], [0x5a, 0xa5]);
  assert.not.ok(dev.send(new Uint8Array(13)), 'runt refused');
  assert.not.ok(dev.send(new Uint8Array(1515)), 'oversize refused');
  assert.is(dev.counters.txFrames, 2);
  assert.is(dev.counters.txErrors, 2);
  dev.close();
  assert.is(ser.handler, null, 'close removes the data listener');
});

test('records split across chunks and joined in one chunk arrive whole and in order', () => {
  const lens = [14, 60, 1514, 590, 1514, 42, 1000, 1514, 15, 1513];
  const frames = lens.map((n, i) => frameOf(n, i));
  const stream = Buffer.concat(frames.map(encodeFrame));
  for (const max of [1, 3, 32, 512, 4000]) {
    const { dev, ser, kicks } = open(16);
    feedChunked(ser, stream, max);
    const got = drain(dev);
    assert.is(got.length, frames.length, 'all frames with chunks up to ' + max);
    for (let i = 0; i < frames.length; i++) assert.ok(got[i].equals(frames[i]), 'frame ' + i + ' byte-exact (chunks up to ' + max + ')');
    assert.is(dev.counters.rxFrames, frames.length);
    assert.is(dev.counters.rxDropped, 0);
    assert.is(dev.counters.resyncs, 0);
    assert.ok(kicks() >= 1);
  }
  // Everything at once: one interrupt for the lot.
  const { dev, ser, kicks } = open(16);
  ser.feed(stream);
  assert.is(kicks(), 1);
  assert.is(drain(dev).length, frames.length);
});

test('garbage before and between records is skipped and counted; the records survive', () => {
  const { dev, ser } = open(16);
  const a = frameOf(100, 1);
  const b = frameOf(1514, 2);
  const c = frameOf(60, 3);
  const stream = Buffer.concat([
    Buffer.from('junk at start\r\n\x00\xff', 'latin1'), encodeFrame(a),
    Buffer.from([0xa5, 0x00, 0x5a, 0xa5]), encodeFrame(b), // a lone A5 that is no header
    Buffer.from([0xa5]), encodeFrame(c), // an A5 right before a header
  ]);
  feedChunked(ser, stream, 7);
  const got = drain(dev);
  assert.is(got.length, 3);
  assert.ok(got[0].equals(a) && got[1].equals(b) && got[2].equals(c), 'byte-exact');
  assert.ok(dev.counters.resyncs >= 3, 'skips counted: ' + dev.counters.resyncs);
  assert.is(dev.counters.rxDropped, 0, 'no record was bad');
  // Garbage without any header leaves at most one byte behind, and the next record still arrives.
  ser.feed(Buffer.alloc(5000, 0x11));
  ser.feed(Buffer.from([0x22, 0xa5]));
  ser.feed(encodeFrame(c).subarray(1)); // the record's first A5 came with the garbage
  const more = drain(dev);
  assert.is(more.length, 1);
  assert.ok(more[0].equals(c));
});

test('an oversize or runt record is dropped and counted; the stream resynchronises at the next record', () => {
  const { dev, ser } = open(16);
  const big = frameOf(3000, 4, true);
  const oversize = Buffer.concat([Buffer.from([0xa5, 0x5a, 3000 >> 8, 3000 & 255]), big, Buffer.from([0x5a, 0xa5])]);
  const runt = Buffer.concat([Buffer.from([0xa5, 0x5a, 0, 5]), Buffer.alloc(5, 1), Buffer.from([0x5a, 0xa5])]);
  const good = frameOf(1514, 5);
  const good2 = frameOf(64, 6);
  feedChunked(ser, Buffer.concat([oversize, encodeFrame(good), runt, encodeFrame(good2)]), 100);
  const got = drain(dev);
  assert.is(got.length, 2);
  assert.ok(got[0].equals(good) && got[1].equals(good2));
  assert.is(dev.counters.rxDropped, 2, 'the oversize and the runt record');
  assert.ok(dev.counters.resyncs >= 2);
});

test('a truncated record (bytes lost) is dropped by its trailer; the next record arrives whole', () => {
  const { dev, ser } = open(16);
  const a = frameOf(1514, 7, true);
  const b = frameOf(1514, 8);
  const c = frameOf(200, 9);
  const ra = encodeFrame(a);
  const cut = Buffer.concat([ra.subarray(0, 700), ra.subarray(800)]); // 100 bytes lost in the middle
  feedChunked(ser, Buffer.concat([cut, encodeFrame(b), encodeFrame(c)]), 32);
  const got = drain(dev);
  assert.is(got.length, 2, 'the two whole records');
  assert.ok(got[0].equals(b) && got[1].equals(c), 'byte-exact');
  assert.is(dev.counters.rxDropped, 1, 'the truncated record');
  assert.ok(dev.counters.resyncs >= 1);
});

test('the receive queue is bounded: frames past it are dropped and counted', () => {
  const { dev, ser } = open(4);
  const frames = [0, 1, 2, 3, 4, 5].map((i) => frameOf(100 + i, i));
  ser.feed(Buffer.concat(frames.map(encodeFrame)));
  const got = drain(dev);
  assert.equal(got.map((f) => f.length), [100, 101, 102, 103], 'the first four, in order');
  assert.is(dev.counters.rxDropped, 2);
  assert.is(dev.counters.rxFrames, 4);
  dev.close();
  assert.is(dev.receive(new Uint8Array(1514)), 0, 'close empties the queue');
});

test('the relay decodes what the device writes, and skips what the device skips', () => {
  const { dev, ser } = open();
  const frames = [14, 1514, 77, 1514].map((n, i) => frameOf(n, 20 + i));
  for (const f of frames) dev.send(new Uint8Array(f));
  const stream = Buffer.concat(ser.written);
  const got: Buffer[] = [];
  const dec = new FrameDecoder((f) => got.push(f));
  dec.push(Buffer.from('garbage', 'latin1'));
  for (let off = 0; off < stream.length; off += 33) dec.push(Buffer.from(stream.subarray(off, off + 33)));
  const oversize = Buffer.concat([Buffer.from([0xa5, 0x5a, 0x10, 0x00]), Buffer.alloc(4096, 1), Buffer.from([0x5a, 0xa5])]);
  dec.push(oversize);
  const ra = encodeFrame(frameOf(500, 30, true));
  dec.push(Buffer.concat([ra.subarray(0, 200), ra.subarray(260)])); // truncated
  // The loss shows once the length's worth of bytes is there (inside the next records); those records
  // are then found by the resynchronisation, not lost.
  dec.push(encodeFrame(frames[0]));
  assert.is(got.length, frames.length, 'the truncated record waits for its length in bytes');
  dec.push(encodeFrame(frames[1]));
  assert.is(got.length, frames.length + 2);
  for (let i = 0; i < frames.length; i++) assert.ok(got[i].equals(frames[i]), 'frame ' + i);
  assert.ok(got[frames.length].equals(frames[0]) && got[frames.length + 1].equals(frames[1]), 'the records after the bad ones');
  assert.is(dec.counters.frames, frames.length + 2);
  assert.is(dec.counters.dropped, 2, 'oversize + truncated');
  assert.ok(dec.counters.resyncs >= 3);
});

test('configuration: link "serial" needs an absolute path and a standard rate, and may run NetworkJS', () => {
  const linux = boardConfig('linux') as BoardConfig;
  const c = (serial: Partial<SerialLinkConfig>, networkJs = true): BoardConfig =>
    Object.assign({}, linux, { link: 'serial', serial: Object.assign({}, DEFAULTS.serial, serial),
      apps: Object.assign({}, linux.apps, { networkJs }) }) as BoardConfig;
  assert.equal(validateConfig(c({ path: '/tmp/x/pty' })), []);
  assert.equal(validateConfig(c({ path: '/tmp/x/pty', baud: 4000000, frames: 64 }, false)), []);
  assert.match(validateConfig(c({})).join('; '), /serial\.path must be an absolute path/);
  assert.match(validateConfig(c({ path: 'pty' })).join('; '), /serial\.path/);
  assert.match(validateConfig(c({ path: '/p', baud: 12345 })).join('; '), /serial\.baud must be one of/);
  assert.match(validateConfig(c({ path: '/p', frames: 0 })).join('; '), /serial\.frames must be 1\.\.64/);
  // The dgram link still refuses NetworkJS.
  const dg = Object.assign({}, linux, { apps: Object.assign({}, linux.apps, { networkJs: true }) }) as BoardConfig;
  assert.match(validateConfig(dg).join('; '), /apps\.networkJs cannot run over the dgram link/);
  // A preset resolves the serial defaults only when it uses the link (other boards' bundles do not carry them).
  assert.is(linux.serial, undefined);
  const r = resolveConfig({ name: 'x', description: 'x', chip: 'w5500', link: 'serial', serial: { path: '/dev/pts/3' } });
  assert.equal(r.serial, { path: '/dev/pts/3', baud: 115200, frames: 8 });
  assert.equal(validateConfig(Object.assign({}, r, { serial: undefined })).filter((m) => /serial/.test(m)).length, 3, 'link serial without its settings');
  assert.throws(() => parseSerialRelayArgs(['--tap', 'x']), /--path/);
  assert.equal(parseSerialRelayArgs(['--tap', 'x', '--path', '/tmp/p']), { tap: 'x', path: '/tmp/p' });
});

test('build profile: the serial link is built in only for link "serial", and then no chip driver or dgram link', () => {
  const linux = boardConfig('linux') as BoardConfig;
  const serial = Object.assign({}, linux, { link: 'serial', serial: Object.assign({}, DEFAULTS.serial, { path: '/tmp/p' }),
    apps: Object.assign({}, linux.apps, { networkJs: true }) });
  const out = profileOf(ROOT, serial, validateConfig).leftOut;
  assert.not.ok(out.includes('hal/espruino/serial-frame-device'));
  for (const id of ['hal/espruino/dgram-frame-device', 'hal/drivers/w5500', 'hal/drivers/enc28j60']) assert.ok(out.includes(id), id + ' left out');
  for (const name of ['linux', 'wifi', 'pico']) {
    assert.ok(profileOf(ROOT, boardConfig(name), validateConfig).leftOut.includes('hal/espruino/serial-frame-device'), name);
  }
  const Off = require(path.join(ROOT, 'hal/espruino/serial-frame-device.off')).SerialFrameDevice; // eslint-disable-line @typescript-eslint/no-var-requires
  assert.throws(() => new Off({}), /not in this firmware build/);
});

test.run();
