// The send path and the timers of one connection: what to put on the wire now (SYN, data within the
// peer's window and the congestion window, FIN, ACKs, window updates, zero-window probes), and what a
// timer expiry means (RFC 6298 retransmission, RFC 9293 §3.8.6.1 persist, FIN_WAIT_2 and idle limits).
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../wire/reprs';
import { IpSender } from '../iface/transport';
import {
  TcpSocket, F_ACK_PENDING, F_BURST_LIMITED, F_FAST_REXMIT, F_FIN_ACKED, F_FIN_QUEUED, F_FIN_SENT,
  F_IN_RECOVERY, F_KA_PROBE_DUE, F_NO_DELAY, F_PROBE, F_RTT_ACTIVE, F_RTT_SAMPLED, F_SACK_REXMIT, F_TLP_ARMED,
  F_TLP_DUE, F_TLP_SENT, F_UNREACHABLE, F_NEED_DRAIN, F_RACK_ARMED, F_REXMIT_REPEATED, F_REXMIT_TIMER,
} from './socket';
import { TcpCounters, SegmentSender } from './hosts';
import { SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK } from './state';
import { seqAdd, seqDiff, seqLt } from './seq';
import { SACK, sackRetransmit, rexmitTimerArm, episodeRexmit } from './sack';
import { onDupAck } from './input';
import { segmentSize } from './segment-size';
import { lossSsthresh } from './congestion';
import { TcpConfig } from './config';

/** RFC 8985 §7.2: WCDelAckT, the longest a peer may delay the ACK of a lone segment. */
const WORST_DELAYED_ACK_MS = 200;
/** The shortest probe timeout (Linux's floor for its TLP timer). */
const MIN_PTO_MS = 10;

/**
 * RFC 8985 §7 tail loss probe (without RACK): while data is in flight, if no ACK comes for two round
 * trips, the last segment goes again (output, F_TLP_DUE). Its ACK repairs a lost tail or a lost ACK,
 * and its duplicate ACK completes the three that fast retransmit needs when the window let no more
 * segments out (six in flight with one lost and one ACK lost: two duplicates, then an RTO of at least
 * 200 ms). One probe per tail; the RTO stays armed behind it. In place of the RTO when earlier than it.
 */
function armLossProbe(sock: TcpSocket, now: number): void {
  // Not in recovery: fast recovery (F_IN_RECOVERY), or after a timeout until new data is acknowledged
  // (retries, reset by that ACK).
  // (The flags first: most polls find the probe armed already.)
  if ((sock.flags & (F_TLP_ARMED | F_TLP_SENT | F_IN_RECOVERY | F_PROBE | F_RTT_SAMPLED)) !== F_RTT_SAMPLED ||
      sock.rtxAt === 0 || sock.retries !== 0 || sock.state === FIN_WAIT_2 || sock.sndWnd === 0) return;
  const flight = (sock.sndMax - sock.sndUna) | 0; // seqDiff
  if (flight <= 0) return;
  let pto = 2 * sock.srtt;
  // One segment or less in flight (segmentSize() is at most the MSS: not worked out for more).
  if (flight <= sock.sndMss && flight <= segmentSize(sock)) pto += WORST_DELAYED_ACK_MS;
  if (pto < MIN_PTO_MS) pto = MIN_PTO_MS;
  if (now + pto < sock.rtxAt) {
    sock.rtxAt = now + pto;
    sock.flags |= F_TLP_ARMED;
  }
}

/** The loss probe: the last segment sent (with our FIN if that is outstanding), once; `seg`: segmentSize(). */
function sendLossProbe(sock: TcpSocket, ip: IpSender, tx: SegmentSender, seg: number): void {
  const fin = (sock.flags & F_FIN_SENT) !== 0 && (sock.flags & F_FIN_ACKED) === 0;
  const data = seqDiff(sock.sndMax, sock.sndUna) - (fin ? 1 : 0);
  const n = data < seg ? data : seg;
  if (n <= 0 && !fin) return;
  tx.sendSegment(ip, sock, TCP_ACK | (fin ? TCP_FIN : 0), seqAdd(sock.sndUna, data - n), data - n, n);
  tx.counters.lossProbes++;
  sock.flags &= ~(F_RTT_ACTIVE | F_ACK_PENDING); // Karn: the timed segment may be this one
}

function armRtx(sock: TcpSocket, now: number): void {
  if (sock.rtxAt === 0) sock.rtxAt = now + sock.rto;
}

