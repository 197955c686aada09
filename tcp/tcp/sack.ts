// Selective acknowledgment (RFC 2018): the SACK blocks we send for out-of-order data held, the
// scoreboard of what the peer reports holding, and retransmission of the holes it leaves (a light RFC
// 6675). Everything SACK-only lives here, behind the constant SACK, so that a board whose receive
// buffer holds only one or two segments builds sack.off.ts in its place (tools/build/profile.ts) and
// the guarded code (`if (SACK && …)`) is gone from its bundle.
import { TcpRepr, TCP_ACK } from '../wire/reprs';
import { IpSender } from '../iface/transport';
import {
  TcpSocket, F_ACK_PENDING, F_IN_RECOVERY, F_SACK_OK, F_RACK_ARMED, F_REORDER, F_REXMIT_REPEATED, F_REXMIT_TIMER, F_RTT_SAMPLED,
  F_TLP_ARMED,
} from './socket';
import { rangesAdd, rangesAdvance } from './reassembly';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq';
import { SegmentSender, TcpCounters } from './hosts';

/** 1: SACK is in this build (0 in sack.off.ts). */
export const SACK = 1;

/** SACK scoreboard ranges kept (a SACK option carries at most 4 blocks, RFC 2018 §3). */
const SCOREBOARD_RANGES = 4;

/**
 * An ACK arrived: remember what the peer holds above the cumulative ACK (blocks outside (ACK, SND.MAX]
 * are ignored; a full scoreboard just stays incomplete), and forget what the ACK now covers.
 */
export function sackOnAck(sock: TcpSocket, seg: TcpRepr, counters: TcpCounters): void {
  const ack = seg.ack;
  const s = seg.sack;
  // RFC 2883 §4: a first block at or below the cumulative ACK, or inside the second block, is a DSACK.
  if (s.length >= 2 && (seqLe(s[1], ack) || (s.length >= 4 && seqLe(s[2], s[0]) && seqLe(s[1], s[3])))) duplicateReported(sock, s[0], s[1], counters);
  for (let i = 0; i + 1 < s.length; i += 2) {
    const l = seqGt(s[i], ack) ? s[i] : ack;
    const r = s[i + 1];
    if (seqGt(r, l) && seqLe(r, sock.sndMax)) rangesAdd(sock.sacked || (sock.sacked = []), l, r, SCOREBOARD_RANGES);
  }
  if (sock.sacked !== null && seqGt(ack, sock.sndUna)) {
    rangesAdvance(sock.sacked, ack);
    if (sock.sacked.length === 0) sock.sacked = null; // nothing above SND.UNA is known held
  }
}

/** Retransmissions of one loss episode remembered for undoing it (more: it cannot be undone). */
const EPISODE_REXMITS = 8;

/**
 * A DSACK (RFC 2883) reports [l, r) received twice: the peer reorders, or we sent needlessly. RFC 3708
 * §3.2: when every segment retransmitted in the last fast recovery comes back as a duplicate, the loss
 * was not one, and the reduction is undone as Linux does (cwnd and ssthresh back to at least what they
 * were). An ACK that reports the last one and also ends the recovery (a peer that delayed its ACK of the
 * original) is read here before its cumulative part: the undo then waits for the recovery's end (input.ts).
 * RFC 8985 §6.2 step 4 also widens the reordering window a step for each round trip with a DSACK. Ours
 * has one step, to SRTT (F_REORDER); taken at every DSACK it made recovery slower on lossy links
 * (measured on the virtual clock: 5 % loss, 2 ms, 8 KB −2.9 %), so it is not taken here.
 */
function duplicateReported(sock: TcpSocket, l: number, r: number, counters: TcpCounters): void {
  const u = sock.undo;
  if (!u) return;
  const q = u.rexmits;
  for (let i = 0; i < q.length; i++) {
    if (seqLe(l, q[i]) && seqLt(q[i], r)) {
      q.splice(i, 1);
      if (q.length === 0) {
        if ((sock.flags & F_IN_RECOVERY) === 0) undoRecovery(sock, counters);
        else u.needless = true;
      }
      return;
    }
  }
}

/** A fast recovery begins (input.ts onDupAck): remember the window it reduces. */
export function episodeBegin(sock: TcpSocket): void {
  sock.undo = { cwnd: sock.cwnd, ssthresh: sock.ssthresh, rexmits: [], needless: false };
}

/** A segment at `seq` was retransmitted: an episode is undone only when each of these came back as a duplicate. */
export function episodeRexmit(sock: TcpSocket, seq: number): void {
  const u = sock.undo;
  if (!u) return;
  if (u.rexmits.length < EPISODE_REXMITS) {
    u.rexmits.push(seq);
    u.needless = false;
  } else sock.undo = undefined;
}

/** The reduction of the last fast recovery was needless (duplicateReported, input.ts at its end): undo it. */
export function undoRecovery(sock: TcpSocket, counters: TcpCounters): void {
  const u = sock.undo!;
  sock.undo = undefined;
  if (sock.cwnd < u.cwnd) sock.cwnd = u.cwnd;
  if (sock.ssthresh < u.ssthresh) sock.ssthresh = u.ssthresh;
  counters.recoveriesUndone++;
}

/**
 * RFC 8985 §7.4.2: the ACK that covers a loss probe reports the probe's data a duplicate (a DSACK that
 * ends at the cumulative ACK): the segment it repeated had arrived, and nothing was lost.
 */
