// Sequence ranges held above a cumulative point: out-of-order data on the receive path (RFC 9293
// §3.10.7.4: segments beyond RCV.NXT but in the window are kept and delivered once the gap fills) and
// the SACK scoreboard on the send path (RFC 2018). The bytes themselves already sit at their place in
// the receive ring (ByteRing.writeAt); this only remembers which ranges are held.
//
// A range list is one flat array [start0, end0, start1, end1, …], sorted by start, disjoint and not
// touching, at most `max` ranges: a range that would need another one is refused (the caller counts the
// drop; the data comes again). Memory: nothing while in order. A connection makes its list on the first
// out-of-order segment (or SACK block) and lets it go when the gap fills, so an idle connection holds
// none; while held, 1 + 2 per range blocks.
import { seqLt, seqLe, seqGt, seqMax } from './seq';

/** Adds [start, end) to `r` (merging with neighbours). Returns false when it would need a range beyond `max`. */
export function rangesAdd(r: number[], start: number, end: number, max: number): boolean {
  if (!seqLt(start, end)) return true;
  const n = r.length;
  // First range that ends at or after `start` (could merge or lies after).
  let i = 0;
  while (i < n && seqLt(r[i + 1], start)) i += 2;
  if (i < n && seqLe(r[i], end)) {
    // Overlaps or touches range i: grow it, then swallow the ones after it that it reaches.
    if (seqLt(start, r[i])) r[i] = start;
    if (seqGt(end, r[i + 1])) r[i + 1] = end;
    let j = i + 2;
    while (j < n && seqLe(r[j], r[i + 1])) {
      r[i + 1] = seqMax(r[i + 1], r[j + 1]);
      j += 2;
    }
    if (j > i + 2) r.splice(i + 2, j - (i + 2));
    return true;
  }
  if (n >= 2 * max) return false;
  r.splice(i, 0, start, end);
  return true;
}

/**
 * The cumulative point has moved to `nxt`: drops the ranges that start at or before it and returns how
 * far contiguous data reaches (≥ nxt) by joining them.
 */
export function rangesAdvance(r: number[], nxt: number): number {
  let k = 0;
  while (k < r.length && seqLe(r[k], nxt)) {
    nxt = seqMax(nxt, r[k + 1]);
    k += 2;
  }
  if (k > 0) r.splice(0, k);
  return nxt;
}

/**
 * A connection's out-of-order receive state, made on the first segment beyond RCV.NXT (or a FIN beyond
 * it) and dropped once everything is in order again and nothing about it is owed.
 */
export class OutOfOrder {
  /** Held ranges (rangesAdd/rangesAdvance). */
  readonly r: number[] = [];
  /** Sequence number of the latest out-of-order segment (its range is reported first, RFC 2018 §4). */
  last = 0;
  /** A FIN seen beyond RCV.NXT: its sequence number, or -1. */
  fin = -1;
  /**
   * Out-of-order segments since the last output, each owed its own immediate duplicate ACK (RFC 5681
   * §4.2), and RCV.NXT when they came. Several can arrive between two outputs (one poll reads a batch
   * of frames); one ACK for all of them would hide the duplicates a sender without SACK counts (§3.2).
   */
  owed = 0;
  owedAt = 0;

  /** Nothing held, no FIN waiting, no duplicate ACK owed: the state can go. */
  empty(): boolean {
    return this.r.length === 0 && this.fin < 0 && this.owed === 0;
  }
}