/** Times the segment just sent, ending at SND.NXT (RFC 6298 §3: one measurement at a time). */
function timeSegment(sock: TcpSocket, now: number): void {
  sock.flags |= F_RTT_ACTIVE;
  sock.rttSeq = sock.sndNxt;
  sock.rttSentAt = now;
}

/** Sends what is due for `sock` (not closed: Tcp.poll checks) now. */
export function socketOutput(sock: TcpSocket, ip: IpSender, now: number, tx: SegmentSender): void {
  // The Tcp's list holds SYN_SENT to LAST_ACK: below ESTABLISHED are the two SYN states.
  const st = sock.state;
  if (st < ESTABLISHED) {
    synOutput(sock, ip, now, tx, st);
    return;
  }
  // Held writes move into the send ring (fillTx) when it has room, or 'drain' is owed with none held.
  if (sock.pending !== null ? sock.tx.length < sock.tx.buf.length : (sock.flags & F_NEED_DRAIN) !== 0) {
    sock.fillTx();
    if (sock.closed) return;
  }
  if ((sock.flags & (F_FAST_REXMIT | F_TLP_DUE | F_SACK_REXMIT)) !== 0) repairOutput(sock, ip, now, tx, segmentSize(sock));
  // Pacing (config.ts): an interval starts with the first segment sent after the previous one ended,
  // and holds at most maxBurst segments; the rest waits for the next (socketDeadline).
  if (sock.burstCount > 0 && now >= sock.burstUntil) sock.burstCount = 0;
  const cfg = sock.host.config;
  if (sock.burstCount < cfg.maxBurst || (sock.flags & F_PROBE) !== 0) {
    sock.flags &= ~F_BURST_LIMITED;
    dataOutput(sock, ip, now, tx, cfg);
  } else sock.flags |= F_BURST_LIMITED;
  if ((sock.flags & F_KA_PROBE_DUE) !== 0) {
    // A keep-alive probe: <SEQ=SND.UNA-1>, no data; the peer answers with an ACK.
    sock.flags &= ~(F_KA_PROBE_DUE | F_ACK_PENDING);
    tx.sendSegment(ip, sock, TCP_ACK, seqAdd(sock.sndUna, -1), 0, 0);
  }
  if (sock.delAckAt !== 0 && now >= sock.delAckAt) sock.flags |= F_ACK_PENDING;
  if (sock.ooo !== null && sock.ooo.owed > 0) owedAcks(sock, ip, tx);
  if ((sock.flags & F_ACK_PENDING) !== 0 || sock.windowUpdateDue()) {
    pureAck(sock, ip, tx);
    sock.flags &= ~F_ACK_PENDING;
  }
  // Persist: the peer's window is closed, data waits and nothing is in flight to bring an update.
  if (sock.rtxAt === 0 && sock.sndWnd === 0 && sock.tx.length > seqDiff(sock.sndNxt, sock.sndUna)) {
    armRtx(sock, now);
  }
  armLossProbe(sock, now);
}

