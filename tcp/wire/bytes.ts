// Big-endian ("network order", RFC 1700 "Data Notations") fields of 16 and 32 bits, read and written
// in place. Headers only: payloads are moved with set/subarray, never byte by byte.

export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Unsigned (0 .. 2^32 - 1). */
export function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

// Every byte is masked to an integer 0..255 before it is stored: the device is not asked to
// convert a large double or a negative number to a byte.
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 255;
  b[o + 1] = v & 255;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

/** True unless `[off, off + len)` lies inside `b` (NaN and negative numbers lie outside). */
export function outOfRange(b: Uint8Array, off: number, len: number): boolean {
  return !(off >= 0) || !(len >= 0) || off + len > b.length;
}

/**
 * Empties an array in place. Espruino throws on `a.length = 0` ("Assignment to a constant") and keeps the
 * items (jsvar.c: an array's length is read-only there); `splice(0)` works on both. Nothing is allocated
 * when the array is already empty (the common case on the per-segment path).
 */
export function emptyArray(a: unknown[]): void {
  if (a.length > 0) a.splice(0, a.length);
}
