import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Link, Stream, Hash, hashOf, B_IP } from './link';
import { TcpSocket } from '../../tcp/tcp/socket';
import { WireImpairments } from '../../hal/sim/virtual-wire';

interface Result { aGot: Hash; bGot: Hash; events: string[]; steps: number; ms: number; link: Link }

/** A connects to B; both send `bytes` at once (full duplex), then end(). */
function transfer(bytes: number, imp: WireImpairments, seed: number, bufs = 16384, maxSteps = 3_000_000): Result {
  const link = new Link(imp, { rxBytes: bufs, txBytes: bufs, maxRetries: 12 }, seed);
  const aGot = new Hash();
  const bGot = new Hash();
  const events: string[] = [];
  const pump = (sock: TcpSocket, src: Stream) => {
    const go = (): void => {
      while (src.produced < src.total) {
        if (!sock.write(src.next(4096))) return;
      }
      sock.end();
    };
    sock.on('drain', go);
    go();
  };
  link.b.listen(7000, (s: TcpSocket) => {
    s.on('data', (c: Uint8Array) => bGot.update(c));
    s.on('end', () => events.push('b:end'));
    s.on('close', (e: boolean) => events.push('b:close' + (e ? ':error' : '')));
    s.on('error', (e: Error) => events.push('b:error:' + e.message));
    pump(s, new Stream(seed + 200, bytes));
  });
  const a = link.a.connect(B_IP, 7000);
  a.on('data', (c: Uint8Array) => aGot.update(c));
  a.on('end', () => events.push('a:end'));
  a.on('close', (e: boolean) => events.push('a:close' + (e ? ':error' : '')));
  a.on('error', (e: Error) => events.push('a:error:' + e.message));
  a.on('connect', () => pump(a, new Stream(seed + 100, bytes)));
  const steps = link.run(() => events.filter((e) => e.indexOf('close') >= 0).length === 2, maxSteps);
  return { aGot, bGot, events, steps, ms: link.clock.nowMs(), link };
}

test('clean link: 1 MB each way, byte-exact, orderly close', () => {
  const r = transfer(1 << 20, { delayMs: 2 }, 1);
  assert.is(r.bGot.n, 1 << 20);
  assert.is(r.aGot.n, 1 << 20);
  assert.is(r.bGot.h, hashOf(101, 1 << 20));
  assert.is(r.aGot.h, hashOf(201, 1 << 20));
  assert.ok(r.events.indexOf('a:close') >= 0 && r.events.indexOf('b:close') >= 0, r.events.join());
});

test('10 MB each way over loss 2 %, duplication 1 %, reordering 5 %, delay + jitter: byte-exact', () => {
  const bytes = 10 * 1024 * 1024;
  const r = transfer(bytes, { loss: 0.02, duplicate: 0.01, reorder: 0.05, reorderMs: 4, delayMs: 3, jitterMs: 1, seed: 42 }, 7);
  assert.is(r.bGot.n, bytes, 'B received ' + r.bGot.n + ' events ' + r.events.join());
  assert.is(r.aGot.n, bytes, 'A received ' + r.aGot.n);
  assert.is(r.bGot.h, hashOf(107, bytes));
  assert.is(r.aGot.h, hashOf(207, bytes));
  assert.equal(r.events.filter((e) => e.indexOf('error') >= 0), []);
  assert.ok(r.link.a.counters.retransmits + r.link.b.counters.retransmits + r.link.a.counters.fastRetransmits > 0);
  assert.ok(r.link.b.counters.oooSegments > 0, 'reordering was exercised');
});

for (const seed of [1, 2, 3]) {
  test('256 KB each way, heavy impairment (10 % loss, 10 % dup, 20 % reorder), small buffers, seed ' + seed, () => {
    const bytes = 256 * 1024;
    const r = transfer(bytes, { loss: 0.1, duplicate: 0.1, reorder: 0.2, reorderMs: 5, delayMs: 2, jitterMs: 2, seed }, seed, 2048);
    assert.is(r.bGot.n, bytes, 'B got ' + r.bGot.n + ' ' + r.events.join());
    assert.is(r.aGot.n, bytes, 'A got ' + r.aGot.n);
    assert.is(r.bGot.h, hashOf(seed + 100, bytes));
    assert.is(r.aGot.h, hashOf(seed + 200, bytes));
  });
}

test.run();