/** New data (and our FIN) within the windows, up to the burst limit (socketOutput). */
function dataOutput(sock: TcpSocket, ip: IpSender, now: number, tx: SegmentSender, cfg: TcpConfig): void {
  const mss = segmentSize(sock);
  const finAllowed = (sock.flags & F_FIN_QUEUED) !== 0 && sock.pending === null &&
    (sock.state === FIN_WAIT_1 || sock.state === CLOSING || sock.state === LAST_ACK) && (sock.flags & F_FIN_ACKED) === 0;
  for (;;) {
    const f = sock.flags;
    if (sock.burstCount >= cfg.maxBurst && (f & F_PROBE) === 0) {
      sock.flags = f | F_BURST_LIMITED;
      break;
    }
    // Sequence arithmetic modulo 2^32 (seq.ts) written out: this runs for every segment.
    const nxt = sock.sndNxt;
    const una = sock.sndUna;
    const queued = sock.tx.length;
    const offset = (nxt - una) | 0;
    const avail = queued - offset;
    // Never beyond the peer's window (RFC 9293 §3.8.6) nor the congestion window (RFC 5681).
    const wndRoom = (((una + sock.sndWnd) >>> 0) - nxt) | 0;
    // RFC 3042 limited transmit: each of the first two duplicate ACKs lets one new segment out, so
    // that a small window still produces the three duplicates fast retransmit needs.
    const limited = (f & F_IN_RECOVERY) === 0 && sock.dupAcks > 0 && sock.dupAcks < 3 ? sock.dupAcks * mss : 0;
    const cwndRoom = sock.cwnd + limited - offset;
    let n = avail;
    if (n > mss) n = mss;
    if (n > wndRoom) n = wndRoom;
    if (n > cwndRoom) n = cwndRoom;
    // RFC 9293 §3.8.6.1: a zero-window probe carries one new byte beyond the window.
    if ((f & F_PROBE) !== 0 && avail > 0 && n <= 0) n = 1;
    if (n < 0) n = 0;
    const fin = finAllowed && offset + n === queued;
    if (n === 0 && !fin) break;
    const retransmission = ((nxt - sock.sndMax) | 0) < 0;
    if (!fin && n < mss && offset > 0 && !retransmission && (f & F_PROBE) === 0) {
      // A short segment while data is in flight. All that is queued: Nagle (RFC 9293 §3.7.4) holds it
      // until the ACK unless setNoDelay. Cut short by a window: sender SWS avoidance (§3.8.6.2.1)
      // holds it unless it is at least half the largest window the peer has offered.
      if (n === avail ? (f & F_NO_DELAY) === 0 : n < (sock.maxSndWnd >> 1)) break;
    }
    tx.sendSegment(ip, sock, TCP_ACK | (fin ? TCP_FIN : 0) | (n > 0 && offset + n === queued ? TCP_PSH : 0), nxt, offset, n);
    if (sock.burstCount++ === 0) sock.burstUntil = now + cfg.burstIntervalMs;
    if (retransmission) {
      tx.counters.retransmits++;
      if (SACK) episodeRexmit(sock, nxt);
    }
    if (fin) sock.flags |= F_FIN_SENT; // at SND.NXT + n = dataEnd(): nothing is written after it
    const end = (nxt + n + (fin ? 1 : 0)) >>> 0;
    sock.sndNxt = end;
    if (((sock.sndMax - end) | 0) < 0) sock.sndMax = end;
    if (!retransmission && (sock.flags & F_RTT_ACTIVE) === 0) timeSegment(sock, now);
    if (sock.rtxAt === 0) sock.rtxAt = now + sock.rto; // armRtx
    sock.flags &= ~F_ACK_PENDING;
    if (fin || (sock.flags & F_PROBE) !== 0) break; // a probe is one segment
  }
  sock.flags &= ~F_PROBE;
}

/** SYN_SENT and SYN_RECEIVED (`st`): (re)send our SYN when due. */
function synOutput(sock: TcpSocket, ip: IpSender, now: number, tx: SegmentSender, st: number): void {
  if (sock.sndNxt === sock.iss) {
    // (Re)send our SYN: <SEQ=ISS><CTL=SYN>, or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (RFC 9293 §3.5).
    const first = sock.sndMax === sock.iss;
    if (!tx.sendSegment(ip, sock, st === SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK, sock.iss, 0, 0) && st === SYN_RECEIVED) {
      // No way to the peer now (no route, or ARP's wait queue full: a flood from spoofed sources). A
      // half-open entry that cannot answer is not kept for a minute of retries; a real peer repeats
      // its SYN.
      tx.counters.halfOpenUnreachable++;
      sock.finish(null);
      return;
    }
    sock.sndNxt = seqAdd(sock.iss, 1);
    sock.sndMax = sock.sndNxt;
    if (first) timeSegment(sock, now);
    armRtx(sock, now);
  }
  sock.flags &= ~F_ACK_PENDING;
}

/**
 * What a loss asks for before new data (flagged by input.ts and the timers), in this order: fast
 * retransmit, the tail loss probe, SACK-based retransmission. `mss`: segmentSize().
 */
function repairOutput(sock: TcpSocket, ip: IpSender, now: number, tx: SegmentSender, mss: number): void {
  if ((sock.flags & F_FAST_REXMIT) !== 0) {
    // Fast retransmit / NewReno partial ACK: the segment at SND.UNA once, whatever the windows say.
    sock.flags &= ~F_FAST_REXMIT;
    let n = sock.tx.length;
    if (n > mss) n = mss;
    const sent = seqDiff(sock.sndMax, sock.sndUna);
    if (n > sent) n = sent;
    const fin = (sock.flags & F_FIN_SENT) !== 0 && n === sock.tx.length && n < sent;
    if (n > 0 || fin) {
      tx.sendSegment(ip, sock, TCP_ACK | (fin ? TCP_FIN : 0), sock.sndUna, 0, n);
      tx.counters.fastRetransmits++;
      if (SACK) episodeRexmit(sock, sock.sndUna);
      sock.flags &= ~(F_RTT_ACTIVE | F_ACK_PENDING); // Karn: the timed segment may be this one
      sock.rtxAt = now + sock.rto;
      if (SACK) rexmitTimerArm(sock, now);
      if (seqLt(sock.rexmitNext, seqAdd(sock.sndUna, n))) sock.rexmitNext = seqAdd(sock.sndUna, n);
    }
  }
  if ((sock.flags & F_TLP_DUE) !== 0) {
    sock.flags &= ~F_TLP_DUE;
    sendLossProbe(sock, ip, tx, mss);
  }
  if (SACK && (sock.flags & F_SACK_REXMIT) !== 0) {
    sock.flags &= ~F_SACK_REXMIT;
    sackRetransmit(sock, ip, tx, mss);
  }
}

