// The Internet checksum (RFC 1071) and the IPv4 pseudo-header sum (RFC 768, RFC 9293 §3.1).
//
// Speed: on Espruino a JavaScript loop over the bytes is 100-360x slower than the native
// `E.sum(Uint16Array)`, so the words are summed through a Uint16Array view by a native word-sum
// function (`setNativeWordSum`: the Stack installs the `wordSum` of its options, `E.sum` on Espruino,
// tcp/ports.ts). The view is taken at the even
// absolute address at or below the data (a Uint16Array needs an aligned byte offset), a leading byte
// that is not ours is subtracted from the exact (unfolded) sum and a trailing odd byte is added, so
// nothing is copied. The view's words are in machine order; RFC 1071 §2(B) (byte-order independence)
// lets us fold in machine order and swap the two bytes of the result where needed.
import { Ipv4Address } from './reprs';
import { WordSum } from '../ports';

function plainWordSum(w: Uint16Array): number {
  // Host default: Node JITs this loop; the device replaces it with E.sum.
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return s;
}

let wordSum: WordSum = plainWordSum;

/** The Stack calls this with the native word sum its platform gives (`E.sum` on Espruino, tcp/ports.ts). */
export function setNativeWordSum(fn: WordSum): void {
  wordSum = fn;
}

// True on a little-endian machine (Node on x86/ARM, Espruino on ARM).
const LITTLE_ENDIAN = new Uint16Array(new Uint8Array([1, 0]).buffer)[0] === 1;
// Where the byte at an even absolute address lands in a machine-order word.
const EVEN_BYTE_SHIFT = LITTLE_ENDIAN ? 0 : 8;
const EVEN_BYTE_MASK = LITTLE_ENDIAN ? 0x00ff : 0xff00;
// A machine-order word in big-endian order, modulo 0xffff (onesComplementSum).
const TO_BIG = LITTLE_ENDIAN ? 256 : 1;

/** Folds the carries of a non-negative sum (exact up to 2^53) into 16 bits (RFC 1071 §4.1). */
function fold(s: number): number {
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/**
 * The folded 16-bit ones'-complement sum of `buf[off .. off+len)` read as big-endian words (as on the
 * wire; an odd last byte is the high byte of a word padded with zero, RFC 1071 §4.1), plus `initial`
 * (another folded sum, e.g. the pseudo-header's). The result is 0 only when every byte and `initial`
 * are 0. A range reaching outside `buf` is clipped to it.
 */
export function onesComplementSum(buf: Uint8Array, off: number, len: number, initial?: number): number {
  const p0 = buf.byteOffset + off;
  if ((p0 & 1) === 0 && off >= 0 && len > 1 && off + len <= buf.length) {
    // The usual case (every frame buffer's headers), in as few statements as possible (each costs the
    // interpreter about as much as a loop iteration). Folding is arithmetic modulo 0xffff (RFC 1071
    // §2(C), the end-around carry), and swapping a word's bytes multiplies it by 256 modulo 0xffff
    // (x·256 = hi·65536 + lo·256 ≡ hi + lo·256). So the native sum of the machine-order words goes to
    // big-endian order times TO_BIG, an odd last byte (the high byte of its big-endian word) times 256,
    // `initial` as it is; the remainder is the folded sum, but for a non-zero sum ≡ 0, which folds to
    // 0xffff (at most 2^16 words · 2^16 · 2^8 = 2^40: exact in a double).
    const t = wordSum(new Uint16Array(buf.buffer, p0, len >> 1)) * TO_BIG + ((len & 1) ? buf[off + len - 1] * 256 : 0) + (initial || 0);
    return t % 0xffff || (t > 0 ? 0xffff : 0);
  }
  return anySum(buf, off, len, initial || 0);
}

/** onesComplementSum for any start, machine and range. */
function anySum(buf: Uint8Array, off: number, len: number, initial: number): number {
  if (off < 0) { len += off; off = 0; }
  if (off + len > buf.length) len = buf.length - off;
  if (!(len > 0)) return fold(initial);
  const p = buf.byteOffset + off; // absolute address of the first byte
  const end = p + len;
  const start = p - (p & 1); // aligned start
  const alignedEnd = end - (end & 1);
  let s = 0;
  const words = (alignedEnd - start) >> 1;
  if (words > 0) {
    const view = new Uint16Array(buf.buffer, start, words);
    s = wordSum(view);
    // The byte before the data shares the first word: take it out again.
    if (p & 1) s -= view[0] & EVEN_BYTE_MASK;
  }
  // An odd end leaves its last byte (at an even address) outside the view.
  if (end & 1) s += buf[off + len - 1] << EVEN_BYTE_SHIFT;
  let f = fold(s);
  // Our first byte is the high byte of a big-endian word. In machine order it is the high byte when
  // (little-endian and odd address) or (big-endian and even address); otherwise swap the result.
  if (LITTLE_ENDIAN !== ((p & 1) === 1)) f = ((f & 0xff) << 8) | (f >> 8);
  return fold(f + initial);
}

/** The Internet checksum field value for `buf[off .. off+len)`: the ones' complement of the sum. */
export function internetChecksum(buf: Uint8Array, off: number, len: number, initial?: number): number {
  return ~onesComplementSum(buf, off, len, initial) & 0xffff;
}

/**
 * The folded sum of the IPv4 pseudo-header (source, destination, zero, protocol, length) that TCP and
 * UDP checksums cover (RFC 768 "Fields", RFC 9293 §3.1). `length` is the transport header + data length.
 */
export function pseudoHeaderSum(src: Ipv4Address, dst: Ipv4Address, protocol: number, length: number): number {
  return fold((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + (protocol & 0xff) + (length & 0xffff));
}
