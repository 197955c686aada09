// Plain, obviously-correct reference implementations the tests compare the shipped code against.

/** RFC 1071 §4.1, byte by byte: big-endian words, odd last byte padded, carries folded. */
export function refOnesComplementSum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let s = initial;
  for (let i = 0; i < len; i += 2) {
    s += (buf[off + i] << 8) + (i + 1 < len ? buf[off + i + 1] : 0);
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

export function refChecksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  return ~refOnesComplementSum(buf, off, len, initial) & 0xffff;
}
