// Out-of-order bookkeeping for the receive path (RFC 9293 §3.10.7.4: segments beyond RCV.NXT but in
// the window are kept and delivered once the gap fills). The bytes themselves already sit at their
// place in the receive ring (ByteRing.writeAt); this only remembers which sequence ranges are held.
// At most `maxRanges` disjoint ranges: a segment that would need another one is dropped (counted by the
// caller) and will come again. Memory: two small fixed arrays, bounded by the ring's free space in bytes.
import { seqLt, seqLe, seqGt, seqMax } from './seq';

export class Reassembly {
  /** [start, end) pairs, sorted by start, disjoint and not touching. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  count = 0;

  constructor(private readonly maxRanges: number) {
    for (let i = 0; i < maxRanges; i++) { this.starts.push(0); this.ends.push(0); }
  }

  clear(): void {
    this.count = 0;
  }

  /** Remembers [start, end) as held, merging with neighbours. Returns false when no range is free. */
  add(start: number, end: number): boolean {
    if (!seqLt(start, end)) return true;
    const s = this.starts;
    const e = this.ends;
    // First range that ends at or after `start` (could merge or lies after).
    let i = 0;
    while (i < this.count && seqLt(e[i], start)) i++;
    if (i < this.count && seqLe(s[i], end)) {
      // Overlaps or touches range i: grow it, then swallow the ones after it that it reaches.
      if (seqLt(start, s[i])) s[i] = start;
      if (seqGt(end, e[i])) e[i] = end;
      let j = i + 1;
      while (j < this.count && seqLe(s[j], e[i])) {
        e[i] = seqMax(e[i], e[j]);
        j++;
      }
      const removed = j - (i + 1);
      if (removed > 0) {
        for (let k = i + 1; k + removed < this.count; k++) { s[k] = s[k + removed]; e[k] = e[k + removed]; }
        this.count -= removed;
      }
      return true;
    }
    if (this.count >= this.maxRanges) return false;
    for (let k = this.count; k > i; k--) { s[k] = s[k - 1]; e[k] = e[k - 1]; }
    s[i] = start;
    e[i] = end;
    this.count++;
    return true;
  }

  /**
   * RCV.NXT has moved to `nxt`: drops ranges now below it and returns how far in-order data reaches
   * (≥ nxt) by joining the ranges that start at or before it.
   */
  advance(nxt: number): number {
    let n = 0;
    while (n < this.count && seqLe(this.starts[n], nxt)) {
      nxt = seqMax(nxt, this.ends[n]);
      n++;
    }
    if (n > 0) {
      for (let k = 0; k + n < this.count; k++) { this.starts[k] = this.starts[k + n]; this.ends[k] = this.ends[k + n]; }
      this.count -= n;
    }
    return nxt;
  }

  /** Start and end of range `i` (for SACK blocks and tests). */
  rangeStart(i: number): number { return this.starts[i]; }
  rangeEnd(i: number): number { return this.ends[i]; }
}
