// Small keyed mixing for ISNs (RFC 6528) and SYN cookies. Not a cryptographic MAC: it keeps blind
// attackers from predicting numbers, with a key from the RandomSource.

/** (a * b) mod 2^32 without Math.imul (absent on Espruino). */
export function mul32(a: number, b: number): number {
  return ((((a >>> 16) * b) & 0xffff) * 65536 + (a & 0xffff) * b) >>> 0;
}

/** A 32-bit mixing step (the MurmurHash3 finaliser). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = mul32(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = mul32(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