/**
 * RFC 5681 §4.2: an immediate duplicate ACK for each out-of-order segment, even when several came
 * since the last output; a data segment carrying the ACK is not a duplicate ACK (§2), so all are pure
 * ACKs. If the gap filled meanwhile, the one ACK of the new RCV.NXT (socketOutput) says it all.
 */
function owedAcks(sock: TcpSocket, ip: IpSender, tx: SegmentSender): void {
  const ooo = sock.ooo!;
  let extra = ooo.owedAt === sock.rcvNxt ? ooo.owed - 1 : 0;
  ooo.owed = 0;
  if (ooo.owedAt === sock.rcvNxt) sock.flags |= F_ACK_PENDING;
  sock.dropOooIfDone();
  while (extra-- > 0) pureAck(sock, ip, tx);
}

/** A segment without data or flags other than ACK. */
function pureAck(sock: TcpSocket, ip: IpSender, tx: SegmentSender): void {
  // A pure ACK carries the highest sequence number sent, not SND.NXT pulled back by a timeout:
  // the peer may already hold that data, and an ACK numbered below its RCV.NXT would be dropped as
  // unacceptable (both sides doing so deadlocks). Kept within the peer's window, as Linux does.
  const wndEnd = seqAdd(sock.sndUna, sock.sndWnd);
  tx.sendSegment(ip, sock, TCP_ACK, seqLt(wndEnd, sock.sndMax) ? wndEnd : sock.sndMax, 0, 0);
}

/** Handles expired timers of `sock` (not closed: the Tcp's list holds none). */
export function socketTimers(sock: TcpSocket, now: number, counters: TcpCounters): void {
  if (sock.rtxAt !== 0 && now >= sock.rtxAt && rtxExpired(sock, now, counters)) return;
  if (sock.ka !== null && sock.state === ESTABLISHED && sock.sndMax === sock.sndUna && keepAlive(sock, now, counters)) return;
  if (sock.idleMs > 0 && now - sock.lastActivityMs >= sock.idleMs) {
    sock.lastActivityMs = now;
    sock.emit('timeout');
  }
}

