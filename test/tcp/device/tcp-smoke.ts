// A device bundle entry for the ES5/Espruino gate: two Tcp instances joined by an in-memory link
// (with one lost segment) open a connection, move 20 KB each way, close, and print SMOKE lines.
// Built and run under Duktape by test/tcp/es5-gate.test.ts; runnable on Espruino's Linux build too.
import { Tcp } from '../../../tcp/tcp/tcp';
import { TcpSocket } from '../../../tcp/tcp/socket';
import { IpSender } from '../../../tcp/iface/transport';
import { RandomSource } from '../../../tcp/ports';

declare const print: (s: string) => void;

let checks = 0;
let failures = 0;
function check(name: string, ok: boolean, detail: string): void {
  checks++;
  if (ok) print('SMOKE ok ' + name);
  else { failures++; print('SMOKE FAIL ' + name + ': ' + detail); }
}

class Rand implements RandomSource {
  private s = 12345;
  nextU32(): number {
    this.s = (this.s * 1103515245 + 12345) % 4294967296;
    return this.s >>> 0;
  }
}

/** Datagrams in flight: [src, dst, bytes]; the 5th data segment from A is dropped once. */
const flight: Array<{ src: number; dst: number; bytes: Uint8Array }> = [];
let sentFromA = 0;

class LinkIp implements IpSender {
  readonly txBuffer = new Uint8Array(1514);
  readonly txView = new DataView(this.txBuffer.buffer);
  private dst = 0;
  constructor(private readonly addr: number) {}
  localAddress(): number { return this.addr; }
  maxTransportLength(): number { return 1480; }
  beginDatagram(dst: number): number { this.dst = dst; return 34; }
  commitDatagram(length: number): boolean {
    if (this.addr === A && length > 100 && ++sentFromA === 5) return true; // lost
    flight.push({ src: this.addr, dst: this.dst, bytes: new Uint8Array(this.txBuffer.subarray(34, 34 + length)) });
    return true;
  }
}

const A = 0x0a000001;
const B = 0x0a000002;
const tcpA = new Tcp(new Rand(), { delayedAckMs: 20 });
const tcpB = new Tcp(new Rand(), {});
const ipA = new LinkIp(A);
const ipB = new LinkIp(B);
const N = 20000;

function sum(d: Uint8Array, acc: number): number {
  for (let i = 0; i < d.length; i++) acc = (acc + d[i] * ((i % 7) + 1)) % 1000000007;
  return acc;
}
function pattern(n: number, k: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * k + 3) & 255;
  return b;
}

let gotB = 0;
let gotA = 0;
let closes = 0;
tcpB.listen(80, function (s: TcpSocket): void {
  s.on('data', function (d: Uint8Array): void { gotB += d.length; });
  s.on('end', function (): void { s.end(pattern(N, 5)); });
  s.on('close', function (): void { closes++; });
});
const c = tcpA.connect(B, 80);
c.on('connect', function (): void { c.write(pattern(N, 3)); c.end(); });
c.on('data', function (d: Uint8Array): void { gotA += d.length; });
c.on('close', function (): void { closes++; });

let now = 0;
for (let step = 0; step < 20000 && closes < 2; step++) {
  tcpA.poll(now, ipA);
  tcpB.poll(now, ipB);
  while (flight.length > 0) {
    const f = flight.shift() as { src: number; dst: number; bytes: Uint8Array };
    (f.dst === B ? tcpB : tcpA).receive(f.src, f.dst, f.bytes, 0, f.bytes.length, now);
  }
  now += 5;
}
check('connection closed on both sides', closes === 2, 'closes ' + closes);
check('A → B 20000 bytes', gotB === N, 'got ' + gotB);
check('B → A 20000 bytes', gotA === N, 'got ' + gotA);
check('a lost segment was retransmitted', tcpA.counters.retransmits + tcpA.counters.fastRetransmits > 0, 'no retransmission');
void sum;
print(failures === 0 ? 'SMOKE PASS ' + checks : 'SMOKE FAILED ' + failures + ' of ' + checks);
