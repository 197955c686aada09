// The data path's pieces, timed inside the real interpreter (bench/espruino-micro.ts builds this entry
// into a bundle and runs it in espruino-linux): each piece 300 times, µs per call, printed as
// "M name µs". An empty loop iteration and an empty call are timed first, as the units.
import { internetChecksum, pseudoHeaderSum, setNativeWordSum } from '../../tcp/wire/checksum';
import { emitTcp, parseTcp } from '../../tcp/wire/tcp';
import { newTcpRepr } from '../../tcp/wire/reprs';
import { emitIpv4Header, newIpv4Repr, parseIpv4Header } from '../../tcp/wire/ipv4';
import { ByteRing } from '../../tcp/tcp/ring';
import { readU16, readU32, writeU16, writeU32 } from '../../tcp/wire/bytes';
declare const E: any;
declare function getTime(): number;
declare function print(...a: any[]): void;
setNativeWordSum(function (w: Uint16Array): number { return E.sum(w); });
// Each piece in BATCHES batches of REPS calls; the fastest batch counts (the machine may be busy).
const REPS = 100;
const BATCHES = 7;
function time(name: string, fn: () => void): void {
  let best = Infinity;
  for (let b = 0; b < BATCHES; b++) {
    const t0 = getTime();
    for (let i = 0; i < REPS; i++) fn();
    const t = getTime() - t0;
    if (t < best) best = t;
  }
  print('M ' + name + ' ' + (best / REPS * 1e6).toFixed(1) + ' us');
}
let loopBest = Infinity;
for (let b = 0; b < BATCHES; b++) {
  const t0 = getTime(); for (let i = 0; i < 5000; i++) { /* empty */ }
  const t = getTime() - t0;
  if (t < loopBest) loopBest = t;
}
print('M emptyloop ' + (loopBest / 5000 * 1e6).toFixed(2) + ' us');
const buf = new Uint8Array(1514);
for (let i = 0; i < 1514; i++) buf[i] = i & 255;
time('noop call', function () { /* */ });
time('checksum 1480', function () { internetChecksum(buf, 34, 1480, pseudoHeaderSum(1, 2, 6, 1480)); });
time('checksum 20', function () { internetChecksum(buf, 14, 20); });
time('E.sum u16 740', function () { E.sum(new Uint16Array(buf.buffer, 34, 740)); });
time('new Uint16Array view', function () { new Uint16Array(buf.buffer, 34, 740); });
const r = newTcpRepr();
r.srcPort = 80; r.dstPort = 5000; r.seq = 12345; r.ack = 6789; r.flags = 0x18; r.window = 8192; r.payloadLength = 1460;
const view = new DataView(buf.buffer);
time('emitTcp 1460', function () { emitTcp(r, buf, 34, 0x0a000002, 0x0a000001, view); });
const ip = newIpv4Repr();
ip.src = 0x0a000002; ip.dst = 0x0a000001; ip.protocol = 6; ip.payloadLength = 1480;
time('emitIpv4Header', function () { emitIpv4Header(ip, buf, 14); });
const len = emitTcp(r, buf, 34, 0x0a000002, 0x0a000001);
const rr = newTcpRepr();
time('parseTcp 1480', function () { parseTcp(buf, 34, len, 0x0a000002, 0x0a000001, rr); });
emitIpv4Header(ip, buf, 14);
const ir = newIpv4Repr();
time('parseIpv4Header', function () { parseIpv4Header(buf, 14, 1500, ir); });
const ring = new ByteRing(8192);
const block = new Uint8Array(1024);
time('ring write 1024 + consume', function () { ring.write(block); ring.consume(1024); });
ring.write(block); ring.write(block);
time('ring copyOut 1460', function () { ring.copyOut(0, 1460, buf, 54); });
time('subarray(1000) + set', function () { buf.set(block.subarray(0, 1000), 54); });
// Header fields: through the helpers, as single byte writes, or through a DataView (native).
const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
time('fields: writeU32 x2 + writeU16 x3', function () {
  writeU32(buf, 38, 123456789); writeU32(buf, 42, 987654321); writeU16(buf, 48, 8192); writeU16(buf, 16, 1500); writeU16(buf, 18, 77);
});
time('fields: DataView x5', function () {
  dv.setUint32(38, 123456789); dv.setUint32(42, 987654321); dv.setUint16(48, 8192); dv.setUint16(16, 1500); dv.setUint16(18, 77);
});
time('fields: readU32 x2 + readU16 x2', function () {
  readU32(buf, 38); readU32(buf, 42); readU16(buf, 48); readU16(buf, 34);
});
time('fields: DataView get x4', function () {
  dv.getUint32(38); dv.getUint32(42); dv.getUint16(48); dv.getUint16(34);
});
// Espruino 2v29 compares typed arrays (and ArrayBuffers) by content: === on the same 1,514-byte array.
const same = buf;
time('Uint8Array(1514) === itself', function () { return buf === same; });
print('M done');
