// The device smoke test under Duktape: passes on the real smoke bundle, fails when the bundle is
// broken, and its expected values are right (recomputed here with a plain reference checksum).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle, SMOKE_ENTRY } from '../../tools/build/bundle';
import { runUnderDuk, smokePassed } from '../../tools/gate/duk';
import * as X from '../../tools/smoke/expected';

const smoke = buildBundle({ entry: SMOKE_ENTRY });

/** RFC 1071 reference: big-endian 16-bit words, odd last byte padded, carries folded. */
function refSum(b: Uint8Array, off: number, len: number, initial = 0): number {
  let s = initial;
  for (let i = 0; i < len; i += 2) s += (b[off + i] << 8) | (i + 1 < len ? b[off + i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

function pattern(): Uint8Array {
  const b = new Uint8Array(1500);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + 3) & 255;
  return b;
}

function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

test('expected smoke values match a reference checksum', () => {
  const p = pattern();
  assert.is(refSum(p, 0, 1500), X.PATTERN_SUM_EVEN);
  assert.is(refSum(p, 3, 1473), X.PATTERN_SUM_ODD);
  assert.is(refSum(p, 7, 999), X.PATTERN_SUM_SUBARRAY);
  const ip = hex('4500 0021 1234 4000 4011 0000 c0a8 0001 c0a8 00c7');
  assert.is(~refSum(ip, 0, 20) & 0xffff, X.FRAME_IP_CHECKSUM);
  const udp = hex('1388 0035 000d 0000 68656c6c6f');
  const pseudo = refSum(hex('c0a8 0001 c0a8 00c7 0011 000d'), 0, 12);
  assert.is(~refSum(udp, 0, 13, pseudo) & 0xffff, X.FRAME_UDP_CHECKSUM);
});

test('the smoke bundle passes under Duktape, on both the JS and the E.sum path', () => {
  const r = runUnderDuk(smoke.code);
  assert.ok(smokePassed(r), r.output);
  assert.match(r.output, /^SMOKE ok js\/ip-header-checksum-odd-offset/m);
  assert.match(r.output, /^SMOKE ok native\/frame-udp-checksum/m);
  assert.not.match(r.output, /SMOKE FAIL/);
});

test('a bundle whose arithmetic is broken fails the smoke run', () => {
  // Math.floor is what the checksum folds carries with.
  const r = runUnderDuk('Math.floor = function () { return 0; };\n' + smoke.code);
  assert.not.ok(smokePassed(r));
  assert.match(r.output, /SMOKE FAIL/);
});

test('a bundle that throws at load fails the smoke run', () => {
  const r = runUnderDuk(smoke.code.replace('{', '{throw new Error("planted");'));
  assert.not.ok(r.ok);
  assert.not.ok(smokePassed(r));
});

test('Duktape runs with Espruino\'s gaps: Map and Math.imul are gone, typed-array slice gives an Array', () => {
  const r = runUnderDuk('print(typeof Map, typeof Math.imul, Array.isArray(new Uint8Array(3).slice(1)));');
  assert.ok(r.ok, r.output);
  assert.match(r.output, /undefined undefined true/);
  const bad = runUnderDuk('var m = new Map();');
  assert.not.ok(bad.ok);
});

test('clearTimeout(undefined) throws under the shims, as on Espruino', () => {
  const r = runUnderDuk('clearTimeout(undefined);');
  assert.not.ok(r.ok);
});

test('timers run on the virtual clock, bounded', () => {
  const r = runUnderDuk('var n = 0; var id = setInterval(function () { n++; if (n === 3) { clearInterval(id); print("ticks " + n + " at " + getTime()); } }, 100);');
  assert.ok(r.ok, r.output);
  assert.match(r.output, /ticks 3 at 0\.3/);
});

test.run();
