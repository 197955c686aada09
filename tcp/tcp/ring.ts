// A fixed-size byte ring: TCP's send and receive buffers. Bytes move in and out with at most two
// `set`/`subarray` calls each (one when the range does not wrap); nothing is allocated after
// construction except the views handed to callers.

export class ByteRing {
  /** The storage; its length is the capacity (not kept separately: a field costs a block per ring). */
  readonly buf: Uint8Array;
  /** Index of the first readable byte. */
  private head = 0;
  /** Readable bytes. */
  length = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity > 0 ? capacity : 1);
  }

  /**
   * Copies `src` into the ring at `offset` bytes past the end of the readable data, without making it
   * readable (the receive path stores out-of-order data this way). Returns the bytes stored: clipped
   * to the free space.
   */
  writeAt(offset: number, src: Uint8Array): number {
    const cap = this.buf.length;
    const room = cap - this.length - offset;
    if (room <= 0) return 0;
    let n = src.length;
    if (n > room) n = room;
    let pos = this.head + this.length + offset;
    if (pos >= cap) pos -= cap;
    const first = cap - pos;
    if (n <= first) {
      copyBytes(this.buf, pos, src, 0, n);
    } else {
      copyBytes(this.buf, pos, src, 0, first);
      copyBytes(this.buf, 0, src, first, n - first);
    }
    return n;
  }

  /** Appends as much of `src` as fits; returns the bytes taken. */
  write(src: Uint8Array): number {
    const n = this.writeAt(0, src);
    this.length += n;
    return n;
  }

  /** Makes `n` bytes stored with writeAt(0, …) readable. */
  commit(n: number): void {
    this.length += n;
  }

  /** A view of the contiguous readable bytes starting `offset` bytes in, at most `max` long. */
  peek(offset: number, max: number): Uint8Array {
    const cap = this.buf.length;
    let n = this.length - offset;
    if (n > max) n = max;
    if (n <= 0) return this.buf.subarray(0, 0);
    let pos = this.head + offset;
    if (pos >= cap) pos -= cap;
    if (pos + n > cap) n = cap - pos;
    return this.buf.subarray(pos, pos + n);
  }

  /** Copies `n` readable bytes starting `offset` bytes in to `dst[dstOff..]` (n must be ≤ length - offset). */
  copyOut(offset: number, n: number, dst: Uint8Array, dstOff: number): void {
    const cap = this.buf.length;
    let pos = this.head + offset;
    if (pos >= cap) pos -= cap;
    const first = cap - pos;
    if (n <= first) {
      copyBytes(dst, dstOff, this.buf, pos, n);
    } else {
      copyBytes(dst, dstOff, this.buf, pos, first);
      copyBytes(dst, dstOff + first, this.buf, 0, n - first);
    }
  }

  /** Discards `n` bytes from the front. */
  consume(n: number): void {
    const cap = this.buf.length;
    if (n > this.length) n = this.length;
    this.head += n;
    if (this.head >= cap) this.head -= cap;
    this.length -= n;
    // No reset of `head` when empty: out-of-order bytes may already sit beyond it (writeAt).
  }
}

/**
 * dst[at .. at+n) = src[from .. from+n). Espruino's typed-array set() copies element by element, each
 * element costing about the same whatever its size, so where both ends are at even addresses the bytes
 * go as 16-bit elements: half as many (measured in espruino-linux 2v29: 1,460 bytes 51 empty-loop
 * iterations as bytes, 36 as words, views included). Same bytes either way.
 */
function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, from: number, n: number): void {
  const d = dst.byteOffset + at;
  const s = src.byteOffset + from;
  if (n < 256 || ((d | s) & 1) !== 0) {
    dst.set(n === src.length ? src : src.subarray(from, from + n), at);
    return;
  }
  new Uint16Array(dst.buffer, d, n >> 1).set(new Uint16Array(src.buffer, s, n >> 1));
  if (n & 1) dst[at + n - 1] = src[from + n - 1];
}
