// CRC-32 (IEEE 802.3 FCS): reflected polynomial 0xEDB88320, initial 0xFFFFFFFF, final inversion.
// Host-only helper (the chip models append/check the FCS the real chips store; tools/flash.ts checks a
// firmware read back with Espruino's E.CRC32, the same CRC); per-byte loop is fine here, never on the device.

let table: Uint32Array | null = null;

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of `data[start .. end)`, as the 32-bit value whose low byte is transmitted first. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  if (!table) table = buildTable();
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a string's characters taken as bytes (their low 8 bits), as Espruino's `E.CRC32(string)`. */
export function crc32OfText(s: string): number {
  return crc32(Buffer.from(s, 'latin1'));
}
