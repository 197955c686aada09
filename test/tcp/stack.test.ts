import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Stack } from '../../tcp/stack';
import { TcpSocket } from '../../tcp/tcp/socket';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { setNativeWordSum } from '../../tcp/wire/checksum';
import { Stream, Hash, hashOf } from './link';

function pair(imp: WireImpairments, seed = 1, tcp = {}) {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, imp);
  const mk = (port: typeof wire.a, mac: number, ip: string, s: number) => new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, mac]), port),
    random: new SeededRandom(s),
    ipv4: { address: parseIpv4Address(ip) as number, prefixLength: 24 },
    tcp,
  });
  const a = mk(wire.a, 1, '10.9.0.1', seed * 2 + 1);
  const b = mk(wire.b, 2, '10.9.0.2', seed * 2 + 2);
  const run = (done: () => boolean, maxSteps: number): number => {
    let i = 0;
    for (; i < maxSteps && !done(); i++) {
      const now = clock.nowMs();
      const t = Math.min(a.poll(now), b.poll(now), wire.nextDeliveryMs(), now + 1);
      clock.advanceTo(t > now ? t : now + 0.01);
    }
    return i;
  };
  return { clock, wire, a, b, run };
}

test('two stacks: ARP, handshake, echo, close', () => {
  const { a, b, run } = pair({ delayMs: 1 });
  b.createServer(7, (s: TcpSocket) => {
    s.on('data', (d: Uint8Array) => s.write(new Uint8Array(d)));
    s.on('end', () => s.end());
  });
  const c = a.connect({ host: '10.9.0.2', port: 7 });
  let got = '';
  const events: string[] = [];
  c.on('connect', () => { c.write('hello, stack'); c.end(); });
  c.on('data', (d: Uint8Array) => { got += String.fromCharCode(...d); });
  c.on('end', () => events.push('end'));
  c.on('close', () => events.push('close'));
  run(() => events.length === 2, 10000);
  assert.is(got, 'hello, stack');
  assert.equal(events, ['end', 'close']);
  assert.is(c.remoteAddress, '10.9.0.2');
  assert.is(c.localAddress, '10.9.0.1');
});

test('connect to an address nobody answers for → EHOSTUNREACH', () => {
  const { a, run } = pair({});
  const c = a.connect({ host: '10.9.0.77', port: 7 });
  const events: string[] = [];
  c.on('error', (e: Error) => events.push(e.message));
  c.on('close', () => events.push('close'));
  run(() => events.length === 2, 100000);
  assert.equal(events, ['EHOSTUNREACH', 'close']);
});

test('connect to a closed port → ECONNREFUSED', () => {
  const { a, run } = pair({});
  const c = a.connect({ host: '10.9.0.2', port: 9 });
  const events: string[] = [];
  c.on('error', (e: Error) => events.push(e.message));
  c.on('close', () => events.push('close'));
  run(() => events.length === 2, 100000);
  assert.equal(events, ['ECONNREFUSED', 'close']);
});

test('a name that does not resolve → EHOSTUNREACH', () => {
  const { a, run } = pair({});
  const c = a.connect({ host: 'nowhere.example', port: 80 });
  const events: string[] = [];
  c.on('error', (e: Error) => events.push(e.message));
  c.on('close', () => events.push('close'));
  run(() => events.length === 2, 100000);
  assert.equal(events, ['EHOSTUNREACH', 'close']);
});

test('10 MB each way between two stacks over a lossy, duplicating, reordering wire: byte-exact', () => {
  const bytes = 10 * 1024 * 1024;
  const seed = 3;
  const { a, b, run, wire } = pair({ loss: 0.01, duplicate: 0.01, reorder: 0.03, reorderMs: 3, delayMs: 2, jitterMs: 1, seed: 11 },
    seed, { rxBytes: 16384, txBytes: 16384, maxRetries: 12 });
  const aGot = new Hash();
  const bGot = new Hash();
  const events: string[] = [];
  const pump = (sock: TcpSocket, src: Stream) => {
    const go = (): void => {
      while (src.produced < src.total) if (!sock.write(src.next(4096))) return;
      sock.end();
    };
    sock.on('drain', go);
    go();
  };
  b.createServer(5001, (s: TcpSocket) => {
    s.on('data', (c: Uint8Array) => bGot.update(c));
    s.on('error', (e: Error) => events.push('b:' + e.message));
    s.on('close', () => events.push('b:close'));
    pump(s, new Stream(seed + 200, bytes));
  }, { rxBytes: 16384, txBytes: 16384 });
  const c = a.connect({ host: '10.9.0.2', port: 5001 }, { rxBytes: 16384, txBytes: 16384 });
  c.on('data', (d: Uint8Array) => aGot.update(d));
  c.on('error', (e: Error) => events.push('a:' + e.message));
  c.on('close', () => events.push('a:close'));
  c.on('connect', () => pump(c, new Stream(seed + 100, bytes)));
  run(() => events.length >= 2, 5_000_000);
  assert.equal(events.sort(), ['a:close', 'b:close']);
  assert.is(bGot.n, bytes);
  assert.is(aGot.n, bytes);
  assert.is(bGot.h, hashOf(seed + 100, bytes));
  assert.is(aGot.h, hashOf(seed + 200, bytes));
  assert.ok(wire.counters.lost > 0 && wire.counters.duplicated > 0 && wire.counters.reordered > 0);
});

test('the word sum of the options (E.sum on Espruino, tcp/ports.ts) is what the checksums use', () => {
  let calls = 0;
  const sum = (w: Uint16Array): number => { calls++; let s = 0; for (let i = 0; i < w.length; i++) s += w[i]; return s; };
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, {});
  const mk = (port: typeof wire.a, mac: number, ip: string, wordSum?: (w: Uint16Array) => number) => new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, mac]), port), random: new SeededRandom(mac),
    ipv4: { address: parseIpv4Address(ip) as number, prefixLength: 24 }, wordSum,
  });
  try {
    const a = mk(wire.a, 1, '10.9.0.1', sum);
    const b = mk(wire.b, 2, '10.9.0.2');
    b.createServer(7, (s: TcpSocket) => s.on('data', (d: Uint8Array) => s.write(new Uint8Array(d))));
    let got = 0;
    const c = a.connect({ host: '10.9.0.2', port: 7 });
    c.on('connect', () => c.write(new Uint8Array(100)));
    c.on('data', (d: Uint8Array) => { got += d.length; });
    for (let i = 0; i < 2000 && got < 100; i++) {
      const now = clock.nowMs();
      const t = Math.min(a.poll(now), b.poll(now), wire.nextDeliveryMs(), now + 1);
      clock.advanceTo(t > now ? t : now + 0.01);
    }
    assert.is(got, 100);
    assert.ok(calls > 0, 'the word sum given was used');
  } finally {
    setNativeWordSum((w) => { let s = 0; for (let i = 0; i < w.length; i++) s += w[i]; return s; });
  }
});

test.run();
