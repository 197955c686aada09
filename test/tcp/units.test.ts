import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seqAdd, seqLt, seqGt, seqDiff, seqMax } from '../../tcp/tcp/seq';
import { ByteRing } from '../../tcp/tcp/ring';
import { rangesAdd, rangesAdvance } from '../../tcp/tcp/reassembly';
import { rttSample, rttBackoff } from '../../tcp/tcp/rtt';
import { SeededRandom } from '../../hal/sim/random';

test('seq arithmetic holds across the 2^32 wrap', () => {
  assert.is(seqAdd(0xfffffff0, 0x20), 0x10);
  assert.ok(seqLt(0xfffffff0, 0x10));
  assert.ok(seqGt(0x10, 0xfffffff0));
  assert.is(seqDiff(0x10, 0xfffffff0), 0x20);
  assert.is(seqDiff(0xfffffff0, 0x10), -0x20);
  assert.is(seqMax(0xfffffff0, 5), 5);
  assert.is(seqAdd(5, -10), 0xfffffffb);
});

test('ring: writes and reads wrap with bulk copies', () => {
  const r = new ByteRing(8);
  assert.is(r.write(new Uint8Array([1, 2, 3, 4, 5, 6])), 6);
  r.consume(4);
  assert.is(r.write(new Uint8Array([7, 8, 9, 10, 11, 12, 13])), 6, 'clipped to free space');
  assert.is(r.length, 8);
  assert.equal(Array.from(r.peek(0, 100)), [5, 6, 7, 8], 'contiguous part up to the wrap');
  const out = new Uint8Array(8);
  r.copyOut(1, 6, out, 1);
  assert.equal(Array.from(out), [0, 6, 7, 8, 9, 10, 11, 0]);
});

test('ring: bytes stored beyond the readable end survive the ring draining empty (regression)', () => {
  const r = new ByteRing(16);
  r.write(new Uint8Array([1, 2, 3]));
  r.consume(2);
  r.writeAt(3, new Uint8Array([40, 50])); // out of order, 3 bytes beyond the end
  r.consume(1); // now empty
  r.writeAt(0, new Uint8Array([10, 20, 30]));
  r.commit(5);
  assert.equal(Array.from(r.peek(0, 10)), [10, 20, 30, 40, 50]);
});

// A flat range list with the accessors the tests read.
function ranges(max: number) {
  const r: number[] = [];
  return {
    add: (s: number, e: number) => rangesAdd(r, s, e, max),
    advance: (n: number) => rangesAdvance(r, n),
    get count() { return r.length / 2; },
    rangeStart: (i: number) => r[2 * i],
    rangeEnd: (i: number) => r[2 * i + 1],
  };
}

test('reassembly: merges, swallows, bounded ranges, advance joins what is contiguous', () => {
  const q = ranges(3);
  assert.ok(q.add(100, 200));
  assert.ok(q.add(300, 400));
  assert.ok(q.add(500, 600));
  assert.not.ok(q.add(700, 800), 'a fourth range does not fit');
  assert.ok(q.add(150, 350), 'bridging merges ranges');
  assert.is(q.count, 2);
  assert.is(q.rangeStart(0), 100);
  assert.is(q.rangeEnd(0), 400);
  assert.is(q.advance(50), 50, 'gap before the first range');
  assert.is(q.advance(100), 400);
  assert.is(q.count, 1);
  assert.is(q.advance(700), 700, 'ranges below RCV.NXT are dropped');
  assert.is(q.count, 0);
});

test('reassembly across the wrap', () => {
  const q = ranges(4);
  q.add(0xfffffff0, 0x10);
  q.add(0x10, 0x20);
  assert.is(q.count, 1);
  assert.is(q.advance(0xffffffe0), 0xffffffe0);
  assert.is(q.advance(0xfffffff0), 0x20);
});

test('reassembly matches a reference model on random segments', () => {
  const rnd = new SeededRandom(5);
  for (let round = 0; round < 200; round++) {
    const q = ranges(4);
    const held = new Uint8Array(400);
    let nxt = 0;
    for (let k = 0; k < 30; k++) {
      const s = nxt + 1 + rnd.nextInt(300);
      const e = s + 1 + rnd.nextInt(60);
      if (e > 400) continue;
      if (q.add(s, e)) held.fill(1, s, e);
      if (rnd.nextInt(4) === 0) {
        // In-order data up to p arrived: reach = first byte at or after p not held.
        const p = nxt + rnd.nextInt(50);
        held.fill(1, nxt, p);
        let ref = p;
        while (ref < 400 && held[ref]) ref++;
        nxt = q.advance(p);
        assert.is(nxt, ref);
      }
    }
  }
});

test('RTO per RFC 6298: first sample, smoothing, clamping, backoff', () => {
  const e = { srtt: 0, rttvar: 0, rto: 1000 };
  const sample = (r: number, first = false) => rttSample(e, r, first, 200, 60000);
  const backoff = () => rttBackoff(e, 200, 60000);
  assert.is(e.rto, 1000);
  sample(100, true); // srtt 100, rttvar 50 → 300
  assert.is(e.rto, 300);
  sample(100); // rttvar 37.5, srtt 100 → 250
  assert.is(e.rto, 250);
  sample(10);
  assert.ok(e.rto >= 200);
  backoff();
  backoff();
  assert.ok(e.rto >= 800);
  for (let i = 0; i < 20; i++) backoff();
  assert.is(e.rto, 60000);
});

test.run();