export function probeWasDuplicate(seg: TcpRepr): boolean {
  const s = seg.sack;
  return s.length >= 2 && s[1] === seg.ack;
}

/** RFC 2883: [l, r) arrived again; reported by the next ACK (fillSackBlocks) if SACK was agreed. */
export function duplicateReceived(sock: TcpSocket, l: number, r: number): void {
  if ((sock.flags & F_SACK_OK) !== 0 && seqLt(l, r)) sock.dup = [l, r];
}

/**
 * RFC 2018 §4: SACK blocks for the out-of-order data held, the block holding the most recent segment
 * first, then the others in order, at most 4 (the wire format drops what does not fit).
 */
export function fillSackBlocks(sock: TcpSocket, out: number[]): void {
  // RFC 2883 §4: a duplicate received goes first, once (a full-sized segment carries no blocks: then never).
  const d = sock.dup;
  if (d) {
    out.push(d[0], d[1]);
    sock.dup = undefined;
  }
  const o = sock.ooo;
  if (!o) return;
  const r = o.r;
  let first = -1;
  for (let i = 0; i < r.length; i += 2) {
    if (seqLe(r[i], o.last) && seqLt(o.last, r[i + 1])) first = i;
  }
  if (first >= 0) out.push(r[first], r[first + 1]);
  for (let i = 0; i < r.length && out.length < 8; i += 2) if (i !== first) out.push(r[i], r[i + 1]);
}

/**
 * Retransmits the next hole below the highest SACKed byte (RFC 6675 §4 NextSeg, rule 1, simplified):
 * from `rexmitNext` skip SACKed ranges; the hole ends where the next SACKed range starts.
 */
export function sackRetransmit(sock: TcpSocket, ip: IpSender, tx: SegmentSender, mss: number): void {
  const q = sock.sacked;
  if (q === null) return;
  let h = seqLt(sock.rexmitNext, sock.sndUna) ? sock.sndUna : sock.rexmitNext;
  let i = 0;
  while (i < q.length && seqLe(q[i], h)) {
    if (seqLt(h, q[i + 1])) h = q[i + 1];
    i += 2;
  }
  if (i >= q.length) return; // nothing SACKed above h: not known to be lost
  let n = seqDiff(q[i], h);
  if (n > mss) n = mss;
  const offset = seqDiff(h, sock.sndUna);
  if (offset + n > sock.tx.length) n = sock.tx.length - offset;
  if (n <= 0) return;
  tx.sendSegment(ip, sock, TCP_ACK, h, offset, n);
  tx.counters.sackRetransmits++;
  episodeRexmit(sock, h);
  sock.rexmitNext = seqAdd(h, n);
  sock.flags &= ~F_ACK_PENDING;
}

/**
 * RACK's time-based loss detection (RFC 8985 §6.2), without a send time per segment: a duplicate ACK
 * shows SACKed data above the hole at SND.UNA. That data was sent after the hole, so RACK marks the hole
 * lost a reordering window after that data's round trip, that is no later than now + the window: a
 * timer (rtxAt with F_RACK_ARMED, in place of the RTO, driven by poll) then starts recovery
 * (output.ts rtxExpired) without waiting for a third duplicate ACK that a small window may never produce. The
 * window (step 4): SRTT/4 (the RFC's min_RTT/4; SRTT is never below it), SRTT once the peer was seen
 * reordering (F_REORDER, input.ts).
 */
export function rackArm(sock: TcpSocket, now: number): void {
  const f = sock.flags;
  if ((f & F_RACK_ARMED) !== 0 || (f & F_RTT_SAMPLED) === 0 || sock.rtxAt === 0) return;
  const t = now + ((f & F_REORDER) !== 0 ? sock.srtt : sock.srtt / 4);
  if (t < sock.rtxAt) {
    sock.rtxAt = t;
    sock.flags = (f & ~F_TLP_ARMED) | F_RACK_ARMED;
  }
}

/**
 * A lost retransmission. RACK finds one only through data sent after it (RFC 8985 §6.2), and a hole that
 * holds the peer's window full leaves nothing to send after it: only the RTO (200 ms or more) would. But in
 * recovery, with data above the hole SACKed, the peer ACKs the segment that fills its gap at once (RFC
 * 5681 §4.2), so no ACK within two round trips means the retransmission at SND.UNA was lost as well. The
 * timer (rtxAt with F_REXMIT_TIMER, driven by poll) then sends it again, once per hole, with the RTO
 * behind it (output.ts rtxExpired). Measured at 8 KB, 10 ms, 1 % loss against Linux (BENCHMARKS §4):
 * about one RTO in three fetches of 2 MB came from such a loss.
 */
export function rexmitTimerArm(sock: TcpSocket, now: number): void {
  const f = sock.flags;
  if ((f & F_IN_RECOVERY) === 0 || (f & (F_REXMIT_REPEATED | F_REXMIT_TIMER)) !== 0 || sock.sacked === null ||
      (f & F_RTT_SAMPLED) === 0) return;
  const t = now + (sock.srtt < 5 ? 10 : 2 * sock.srtt);
  if (t < sock.rtxAt) {
    sock.rtxAt = t;
    sock.flags = (f & ~F_TLP_ARMED) | F_REXMIT_TIMER;
  }
}
