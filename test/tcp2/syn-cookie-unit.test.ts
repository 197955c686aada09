// SYN cookies as a unit (tcp/tcp/syn-cookies.ts) and the Espruino-safe 32-bit multiply it rests on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SynCookies } from '../../tcp/tcp/syn-cookies';
import { mul32, mix32 } from '../../tcp/tcp/hash';
import { SeededRandom } from '../../hal/sim/random';

const PERIOD = 64000;
const L = 0x0a000001, LP = 80, R = 0xc0a80102, RP = 40001, ISN = 0x12345678;

test('mul32 equals Math.imul (as unsigned) on edge values and 20,000 random pairs', () => {
  const edges = [0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x85ebca6b, 0xc2b2ae35];
  for (const a of edges) for (const b of edges) assert.is(mul32(a, b), Math.imul(a, b) >>> 0, a + '*' + b);
  const rnd = new SeededRandom(3);
  for (let i = 0; i < 20000; i++) {
    const a = rnd.nextU32(), b = rnd.nextU32();
    if (mul32(a, b) !== Math.imul(a, b) >>> 0) assert.unreachable(a + '*' + b);
  }
});

test('mix32 is a bijection on a sample: 65,536 consecutive inputs give distinct outputs', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 65536; i++) seen.add(mix32(0xdead0000 + i));
  assert.is(seen.size, 65536);
});

test('a cookie checks out for its own 4-tuple and peer ISN, and encodes the largest table MSS <= the peer MSS', () => {
  const c = new SynCookies(new SeededRandom(1), PERIOD);
  const cases: Array<[number, number]> = [[1460, 1460], [1500, 1460], [1459, 1440], [1300, 1200], [536, 536], [600, 536], [1024, 1024]];
  for (const [mss, want] of cases) {
    const k = c.make(1000, L, LP, R, RP, ISN, mss);
    assert.is(c.check(1000, L, LP, R, RP, ISN, k), want, 'mss ' + mss);
  }
});

test('any change of the 4-tuple, the peer ISN or a cookie bit is refused', () => {
  const c = new SynCookies(new SeededRandom(2), PERIOD);
  const k = c.make(5000, L, LP, R, RP, ISN, 1460);
  assert.is(c.check(5000, L + 1, LP, R, RP, ISN, k), 0);
  assert.is(c.check(5000, L, LP + 1, R, RP, ISN, k), 0);
  assert.is(c.check(5000, L, LP, R ^ 0x100, RP, ISN, k), 0);
  assert.is(c.check(5000, L, LP, R, RP + 1, ISN, k), 0);
  assert.is(c.check(5000, L, LP, R, RP, ISN + 1, k), 0);
  for (let bit = 0; bit < 32; bit++) assert.is(c.check(5000, L, LP, R, RP, ISN, (k ^ (1 << bit)) >>> 0), 0, 'bit ' + bit);
});

test('valid in its own period and the next one; refused after that, and when the 5-bit counter comes round again', () => {
  const c = new SynCookies(new SeededRandom(4), PERIOD);
  const t0 = 10 * PERIOD + 100;
  const k = c.make(t0, L, LP, R, RP, ISN, 1460);
  assert.is(c.check(t0 + PERIOD - 200, L, LP, R, RP, ISN, k), 1460, 'same period');
  assert.is(c.check(t0 + PERIOD, L, LP, R, RP, ISN, k), 1460, 'next period: previous key kept');
  assert.is(c.check(t0 + 2 * PERIOD, L, LP, R, RP, ISN, k), 0, 'two periods on: key rotated out');
  const c2 = new SynCookies(new SeededRandom(4), PERIOD);
  const k2 = c2.make(t0, L, LP, R, RP, ISN, 1460);
  c2.check(t0 + 16 * PERIOD, L, LP, R, RP, ISN, k2); // time passes, keys rotate
  assert.is(c2.check(t0 + 32 * PERIOD, L, LP, R, RP, ISN, k2), 0, 'same counter value 32 periods later: new key');
});

test('the secret comes from the RandomSource: different sources, different cookies', () => {
  const a = new SynCookies(new SeededRandom(7), PERIOD).make(0, L, LP, R, RP, ISN, 1460);
  const b = new SynCookies(new SeededRandom(8), PERIOD).make(0, L, LP, R, RP, ISN, 1460);
  assert.is.not(a & 0xffffff, b & 0xffffff);
});

test('guessing: of 100,000 random ACK numbers for one 4-tuple none is accepted', () => {
  const c = new SynCookies(new SeededRandom(5), PERIOD);
  const rnd = new SeededRandom(6);
  let ok = 0;
  for (let i = 0; i < 100000; i++) if (c.check(1000, L, LP, R, RP, ISN, rnd.nextU32()) !== 0) ok++;
  assert.is(ok, 0);
});

test.run();
