// The data path's pieces, timed inside the real interpreter (bench/espruino-micro.ts builds this entry
// into a bundle and runs it in espruino-linux): each piece 300 times, µs per call, printed as
// "M name µs". An empty loop iteration and an empty call are timed first, as the units.
import { internetChecksum, pseudoHeaderSum, setNativeWordSum } from '../../tcp/wire/checksum';
import { emitTcp, parseTcp } from '../../tcp/wire/tcp';
import { newTcpRepr } from '../../tcp/wire/reprs';
import { emitIpv4Header, newIpv4Repr, parseIpv4Header } from '../../tcp/wire/ipv4';
import { ByteRing } from '../../tcp/tcp/ring';
declare const E: any;
declare function getTime(): number;
declare function print(...a: any[]): void;
setNativeWordSum(function (w: Uint16Array): number { return E.sum(w); });
const REPS = 300;
function time(name: string, fn: () => void): void {
  const t0 = getTime();
  for (let i = 0; i < REPS; i++) fn();
  const us = (getTime() - t0) / REPS * 1e6;
  print('M ' + name + ' ' + us.toFixed(1) + ' us');
}
const t0 = getTime(); for (let i = 0; i < 20000; i++) { /* empty */ } print('M emptyloop ' + ((getTime() - t0) / 20000 * 1e6).toFixed(2) + ' us');
const buf = new Uint8Array(1514);
for (let i = 0; i < 1514; i++) buf[i] = i & 255;
time('noop call', function () { /* */ });
time('checksum 1480', function () { internetChecksum(buf, 34, 1480, pseudoHeaderSum(1, 2, 6, 1480)); });
time('checksum 20', function () { internetChecksum(buf, 14, 20); });
time('E.sum u16 740', function () { E.sum(new Uint16Array(buf.buffer, 34, 740)); });
time('new Uint16Array view', function () { new Uint16Array(buf.buffer, 34, 740); });
const r = newTcpRepr();
r.srcPort = 80; r.dstPort = 5000; r.seq = 12345; r.ack = 6789; r.flags = 0x18; r.window = 8192; r.payloadLength = 1460;
time('emitTcp 1460', function () { emitTcp(r, buf, 34, 0x0a000002, 0x0a000001); });
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
print('M done');
