// Byte ⇄ binary-string conversions for headers and small messages (never for bulk bodies).
// On Espruino the native E.toString / E.toUint8Array do it without a JavaScript loop.
declare const E: any;

const hasNative = typeof E !== 'undefined' && E && typeof E.toString === 'function';

/** Bytes → a string of one char per byte. */
export function bytesToString(b: Uint8Array): string {
  if (b.length === 0) return '';
  if (hasNative) return E.toString(b);
  // fn.apply takes at most 256 arguments on Espruino; host side only in practice.
  let s = '';
  for (let i = 0; i < b.length; i += 256) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + 256)) as unknown as number[]);
  }
  return s;
}

/** A string of chars 0..255 → new bytes (small strings only: headers, status JSON). */
export function stringToBytes(s: string): Uint8Array {
  if (hasNative && typeof E.toUint8Array === 'function') return E.toUint8Array(s);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}

/** Position of "\r\n\r\n" in b[from, len), or -1. Jumps between CRs with the native indexOf. */
export function findHeadEnd(b: Uint8Array, from: number, len: number): number {
  let i = from < 0 ? 0 : from;
  while (i + 3 < len) {
    const cr = b.indexOf(13, i);
    if (cr < 0 || cr + 3 >= len) return -1;
    if (b[cr + 1] === 10 && b[cr + 2] === 13 && b[cr + 3] === 10) return cr;
    i = cr + 1;
  }
  return -1;
}
