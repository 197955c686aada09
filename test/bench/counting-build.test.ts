// The counting build behind the bench's "work per segment" (bench/lib/counting-hook.ts): every function
// body and loop body gets a counter, counting only while switched on, and the code still runs the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { instrument, counts } from '../../bench/lib/counting-hook';

function load(js: string): any {
  (global as any).__wc = counts;
  const module = { exports: {} as any };
  new Function('module', 'exports', instrument(js, 'sample.js'))(module, module.exports);
  return module.exports;
}

function total(kind: 'call' | 'loop', from: number): number {
  let n = 0;
  for (let i = from; i < counts.sites.length; i++) if (counts.sites[i].kind === kind) n += counts.n[i];
  return n;
}

test('calls and loop iterations are counted while on, and results are unchanged', () => {
  const first = counts.sites.length;
  const m = load(`
    function sum(b) { let s = 0; for (let i = 0; i < b.length; i++) s += b[i]; return s; }
    const twice = (x) => x * 2;
    class K { m(n) { let k = 0; while (k < n) k++; do { k--; } while (k > 0); return twice(n); } }
    module.exports = { sum, twice, K };`);
  counts.on = true;
  assert.is(m.sum([1, 2, 3, 4]), 10);
  assert.is(new m.K().m(3), 6);
  counts.on = false;
  assert.is(m.sum([5]), 5); // not counted
  assert.is(total('call', first), 3); // sum, m, twice
  assert.is(total('loop', first), 4 + 3 + 3);
  const names = counts.sites.slice(first).map((s) => s.name);
  assert.ok(names.includes('sum') && names.includes('m') && names.includes('For in sum') && names.includes('While in m'), names.join(','));
});

test('a per-byte loop shows: iterations grow with the data, a bulk copy does not', () => {
  const first = counts.sites.length;
  const m = load(`
    module.exports = {
      perByte(dst, src) { for (let i = 0; i < src.length; i++) dst[i] = src[i]; },
      bulk(dst, src) { dst.set(src); },
    };`);
  const run = (n: number, f: string): number => {
    const before = total('loop', first);
    counts.on = true;
    m[f](new Uint8Array(n), new Uint8Array(n));
    counts.on = false;
    return total('loop', first) - before;
  };
  assert.is(run(100, 'perByte'), 100);
  assert.is(run(1460, 'perByte'), 1460);
  assert.is(run(100, 'bulk'), 0);
  assert.is(run(1460, 'bulk'), 0);
});

test.run();
