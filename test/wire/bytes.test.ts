// Network-order fields and the range check every parser starts with.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readU16, readU32, writeU16, writeU32, outOfRange } from '../../tcp/wire/bytes';

test('16- and 32-bit fields are big-endian and read back unsigned', () => {
  const b = new Uint8Array(8);
  writeU16(b, 1, 0xabcd);
  assert.equal(Array.from(b.subarray(0, 4)), [0, 0xab, 0xcd, 0]);
  assert.is(readU16(b, 1), 0xabcd);
  writeU32(b, 3, 0xfedcba98);
  assert.equal(Array.from(b.subarray(3, 7)), [0xfe, 0xdc, 0xba, 0x98]);
  assert.is(readU32(b, 3), 0xfedcba98, 'not negative');
  writeU32(b, 0, 0xffffffff);
  assert.is(readU32(b, 0), 0xffffffff);
});

test('values are cut to the field: the low 16 or 32 bits are written', () => {
  const b = new Uint8Array(4);
  writeU16(b, 0, 0x12345);
  assert.is(readU16(b, 0), 0x2345);
  writeU16(b, 0, -1);
  assert.is(readU16(b, 0), 0xffff);
  writeU32(b, 0, -2);
  assert.is(readU32(b, 0), 0xfffffffe);
});

test('outOfRange: negative, NaN and past-the-end ranges are outside; an empty range at the end is inside', () => {
  const b = new Uint8Array(10);
  assert.not.ok(outOfRange(b, 0, 10));
  assert.not.ok(outOfRange(b, 10, 0));
  assert.ok(outOfRange(b, 1, 10));
  assert.ok(outOfRange(b, -1, 2));
  assert.ok(outOfRange(b, 0, -1));
  assert.ok(outOfRange(b, NaN, 1));
  assert.ok(outOfRange(b, 0, NaN));
  assert.ok(outOfRange(b.subarray(2), 0, 9), 'a view is measured by its own length');
});

test.run();