/** The retransmission timer expired (socketTimers). True when nothing else is due now (or the socket ended). */
function rtxExpired(sock: TcpSocket, now: number, counters: TcpCounters): boolean {
  sock.rtxAt = 0;
  if ((sock.flags & F_TLP_ARMED) !== 0) {
    // The probe timeout (armLossProbe): output sends the probe; the RTO is armed behind it (RFC 8985 §7.3).
    sock.flags = (sock.flags & ~F_TLP_ARMED) | F_TLP_DUE | F_TLP_SENT;
    sock.rtxAt = now + sock.rto;
    return true; // (nothing below is due while data is in flight: keep-alive and idle wait for the next poll)
  }
  if (SACK && (sock.flags & F_RACK_ARMED) !== 0) {
    // RFC 8985 §6.2: the reordering window has passed (sack.ts rackArm), the hole is lost: what a third
    // duplicate ACK does (unless recovery began meanwhile). The RTO is armed behind it.
    sock.flags &= ~F_RACK_ARMED;
    sock.rtxAt = now + sock.rto;
    if (sock.sacked !== null && (sock.flags & F_IN_RECOVERY) === 0) {
      sock.dupAcks = 2;
      onDupAck(sock, now);
    }
    return true;
  }
  if (SACK && (sock.flags & F_REXMIT_TIMER) !== 0) {
    // The retransmission at SND.UNA is lost too (sack.ts rexmitTimerArm): send it again. RFC 8985 §3.4:
    // a lost retransmission is congestion as well, so ssthresh goes down again (from this flight; cwnd
    // reaches it at the end of recovery), and recovery extends to what is sent now.
    sock.flags = (sock.flags & ~F_REXMIT_TIMER) | F_REXMIT_REPEATED;
    sock.rtxAt = now + sock.rto;
    if ((sock.flags & F_IN_RECOVERY) !== 0) {
      sock.flags |= F_FAST_REXMIT;
      sock.ssthresh = lossSsthresh(seqDiff(sock.sndMax, sock.sndUna), sock.sndMss);
      sock.recover = sock.sndMax;
    }
    return true;
  }
  if (sock.state === FIN_WAIT_2) {
    // The FIN_WAIT_2 limit (nothing of ours is left to retransmit in that state: the timer is free).
    counters.finWait2Timeouts++;
    sock.finish(null);
    return true;
  }
  const syn = sock.state === SYN_SENT || sock.state === SYN_RECEIVED;
  const limit = syn ? sock.host.config.synRetries : sock.host.config.maxRetries;
  if (++sock.retries > limit) {
    counters.timeouts++;
    // A passive half-open connection just goes away; the application never saw it.
    sock.finish((sock.flags & F_UNREACHABLE) !== 0 ? 'EHOSTUNREACH' : 'ETIMEDOUT');
    return true;
  }
  sock.rttBackoff(); // RFC 6298 §5.5
  sock.flags &= ~F_RTT_ACTIVE; // Karn: nothing retransmitted is timed
  if (syn) {
    sock.sndNxt = sock.iss; // output sends the SYN (or SYN|ACK) again
    counters.retransmits++;
  } else if (sock.sndWnd === 0 && seqDiff(sock.sndMax, sock.sndUna) <= 1 && (sock.flags & F_FIN_SENT) === 0) {
    // Persist timer: probe the closed window with one byte (RFC 9293 §3.8.6.1).
    sock.sndNxt = sock.sndUna;
    sock.flags |= F_PROBE;
  } else {
    // RFC 5681 §3.1 eq. (4), with RFC 9438's β (congestion.ts): ssthresh = max(β·FlightSize, 2*SMSS),
    // cwnd = 1 segment; then go back to SND.UNA and resend (RFC 6298 §5.4). RFC 6582 §4: no fast
    // retransmit for what was sent before.
    const flight = seqDiff(sock.sndMax, sock.sndUna);
    sock.ssthresh = lossSsthresh(flight, sock.sndMss);
    sock.cwnd = sock.sndMss;
    sock.flags &= ~F_IN_RECOVERY;
    sock.dupAcks = 0;
    sock.recover = sock.sndMax;
    sock.sndNxt = sock.sndUna;
    if (SACK) {
      sock.sacked = null; // RFC 2018 §8: after a timeout, SACK information is not relied on
      sock.undo = undefined; // (a timeout's reduction is not undone)
    }
    if (sock.sndWnd === 0) sock.flags |= F_PROBE;
  }
  return false;
}

/** Keep-alive of an idle ESTABLISHED connection (socketTimers). True when the connection ended. */
function keepAlive(sock: TcpSocket, now: number, counters: TcpCounters): boolean {
  const ka = sock.ka!;
  // RFC 1122 §4.2.3.6 keep-alive: after the idle time, probes every interval; a connection whose
  // probes all go unanswered is dead (ETIMEDOUT). Any segment from the peer resets the count.
  const due = ka.probes === 0 ? sock.lastActivityMs + ka.idle : ka.next;
  if (now >= due) {
    if (ka.probes >= sock.host.config.keepAliveProbes) {
      counters.timeouts++;
      sock.finish('ETIMEDOUT');
      return true;
    }
    ka.probes++;
    sock.flags |= F_KA_PROBE_DUE;
    ka.next = now + sock.host.config.keepAliveIntervalMs;
  }
  return false;
}

/** The earliest time `sock` needs attention, or Infinity. */
export function socketDeadline(sock: TcpSocket): number {
  let t = Infinity;
  if ((sock.flags & F_BURST_LIMITED) !== 0) t = sock.burstUntil;
  if (sock.rtxAt !== 0 && sock.rtxAt < t) t = sock.rtxAt;
  if (sock.delAckAt !== 0 && sock.delAckAt < t) t = sock.delAckAt;
  if (sock.idleMs > 0 && sock.lastActivityMs + sock.idleMs < t) t = sock.lastActivityMs + sock.idleMs;
  const ka = sock.ka;
  if (ka !== null && sock.state === ESTABLISHED) {
    const k = ka.probes === 0 ? sock.lastActivityMs + ka.idle : ka.next;
    if (k < t) t = k;
  }
  return t;
}
