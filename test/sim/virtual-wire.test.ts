import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { SeededRandom } from '../../hal/sim/random';

test('a frame sent on one end arrives at the other after the configured delay', () => {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, { delayMs: 5 });
  wire.a.send(new Uint8Array([1, 2, 3]));
  assert.is(wire.b.take(), null);
  clock.advance(5);
  assert.equal(Array.from(wire.b.take() as Uint8Array), [1, 2, 3]);
  assert.is(wire.a.take(), null);
});

test('seeded loss drops about the configured fraction, identically for the same seed', () => {
  const run = (seed: number): number => {
    const clock = new VirtualClock();
    const wire = new VirtualWire(clock, { loss: 0.1, seed });
    let n = 0;
    for (let i = 0; i < 10000; i++) {
      wire.a.send(new Uint8Array(60));
      while (wire.b.take()) n++;
    }
    return n;
  };
  const n = run(7);
  assert.ok(n > 8800 && n < 9200, 'delivered ' + n);
  assert.is(run(7), n);
});

test('reordering lets later frames overtake held-back ones; duplication delivers twice', () => {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, { reorder: 0.5, reorderMs: 3, duplicate: 0.2, seed: 3 });
  for (let i = 0; i < 200; i++) wire.a.send(new Uint8Array([i]));
  clock.advance(10);
  const got: number[] = [];
  for (let f = wire.b.take(); f; f = wire.b.take()) got.push(f[0]);
  assert.ok(got.length > 200, 'duplicates delivered');
  let inversions = 0;
  for (let i = 1; i < got.length; i++) if (got[i] < got[i - 1]) inversions++;
  assert.ok(inversions > 0, 'some frames reordered');
  assert.equal(Array.from(new Set(got)).length, 200, 'every frame arrives at least once');
});

test('a rate-limited line spaces frames by their serialisation time', () => {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, { bitsPerSecond: 1_000_000 });
  wire.a.send(new Uint8Array(101)); // (101 + 24) * 8 bits = 1 ms at 1 Mb/s
  wire.a.send(new Uint8Array(101));
  clock.advance(1);
  assert.is(wire.b.pending(), 1);
  clock.advance(1);
  assert.is(wire.b.pending(), 2);
});

test('seeded random is deterministic and spreads over the range', () => {
  const a = new SeededRandom(42), b = new SeededRandom(42);
  let high = 0;
  for (let i = 0; i < 1000; i++) {
    const x = a.nextU32();
    assert.is(x, b.nextU32());
    if (x >= 0x80000000) high++;
  }
  assert.ok(high > 400 && high < 600);
});

test.run();
