// SEGMENT ARRIVES for an existing connection (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 other states),
// with RFC 5961's challenge ACKs for blind RST/SYN/ACK injection. LISTEN and CLOSED (no connection)
// are handled by the Tcp demultiplexer (tcp.ts); TIME_WAIT by its compact table there.
import { TcpRepr, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../wire/reprs';
import {
  TcpSocket, F_ACK_PENDING, F_FAST_REXMIT, F_FIN_ACKED, F_FIN_QUEUED, F_FIN_SENT, F_IN_RECOVERY, F_PEER_FIN,
  F_RTT_ACTIVE, F_SACK_OK, F_SACK_REXMIT, F_SEG_UNACKED, F_TLP_ARMED, F_TLP_DUE, F_TLP_SENT, F_UNREACHABLE, F_VISIBLE,
} from './socket';
import {
  SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK,
  canReceiveData,
} from './state';
import { segmentSize } from './segment-size';
import { seqAdd, seqDiff, seqLt, seqLe, seqGt, seqGe } from './seq';
import { rangesAdd, rangesAdvance } from './reassembly';
import { SACK, sackOnAck } from './sack';

export interface TcpCounters {
  rxSegments: number;
  rxBad: number; // failed parse or checksum
  txSegments: number;
  txNoRoute: number; // beginDatagram refused (no ARP answer / route)
  rstSent: number;
  rstReceived: number;
  rstQueueFull: number;
  outOfWindow: number; // unacceptable segments answered with an ACK
  challengeAcks: number;
  challengeAcksLimited: number;
  oooSegments: number;
  oooDropped: number; // no free reassembly range
  retransmits: number;
  timeouts: number; // connections aborted by the retry limit
  synDropped: number; // backlog or connection table full
  acceptOverflow: number; // established but no room to queue for accept()
  activeOpens: number;
  passiveOpens: number;
  timeWaitReclaimed: number;
  finWait2Timeouts: number;
  fastRetransmits: number;
  sackRetransmits: number;
  synCookiesSent: number;
  synCookiesValid: number;
  synCookiesInvalid: number;
  synCookiesUnverified: number; // ACKs to a listener dropped (not reset) while cookies were in use
  icmpOutOfWindow: number; // ICMP errors quoting a sequence number we did not send (RFC 5927)
  halfOpenUnreachable: number; // half-open connections ended early: their SYN|ACK could not reach the peer
  evicted: number; // connections ended to make room for a new one (half-open, or marked evictable by the app)
  synFinDropped: number; // SYN+FIN to a listener (RFC 9293 allows it; no real stack sends it; Linux drops it)
  appErrors: number; // exceptions thrown by application callbacks (caught, counted; the stack goes on)
  lossProbes: number; // tail loss probes sent (RFC 8985 §7): the last segment again, two round trips without an ACK
}

export function newTcpCounters(): TcpCounters {
  return {
    rxSegments: 0, rxBad: 0, txSegments: 0, txNoRoute: 0, rstSent: 0, rstReceived: 0, rstQueueFull: 0,
    outOfWindow: 0, challengeAcks: 0, challengeAcksLimited: 0, oooSegments: 0, oooDropped: 0,
    retransmits: 0, timeouts: 0, synDropped: 0, acceptOverflow: 0, activeOpens: 0, passiveOpens: 0,
    timeWaitReclaimed: 0, finWait2Timeouts: 0, fastRetransmits: 0, sackRetransmits: 0, synCookiesSent: 0, synCookiesValid: 0,
    synCookiesInvalid: 0, synCookiesUnverified: 0, icmpOutOfWindow: 0, halfOpenUnreachable: 0, evicted: 0,
    synFinDropped: 0, appErrors: 0, lossProbes: 0,
  };
}

/** What segment processing needs from the Tcp. */
export interface InputHost {
  readonly counters: TcpCounters;
  /** Queues <SEQ=seq><CTL=RST> to the socket's peer. */
  queueRstFor(sock: TcpSocket, seq: number): void;
  /** RFC 5961 §7: whether another challenge ACK may go out now (rate limit). */
  allowChallengeAck(nowMs: number): boolean;
  /** The socket reached TIME_WAIT: keep a compact entry (and ACK the FIN from it). */
  enterTimeWait(sock: TcpSocket, nowMs: number): void;
  /** Sets up send MSS and window scaling from the peer's SYN options. */
  applySynOptions(sock: TcpSocket, seg: TcpRepr): void;
}

/** The send window from a segment that synchronizes (its SEG.SEQ and SEG.ACK become SND.WL1, SND.WL2). */
export function setSendWindow(sock: TcpSocket, wnd: number, seq: number, ack: number): void {
  sock.sndWnd = wnd;
  sock.maxSndWnd = wnd;
  sock.sndWl1 = seq;
  sock.sndWl2 = ack;
}

/**
 * Our SYN is acknowledged by `ack` (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 SYN-RECEIVED): SND.UNA moves,
 * the handshake's round trip is measured (Karn: not after a retransmission), the timer stops.
 */
function synAcked(sock: TcpSocket, ack: number, now: number): void {
  sock.sndUna = ack;
  if (seqLt(sock.sndNxt, ack)) sock.sndNxt = ack;
  if ((sock.flags & F_RTT_ACTIVE) !== 0 && sock.retries === 0) sock.rttSample(now - sock.rttSentAt);
  sock.flags &= ~F_RTT_ACTIVE;
  sock.rtxAt = 0;
  sock.retries = 0;
  sock.state = (sock.flags & F_FIN_QUEUED) !== 0 ? FIN_WAIT_1 : ESTABLISHED;
}

function challengeAck(sock: TcpSocket, host: InputHost, now: number): void {
  if (host.allowChallengeAck(now)) {
    host.counters.challengeAcks++;
    sock.flags |= F_ACK_PENDING;
  } else host.counters.challengeAcksLimited++;
}

/** Processes `seg` (payload in `buf`) for `sock`. May finish the socket; the caller delivers data after. */
export function segmentArrives(sock: TcpSocket, seg: TcpRepr, buf: Uint8Array, now: number, host: InputHost): void {
  sock.lastActivityMs = now;
  if (sock.ka !== null) sock.ka.probes = 0;
  sock.flags &= ~F_UNREACHABLE;
  const flags = seg.flags;
  let seq = seg.seq;
  let dataOff = seg.payloadOffset;
  let dataLen = seg.payloadLength;
  let fin = (flags & TCP_FIN) !== 0;

  if (sock.state === SYN_SENT) {
    // RFC 9293 §3.10.7.3.
    const hasAck = (flags & TCP_ACK) !== 0;
    if (hasAck && (seqLe(seg.ack, sock.iss) || seqGt(seg.ack, sock.sndMax))) {
      if (!(flags & TCP_RST)) host.queueRstFor(sock, seg.ack);
      return;
    }
    if (flags & TCP_RST) {
      // Acceptable ACK (checked above) with RST: the peer refuses. Without ACK: drop.
      if (hasAck) {
        host.counters.rstReceived++;
        sock.finish('ECONNREFUSED');
      }
      return;
    }
    if (!(flags & TCP_SYN)) return;
    sock.rcvNxt = seqAdd(seq, 1);
    sock.rcvAdv = seqAdd(sock.rcvNxt, sock.receiveWindow());
    host.applySynOptions(sock, seg);
    // RFC 7323 §2.2: the window in a SYN is never scaled.
    setSendWindow(sock, seg.window, seq, seg.ack);
    if (!hasAck) {
      // Simultaneous open: answer <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; our SYN goes again with ACK.
      sock.state = SYN_RECEIVED;
      sock.sndNxt = sock.iss;
      return;
    }
    synAcked(sock, seg.ack, now);
    sock.flags |= F_ACK_PENDING;
    sock.flags |= F_VISIBLE;
    sock.emit('connect');
    if (sock.closed) return;
    // Data or FIN that came with the SYN|ACK continues at step six below.
    seq = seqAdd(seq, 1);
    processText(sock, seq, buf, dataOff, dataLen, fin, now, host);
    return;
  }

  // First: sequence number acceptability (RFC 9293 §3.10.7.4, table of four cases).
  const syn = (flags & TCP_SYN) !== 0;
  const segLen = dataLen + (syn ? 1 : 0) + (fin ? 1 : 0);
  let wnd = seqDiff(sock.rcvAdv, sock.rcvNxt);
  if (wnd < 0) wnd = 0;
  // In SYN_RECEIVED, SND.WL1 still holds the peer's ISN (IRS): set from its SYN, moved only once established.
  if (sock.state === SYN_RECEIVED && syn && !(flags & TCP_ACK) && seq === sock.sndWl1) {
    // Our SYN|ACK was lost and the peer repeated its SYN: send the SYN|ACK again.
    if (!(flags & TCP_RST)) sock.sndNxt = sock.iss;
    return;
  }
  let acceptable: boolean;
  let ackOnly = false;
  if (segLen === 0) {
    // Zero-length: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, taken inclusive at the right edge (as Linux):
    // a peer whose data filled our window numbers its pure ACKs with the edge itself.
    acceptable = seqGe(seq, sock.rcvNxt) && seqLe(seq, seqAdd(sock.rcvNxt, wnd));
  } else if (wnd === 0) {
    // "special allowance should be made to accept valid ACKs, URGs, and RSTs" with a zero window.
    acceptable = seq === sock.rcvNxt;
    ackOnly = acceptable;
  } else {
    const last = seqAdd(seq, segLen - 1);
    const right = seqAdd(sock.rcvNxt, wnd);
    acceptable = (seqGe(seq, sock.rcvNxt) && seqLt(seq, right)) || (seqGe(last, sock.rcvNxt) && seqLt(last, right));
  }
  if (!acceptable) {
    if (!(flags & TCP_RST)) {
      host.counters.outOfWindow++;
      sock.flags |= F_ACK_PENDING;
    }
    return;
  }

  // Second: RST (with RFC 5961 §3.2: only an exact RCV.NXT match resets; in-window gets a challenge ACK).
  if (flags & TCP_RST) {
    if (seq !== sock.rcvNxt) {
      challengeAck(sock, host, now);
      return;
    }
    host.counters.rstReceived++;
    const st = sock.state;
    if (st === SYN_RECEIVED) {
      // Passive open: back to LISTEN (the half-open entry goes, silently). Active: refused.
      sock.finish(sock.listener ? null : 'ECONNREFUSED');
    } else if (st === ESTABLISHED || st === FIN_WAIT_1 || st === FIN_WAIT_2 || st === CLOSE_WAIT) {
      sock.finish('ECONNRESET');
    } else {
      sock.finish(null); // CLOSING, LAST_ACK
    }
    return;
  }

  // Trim what lies before RCV.NXT (old duplicates) and beyond the window.
  let synFlag = syn;
  let before = seqDiff(sock.rcvNxt, seq);
  if (before > 0) {
    if (synFlag) { synFlag = false; before--; seq = seqAdd(seq, 1); }
    const take = before < dataLen ? before : dataLen;
    dataOff += take;
    dataLen -= take;
    seq = seqAdd(seq, take);
    if (before > take) fin = false; // the FIN too was seen before
  }
  const room = seqDiff(seqAdd(sock.rcvNxt, wnd), seq);
  if (dataLen > room) {
    dataLen = room > 0 ? room : 0;
    fin = false;
  }
  if (ackOnly) {
    // Text beyond a zero window (e.g. a window probe): not taken, but answered with an ACK.
    dataLen = 0;
    fin = false;
    sock.flags |= F_ACK_PENDING;
  }

  // Fourth: a SYN in the window of a synchronized connection (RFC 5961 §4: challenge ACK).
  if (synFlag) {
    challengeAck(sock, host, now);
    return;
  }

  // Fifth: the ACK field.
  if (!(flags & TCP_ACK)) return;
  if (sock.state === SYN_RECEIVED) {
    if (seqLt(sock.sndUna, seg.ack) && seqLe(seg.ack, sock.sndMax)) {
      synAcked(sock, seg.ack, now);
      setSendWindow(sock, seg.window << sock.sndShift, seg.seq, seg.ack);
      if (sock.listener) {
        sock.listener.onEstablished(sock);
      } else {
        sock.flags |= F_VISIBLE;
        sock.emit('connect'); // simultaneous open completes
      }
      if (sock.closed) return;
    } else {
      host.queueRstFor(sock, seg.ack);
      return;
    }
  } else if (!processAck(sock, seg, now, host, dataLen === 0 && !fin)) {
    return;
  }
  if (sock.closed) return;

  // State changes caused by our FIN being acknowledged.
  if ((sock.flags & F_FIN_ACKED) !== 0) {
    if (sock.state === FIN_WAIT_1) {
      sock.state = FIN_WAIT_2;
      // Everything of ours is acknowledged, so the retransmission timer is free: it times FIN_WAIT_2.
      sock.rtxAt = sock.host.config.finWait2TimeoutMs > 0 ? now + sock.host.config.finWait2TimeoutMs : 0;
    } else if (sock.state === CLOSING) {
      host.enterTimeWait(sock, now);
      return;
    } else if (sock.state === LAST_ACK) {
      sock.finish(null);
      return;
    }
  }

  // Sixth (URG) is not supported: urgent data is delivered in line. Seventh and eighth: text and FIN.
  processText(sock, seq, buf, dataOff, dataLen, fin, now, host);
}

/**
 * ACK processing in synchronized states (RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5). Returns false
 * when the segment is to be dropped.
 */
function processAck(sock: TcpSocket, seg: TcpRepr, now: number, host: InputHost, pureAck: boolean): boolean {
  const ack = seg.ack;
  // Acknowledging what was never sent: ACK and drop (SND.MAX: the highest sequence number sent).
  if (seqGt(ack, sock.sndMax)) {
    challengeAck(sock, host, now);
    return false;
  }
  // RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped with an ACK.
  if (seqLt(ack, seqAdd(sock.sndUna, -sock.maxSndWnd - 1))) {
    challengeAck(sock, host, now);
    return false;
  }
  // RFC 2018: the peer's SACK blocks go to the scoreboard (only if we said SACK-permitted: §4).
  if (SACK && (sock.flags & F_SACK_OK) !== 0) sackOnAck(sock, seg);
  if (seqGt(ack, sock.sndUna)) {
    let acked = seqDiff(ack, sock.sndUna);
    if ((sock.flags & F_FIN_SENT) !== 0 && ack === seqAdd(sock.dataEnd(), 1)) {
      sock.flags |= F_FIN_ACKED;
      acked--;
    }
    const flight = seqDiff(sock.sndMax, sock.sndUna);
    sock.tx.consume(acked);
    sock.sndUna = ack;
    if (seqLt(sock.sndNxt, ack)) sock.sndNxt = ack;
    if (seqLt(sock.sndMax, ack)) sock.sndMax = ack;
    // RFC 6298 §3 / Karn: the timed segment is covered and was not retransmitted.
    if ((sock.flags & F_RTT_ACTIVE) !== 0 && seqGe(ack, sock.rttSeq)) {
      sock.rttSample(now - sock.rttSentAt);
      sock.flags &= ~F_RTT_ACTIVE;
    }
    sock.retries = 0;
    // RFC 6298 §5.2/§5.3: stop the timer when all is acknowledged, otherwise restart it (output arms a
    // loss probe in its place when one is due: output.ts armLossProbe).
    sock.rtxAt = ack === sock.sndMax ? 0 : now + sock.rto;
    const probed = (sock.flags & F_TLP_SENT) !== 0;
    sock.flags &= ~(F_TLP_ARMED | F_TLP_DUE | F_TLP_SENT);
    onNewAck(sock, acked, flight);
    if (probed && ack === sock.sndMax && (sock.flags & F_IN_RECOVERY) === 0) {
      // RFC 8985 §7.4: everything up to the probe is acknowledged; without DSACK we cannot tell whether
      // the probe repaired a loss, so it is taken to have: the congestion window is halved.
      sock.ssthresh = Math.max(flight >> 1, 2 * sock.sndMss);
      sock.cwnd = sock.ssthresh;
    }
    sock.fillTx();
    if (sock.closed) return false;
  } else if (pureAck && ack === sock.sndUna && seg.window << sock.sndShift === sock.sndWnd &&
             sock.sndWnd > 0 && seqGt(sock.sndMax, sock.sndUna)) {
    // RFC 5681 §2 "duplicate acknowledgment" (a zero window is flow control, not a loss signal).
    onDupAck(sock);
  }
  // RFC 9293 §3.10.7.4: update the send window only from segments newer than the last update.
  if (seqLt(sock.sndWl1, seg.seq) || (sock.sndWl1 === seg.seq && seqLe(sock.sndWl2, ack))) {
    const wasClosed = sock.sndWnd === 0;
    sock.sndWnd = seg.window << sock.sndShift;
    // The window reopened with our probe byte not taken: send from SND.UNA again, in the window.
    if (wasClosed && sock.sndWnd > 0 && seqGt(sock.sndNxt, sock.sndUna)) sock.sndNxt = sock.sndUna;
    if (sock.sndWnd > sock.maxSndWnd) sock.maxSndWnd = sock.sndWnd;
    sock.sndWl1 = seg.seq;
    sock.sndWl2 = ack;
  }
  // A peer that answers our zero-window probes is alive: probing continues without a retry limit.
  if (sock.sndWnd === 0) sock.retries = 0;
  return true;
}

/** Congestion window on new data acknowledged (RFC 5681 §3.1; NewReno fast recovery RFC 6582 §3.2). */
function onNewAck(sock: TcpSocket, acked: number, flightBefore: number): void {
  const mss = sock.sndMss;
  if ((sock.flags & F_IN_RECOVERY) !== 0) {
    if (seqLt(sock.sndUna, sock.recover)) {
      // Partial ACK (step 5): retransmit the first unacknowledged segment, deflate by what was acked.
      sock.flags |= F_FAST_REXMIT;
      if (seqLt(sock.rexmitNext, sock.sndUna)) sock.rexmitNext = sock.sndUna;
      sock.cwnd = sock.cwnd > acked ? sock.cwnd - acked + (acked >= mss ? mss : 0) : mss;
      return;
    }
    // Full ACK (step 5, option 2): cwnd = ssthresh, the burst it may allow bounded by our pacing
    // (config maxBurst). Option 1, min(ssthresh, FlightSize + SMSS), leaves one segment when the window
    // held everything back during recovery (FlightSize 0), and slow start then takes round trips to refill
    // it: measured at 8 KB, 10 ms, 1 % loss, one segment in flight 14 % of the time.
    sock.cwnd = sock.ssthresh;
    sock.flags &= ~F_IN_RECOVERY;
    sock.dupAcks = 0;
    return;
  }
  sock.dupAcks = 0;
  if (flightBefore <= 0) return;
  if (sock.cwnd < sock.ssthresh) sock.cwnd += acked < mss ? acked : mss; // slow start
  else sock.cwnd += Math.max(1, Math.floor((mss * mss) / sock.cwnd)); // congestion avoidance
  if (sock.cwnd > CWND_CAP) sock.cwnd = CWND_CAP;
}

const CWND_CAP = 1 << 22;

/** Duplicate ACKs: fast retransmit on the third and NewReno fast recovery (RFC 5681 §3.2, RFC 6582 §3.2). */
function onDupAck(sock: TcpSocket): void {
  sock.dupAcks++;
  const mss = sock.sndMss;
  const flight = seqDiff(sock.sndMax, sock.sndUna);
  // RFC 5827 early retransmit: with fewer than four segments outstanding and no new segment allowed out
  // (§3.1: nothing unsent, or the peer's window has no room for one), three duplicates can never come;
  // the threshold is the outstanding segments less one. Data the application still holds beyond a full
  // send buffer cannot go out either: the buffer is all in flight. Not while SND.UNA is still at the end
  // of the last recovery (`recover`): a retransmission the peer already had comes back as a duplicate
  // ACK of exactly that point, and with a threshold of one it would start a recovery of its own, whose
  // retransmission does the same (seen as a chain of spurious fast retransmits at 2 KB, 1 % loss).
  let thresh = 3;
  const seg = segmentSize(sock);
  const segs = Math.ceil(flight / seg);
  if (segs < 4 && seqGt(sock.sndUna, sock.recover) && (sock.tx.length <= flight || sock.sndWnd - flight < seg)) thresh = segs > 1 ? segs - 1 : 1;
  if (sock.dupAcks >= thresh && (sock.flags & F_IN_RECOVERY) === 0 && seqGe(sock.sndUna, sock.recover)) {
    sock.ssthresh = Math.max(flight >> 1, 2 * mss);
    sock.recover = sock.sndMax;
    sock.flags |= F_IN_RECOVERY;
    sock.cwnd = sock.ssthresh + 3 * mss;
    sock.flags |= F_FAST_REXMIT;
    sock.rexmitNext = sock.sndUna;
  } else if ((sock.flags & F_IN_RECOVERY) !== 0) {
    sock.cwnd += mss; // each further duplicate: a segment has left the network
    // With a SACK scoreboard, that segment's room goes to the next hole first.
    if (SACK && sock.sacked !== null) sock.flags |= F_SACK_REXMIT;
  }
}

/** At most this many duplicate ACKs go out in one output (bounded; 3 already trigger fast retransmit). */
const MAX_DUP_ACKS_OWED = 8;

/** Seventh and eighth steps: segment text into the receive ring (in order or reassembly), then FIN. */
function processText(sock: TcpSocket, seq: number, buf: Uint8Array, dataOff: number, dataLen: number,
  fin: boolean, now: number, host: InputHost): void {
  if (dataLen > 0 && canReceiveData(sock.state)) {
    const data = buf.subarray(dataOff, dataOff + dataLen);
    const offset = seqDiff(seq, sock.rcvNxt);
    let ackNow = true;
    if (offset === 0) {
      const ooo = sock.ooo;
      const filledGap = ooo !== null && ooo.r.length > 0;
      const stored = sock.rx.writeAt(0, data);
      const reach = filledGap ? rangesAdvance(ooo.r, seqAdd(sock.rcvNxt, stored)) : seqAdd(sock.rcvNxt, stored);
      sock.rx.commit(seqDiff(reach, sock.rcvNxt));
      sock.rcvNxt = reach;
      if (ooo !== null) {
        // Duplicate ACKs owed for an older RCV.NXT are moot now: the ACK of the new one says it all.
        if (ooo.owedAt !== reach) ooo.owed = 0;
        sock.dropOooIfDone();
      }
      // RFC 5681 §4.2: ACK at least every second segment, at once when a gap is filled; otherwise a
      // delayed ACK within delayedAckMs (RFC 1122 §4.2.3.2: < 0.5 s).
      const delay = sock.host.config.delayedAckMs;
      if (delay > 0 && !filledGap && !fin && (sock.flags & F_SEG_UNACKED) === 0) {
        sock.flags |= F_SEG_UNACKED;
        if (sock.delAckAt === 0) sock.delAckAt = now + delay;
        ackNow = false;
      }
    } else if (offset > 0) {
      host.counters.oooSegments++;
      const ooo = sock.oooState();
      ooo.last = seq;
      if (ooo.owed === 0 || ooo.owedAt !== sock.rcvNxt) {
        ooo.owed = 0;
        ooo.owedAt = sock.rcvNxt;
      }
      if (ooo.owed < MAX_DUP_ACKS_OWED) ooo.owed++;
      const stored = sock.rx.writeAt(offset, data);
      if (!rangesAdd(ooo.r, seq, seqAdd(seq, stored), sock.host.config.reassemblyRanges)) host.counters.oooDropped++;
    }
    // Out of order: the duplicate ACK at once tells the sender (RFC 5681 §4.2).
    if (ackNow) sock.flags |= F_ACK_PENDING;
  } else if (dataLen > 0) {
    sock.flags |= F_ACK_PENDING;
  }
  if (fin) {
    const finAt = seqAdd(seq, dataLen);
    if (finAt === sock.rcvNxt) {
      processFin(sock, now, host);
      return;
    }
    if (seqGt(finAt, sock.rcvNxt)) {
      // FIN beyond a gap: remembered, processed once the data before it has arrived.
      sock.oooState().fin = finAt;
      sock.flags |= F_ACK_PENDING;
    }
  }
  const ooo = sock.ooo;
  if (ooo !== null && ooo.fin >= 0 && (sock.flags & F_PEER_FIN) === 0 && ooo.fin === sock.rcvNxt) processFin(sock, now, host);
}

/** The peer's FIN is next in sequence (RFC 9293 §3.10.7.4 eighth step). */
function processFin(sock: TcpSocket, now: number, host: InputHost): void {
  if (sock.ooo !== null) {
    sock.ooo.fin = -1;
    sock.dropOooIfDone();
  }
  sock.flags |= F_PEER_FIN;
  sock.rcvNxt = seqAdd(sock.rcvNxt, 1);
  sock.flags |= F_ACK_PENDING;
  const st = sock.state;
  if (st === SYN_RECEIVED || st === ESTABLISHED) sock.state = CLOSE_WAIT;
  else if (st === FIN_WAIT_1) {
    if ((sock.flags & F_FIN_ACKED) !== 0) {
      sock.deliver(); // what came with the FIN, before the socket closes
      if (!sock.closed) host.enterTimeWait(sock, now);
    } else sock.state = CLOSING;
  } else if (st === FIN_WAIT_2) {
    sock.deliver();
    if (!sock.closed) host.enterTimeWait(sock, now);
  }
}
