import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { onesComplementSum, internetChecksum, pseudoHeaderSum, setNativeWordSum } from '../../tcp/wire/checksum';
import { refOnesComplementSum, refChecksum } from './reference';

test('RFC 1071 §3 worked example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2', () => {
  const b = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.is(onesComplementSum(b, 0, 8), 0xddf2);
  assert.is(internetChecksum(b, 0, 8), 0x220d);
});

test('empty range and all-zero data sum to 0; initial passes through', () => {
  const b = new Uint8Array(10);
  assert.is(onesComplementSum(b, 3, 0), 0);
  assert.is(onesComplementSum(b, 1, 7), 0);
  assert.is(onesComplementSum(b, 1, 0, 0x1234), 0x1234);
  assert.is(internetChecksum(b, 0, 10), 0xffff);
});

test('odd last byte is the high byte of a zero-padded word', () => {
  const b = new Uint8Array([0xab]);
  assert.is(onesComplementSum(b, 0, 1), 0xab00);
  const c = new Uint8Array([0, 0xab, 0x12]);
  assert.is(onesComplementSum(c, 1, 1), 0xab00);
  assert.is(onesComplementSum(c, 1, 2), 0xab12);
});

test('a buffer whose byteOffset is odd (view into a larger ArrayBuffer) sums correctly', () => {
  const backing = new Uint8Array(64);
  for (let i = 0; i < 64; i++) backing[i] = (i * 37 + 11) & 255;
  for (let start = 0; start < 5; start++) {
    const view = backing.subarray(start, 60);
    for (let off = 0; off < 4; off++) {
      for (let len = 0; len < view.length - off; len++) {
        assert.is(onesComplementSum(view, off, len), refOnesComplementSum(view, off, len), `start ${start} off ${off} len ${len}`);
      }
    }
  }
});

test('matches the reference on random data, lengths, offsets (odd and even) and initial sums', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 0, maxLength: 1600 }), fc.nat(4), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffff }),
    (data, shift, a, b, initial) => {
      const backing = new Uint8Array(data.length + shift);
      backing.set(data, shift);
      const buf = backing.subarray(shift);
      const off = data.length === 0 ? 0 : a % (data.length + 1);
      const len = (data.length - off) === 0 ? 0 : b % (data.length - off + 1);
      assert.is(onesComplementSum(buf, off, len, initial), refOnesComplementSum(buf, off, len, initial));
      assert.is(internetChecksum(buf, off, len, initial), refChecksum(buf, off, len, initial));
    }), { seed: 0x1071, numRuns: 2000 });
});

test('an unfolded initial sum (emitSegment passes the pseudo-header so, up to 2^20) matches the reference', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 2, maxLength: 1600 }), fc.integer({ min: 0, max: 1 << 20 }),
    (data, initial) => {
      assert.is(onesComplementSum(data, 0, data.length, initial), refOnesComplementSum(data, 0, data.length, initial));
    }), { seed: 0x1624, numRuns: 1000 });
  // Sums ≡ 0 modulo 0xffff, non-zero: 0xffff, never 0.
  assert.is(onesComplementSum(new Uint8Array([0xff, 0xfe]), 0, 2, 1), 0xffff);
  assert.is(onesComplementSum(new Uint8Array(4), 0, 4, 0xffff * 16), 0xffff);
});

test('all-0xff data (sums that fold to exactly 0xffff) match the reference', () => {
  const b = new Uint8Array(301).fill(0xff);
  for (let off = 0; off < 3; off++) for (let len = 1; len < 298; len += 7) {
    assert.is(onesComplementSum(b, off, len), refOnesComplementSum(b, off, len));
  }
});

test('a data buffer containing its own checksum sums to 0xffff', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 300 }), (data) => {
    const b = new Uint8Array(data.length + 2);
    b.set(data, 2);
    const c = internetChecksum(b, 0, b.length);
    b[0] = c >> 8; b[1] = c & 255;
    assert.is(onesComplementSum(b, 0, b.length), 0xffff);
  }), { seed: 7, numRuns: 300 });
});

test('pseudo-header sum equals the sum over the 12 pseudo-header bytes', () => {
  fc.assert(fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(255), fc.nat(0xffff), (src, dst, proto, length) => {
    const b = new Uint8Array([src >>> 24, (src >>> 16) & 255, (src >>> 8) & 255, src & 255,
      dst >>> 24, (dst >>> 16) & 255, (dst >>> 8) & 255, dst & 255, 0, proto, length >> 8, length & 255]);
    assert.is(pseudoHeaderSum(src, dst, proto, length), refOnesComplementSum(b, 0, 12));
  }), { seed: 768, numRuns: 500 });
});

test('a native word-sum function plugged in is used, and gives the same results', () => {
  let calls = 0;
  setNativeWordSum((w) => { calls++; let s = 0; for (let i = 0; i < w.length; i++) s += w[i]; return s; });
  try {
    const b = new Uint8Array(101);
    for (let i = 0; i < b.length; i++) b[i] = (i * 13) & 255;
    assert.is(onesComplementSum(b, 1, 99), refOnesComplementSum(b, 1, 99));
    assert.ok(calls > 0);
  } finally {
    setNativeWordSum((w) => { let s = 0; for (let i = 0; i < w.length; i++) s += w[i]; return s; });
  }
});

test.run();
