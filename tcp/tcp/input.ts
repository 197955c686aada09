// SEGMENT ARRIVES for an existing connection (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 other states),
// with RFC 5961's challenge ACKs for blind RST/SYN/ACK injection. LISTEN and CLOSED (no connection)
// are handled by the Tcp demultiplexer (tcp.ts); TIME_WAIT by its compact table there.
//
// segmentArrives reads as the RFC's list of steps; each step is a function below, in the RFC's order.
// Every state change goes through setState (transitions.ts).
import { TcpRepr, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../wire/reprs';
import {
  TcpSocket, F_ACK_PENDING, F_FAST_REXMIT, F_FIN_ACKED, F_FIN_QUEUED, F_FIN_SENT, F_IN_RECOVERY, F_PEER_FIN,
  F_RTT_ACTIVE, F_SACK_OK, F_SACK_REXMIT, F_SEG_UNACKED, F_TLP_ARMED, F_TLP_DUE, F_TLP_SENT, F_UNREACHABLE, F_VISIBLE,
  F_RACK_ARMED, F_REORDER, F_REXMIT_REPEATED, F_REXMIT_TIMER,
} from './socket';
import {
  SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK,
  canReceiveData,
} from './state';
import { segmentSize } from './segment-size';
import { avoidanceStep, lossSsthresh } from './congestion';
import { setState } from './transitions';
import { InputHost } from './hosts';
import { applySynOptions, setSendWindow } from './syn-options';
import { seqAdd, seqDiff, seqLt, seqLe, seqGt, seqGe } from './seq';
import { rangesAdd, rangesAdvance } from './reassembly';
import { SACK, sackOnAck, rackArm, episodeBegin, undoRecovery, probeWasDuplicate, duplicateReceived } from './sack';

/** RFC 5961 §7: at most this many challenge ACKs per second (Linux's default is 1000; a device needs few). */
const CHALLENGE_ACKS_PER_SECOND = 10;

// What the steps after the first process of the segment (RFC 9293 §3.10.7.4: "the idealized segment that
// begins at RCV.NXT and does not exceed the window"): the sequence number, offset in the buffer and
// length of its text, and whether its SYN and FIN are still in it. Set by checkSequence (synSentArrives
// in SYN-SENT) for the segment being processed: one at a time, as they are parsed into the Tcp's one
// TcpRepr. Plain variables: no object, and the minifier shortens their names.
let textSeq = 0;
let textOff = 0;
let textLen = 0;
let textSyn = false;
let textFin = false;

/** Processes `seg` (payload in `buf`) for `sock`. May finish the socket; the caller delivers data after. */
export function segmentArrives(sock: TcpSocket, seg: TcpRepr, buf: Uint8Array, now: number, host: InputHost): void {
  sock.lastActivityMs = now;
  if (sock.ka !== null) sock.ka.probes = 0;
  sock.flags &= ~F_UNREACHABLE;
  if (sock.state === SYN_SENT) {
    synSentArrives(sock, seg, buf, now, host); // RFC 9293 §3.10.7.3
    return;
  }
  // The usual pure ACK on an established connection (ACK alone, no text, at RCV.NXT): the first four
  // steps of RFC 9293 §3.10.7.4 pass it untouched (checkSequence), so straight to the fifth, the ACK
  // field, still checked in full (RFC 5961 §5.2); no FIN of ours can be acknowledged in ESTABLISHED, and
  // the seventh and eighth steps have nothing but a FIN held beyond a gap to look at.
  if (sock.state === ESTABLISHED && (seg.flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) === TCP_ACK &&
      seg.payloadLength === 0 && seg.seq === sock.rcvNxt) {
    textLen = 0;
    textFin = false;
    if (checkAck(sock, seg, now, host) && sock.ooo !== null) checkFin(sock, now, host);
    return;
  }
  // RFC 9293 §3.10.7.4, in its order. First: the sequence number (and the segment trimmed to the window).
  if (!checkSequence(sock, seg, host)) return;
  // Second: the RST bit.
  if (seg.flags & TCP_RST) {
    checkRst(sock, seg, now, host);
    return;
  }
  // Third, security: there is no IP security option here (RFC 791 compartments), nothing to check.
  // Fourth: a SYN in the window of a synchronized connection gets a challenge ACK (RFC 5961 §4).
  if (textSyn) {
    challengeAck(sock, host, now);
    return;
  }
  // Fifth: the ACK field (in SYN_RECEIVED: the ACK of our SYN), then what an ACK of our FIN changes.
  if (!(seg.flags & TCP_ACK)) return;
  if (sock.state === SYN_RECEIVED ? !synReceivedAck(sock, seg, now, host) : !checkAck(sock, seg, now, host)) return;
  if ((sock.flags & F_FIN_ACKED) !== 0 && !ourFinAcked(sock, now, host)) return;
  // Sixth, URG: not supported (urgent data is delivered in line). Seventh: the segment text; processText
  // ends with the eighth step, the FIN bit (checkFin).
  processText(sock, buf, now, host);
}

/**
 * SEGMENT ARRIVES in SYN-SENT (RFC 9293 §3.10.7.3): the ACK, the RST, then the SYN; text and FIN on an
 * acceptable SYN|ACK go on at the sixth step (as they came: nothing to trim).
 */
function synSentArrives(sock: TcpSocket, seg: TcpRepr, buf: Uint8Array, now: number, host: InputHost): void {
  const flags = seg.flags;
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
  sock.rcvNxt = seqAdd(seg.seq, 1);
  sock.rcvAdv = seqAdd(sock.rcvNxt, sock.receiveWindow());
  applySynOptions(sock, seg, host.ourMss, host.config);
  // RFC 7323 §2.2: the window in a SYN is never scaled.
  setSendWindow(sock, seg.window, seg.seq, seg.ack);
  if (!hasAck) {
    // Simultaneous open: answer <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; our SYN goes again with ACK.
    setState(sock, SYN_RECEIVED);
    sock.sndNxt = sock.iss;
    return;
  }
  synAcked(sock, seg.ack, now);
  sock.flags |= F_ACK_PENDING | F_VISIBLE;
  sock.emit('connect');
  if (sock.closed) return;
  textSeq = seqAdd(seg.seq, 1);
  textOff = seg.payloadOffset;
  textLen = seg.payloadLength;
  textFin = (flags & TCP_FIN) !== 0;
  // Called here and in segmentArrives: two callers keep processText declared once, where the minifier
  // would put a single caller's function in line, made anew by Espruino at every call (its body scanned).
  processText(sock, buf, now, host);
}

/**
 * Our SYN is acknowledged by `ack` (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 SYN-RECEIVED): SND.UNA moves,
 * the handshake's round trip is measured (Karn: not after a retransmission), the timer stops, and the
 * connection is established (or, if end() came first, its FIN is on its way: FIN_WAIT_1).
 */
function synAcked(sock: TcpSocket, ack: number, now: number): void {
  sock.sndUna = ack;
  if (seqLt(sock.sndNxt, ack)) sock.sndNxt = ack;
  if ((sock.flags & F_RTT_ACTIVE) !== 0 && sock.retries === 0) sock.rttSample(now - sock.rttSentAt);
  sock.flags &= ~F_RTT_ACTIVE;
  sock.rtxAt = 0;
  sock.retries = 0;
  setState(sock, (sock.flags & F_FIN_QUEUED) !== 0 ? FIN_WAIT_1 : ESTABLISHED);
}

/** RFC 5961 §7: a challenge ACK, unless CHALLENGE_ACKS_PER_SECOND went out in this second already. */
function challengeAck(sock: TcpSocket, host: InputHost, now: number): void {
  if (now - host.challengeWindowStart >= 1000) {
    host.challengeWindowStart = now;
    host.challengeCount = 0;
  }
  if (host.challengeCount >= CHALLENGE_ACKS_PER_SECOND) {
    host.counters.challengeAcksLimited++;
    return;
  }
  host.challengeCount++;
  host.counters.challengeAcks++;
  sock.flags |= F_ACK_PENDING;
}

/**
 * First: check the sequence number (RFC 9293 §3.10.7.4, table of four cases). False: drop (an
 * unacceptable segment but a RST is answered with an ACK). An acceptable segment but a RST is then
 * trimmed to the window (textSeq … textFin).
 */
function checkSequence(sock: TcpSocket, seg: TcpRepr, host: InputHost): boolean {
  const flags = seg.flags;
  let seq = seg.seq;
  let dataLen = seg.payloadLength;
  const syn = (flags & TCP_SYN) !== 0;
  let fin = (flags & TCP_FIN) !== 0;
  let dataOff = seg.payloadOffset;
  let synFlag = syn;
  // In SYN_RECEIVED, SND.WL1 still holds the peer's ISN (IRS): set from its SYN, moved only once established.
  if (sock.state === SYN_RECEIVED && syn && !(flags & TCP_ACK) && seq === sock.sndWl1) {
    // Our SYN|ACK was lost and the peer repeated its SYN: send the SYN|ACK again.
    if (!(flags & TCP_RST)) sock.sndNxt = sock.iss;
    return false;
  }
  const segLen = dataLen + (syn ? 1 : 0) + (fin ? 1 : 0);
  // Sequence arithmetic modulo 2^32 (seq.ts), written out where it runs for every segment.
  const rcvNxt = sock.rcvNxt;
  let wnd = (sock.rcvAdv - rcvNxt) | 0;
  if (wnd < 0) wnd = 0;
  const right = (rcvNxt + wnd) >>> 0;
  let acceptable: boolean;
  let ackOnly = false;
  if (segLen === 0) {
    // Zero-length: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, taken inclusive at the right edge (as Linux):
    // a peer whose data filled our window numbers its pure ACKs with the edge itself.
    acceptable = ((seq - rcvNxt) | 0) >= 0 && ((seq - right) | 0) <= 0;
  } else if (wnd === 0) {
    // "special allowance should be made to accept valid ACKs, URGs, and RSTs" with a zero window.
    acceptable = seq === rcvNxt;
    ackOnly = acceptable;
  } else {
    const last = seqAdd(seq, segLen - 1);
    acceptable = (seqGe(seq, rcvNxt) && seqLt(seq, right)) || (seqGe(last, rcvNxt) && seqLt(last, right));
  }
  if (!acceptable) {
    if (!(flags & TCP_RST)) {
      host.counters.outOfWindow++;
      sock.flags |= F_ACK_PENDING;
      // Data we had already (RFC 2883): reported in that ACK.
      if (SACK && dataLen > 0 && seqLt(seq, rcvNxt)) {
        const end = seqAdd(seq, dataLen);
        duplicateReceived(sock, seq, seqLt(end, rcvNxt) ? end : rcvNxt);
      }
    }
    return false;
  }
  if (flags & TCP_RST) return true; // the second step judges a RST by its own SEG.SEQ

  // Trim what lies before RCV.NXT (old duplicates) and beyond the window.
  let before = (rcvNxt - seq) | 0;
  if (before > 0) {
    if (synFlag) { synFlag = false; before--; seq = seqAdd(seq, 1); }
    const take = before < dataLen ? before : dataLen;
    if (SACK && take > 0) duplicateReceived(sock, seq, seqAdd(seq, take)); // RFC 2883 §4.1.2: a partial duplicate
    dataOff += take;
    dataLen -= take;
    seq = seqAdd(seq, take);
    if (before > take) fin = false; // the FIN too was seen before
  }
  const room = (right - seq) | 0;
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
  textSeq = seq;
  textOff = dataOff;
  textLen = dataLen;
  textSyn = synFlag;
  textFin = fin;
  return true;
}

/**
 * Second: check the RST bit (RFC 9293 §3.10.7.4 with RFC 5961 §3.2: only an exact RCV.NXT match
 * resets; the rest of the window gets a challenge ACK).
 */
function checkRst(sock: TcpSocket, seg: TcpRepr, now: number, host: InputHost): void {
  if (seg.seq !== sock.rcvNxt) {
    challengeAck(sock, host, now);
    return;
  }
  host.counters.rstReceived++;
  const st = sock.state;
  // SYN_RECEIVED: from a passive open back to LISTEN (the half-open entry goes, silently); an active one
  // is refused. ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT: reset. CLOSING, LAST_ACK: just closed.
  sock.finish(st === SYN_RECEIVED ? (sock.listener ? null : 'ECONNREFUSED') : st <= CLOSE_WAIT ? 'ECONNRESET' : null);
}

/**
 * Fifth: check the ACK field in a synchronized state (RFC 9293 §3.10.7.4, RFC 5961 §5). False when the
 * segment goes no further.
 */
function checkAck(sock: TcpSocket, seg: TcpRepr, now: number, host: InputHost): boolean {
  const ack = seg.ack;
  const una = sock.sndUna;
  // Sequence arithmetic modulo 2^32 (seq.ts) written out: this runs for every ACK.
  // Acknowledging what was never sent: ACK and drop (SND.MAX: the highest sequence number sent). RFC
  // 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped with an ACK.
  if (((ack - sock.sndMax) | 0) > 0 || ((ack - ((una - sock.maxSndWnd - 1) >>> 0)) | 0) < 0) {
    challengeAck(sock, host, now);
    return false;
  }
  // RFC 2018: the peer's SACK blocks go to the scoreboard (only if we said SACK-permitted: §4).
  if (SACK && (sock.flags & F_SACK_OK) !== 0 && (seg.sack.length > 0 || sock.sacked !== null)) sackOnAck(sock, seg, host.counters);
  let acked = (ack - una) | 0;
  if (acked > 0) {
    if ((sock.flags & F_FIN_SENT) !== 0 && ack === seqAdd(sock.dataEnd(), 1)) {
      sock.flags |= F_FIN_ACKED;
      acked--;
    }
    const flight = (sock.sndMax - una) | 0;
    sock.tx.consume(acked);
    sock.sndUna = ack;
    if (((sock.sndNxt - ack) | 0) < 0) sock.sndNxt = ack;
    if (((sock.sndMax - ack) | 0) < 0) sock.sndMax = ack;
    // RFC 6298 §3 / Karn: the timed segment is covered and was not retransmitted.
    if ((sock.flags & F_RTT_ACTIVE) !== 0 && ((ack - sock.rttSeq) | 0) >= 0) {
      sock.rttSample(now - sock.rttSentAt);
      sock.flags &= ~F_RTT_ACTIVE;
    }
    sock.retries = 0;
    // RFC 6298 §5.2/§5.3: stop the timer when all is acknowledged, otherwise restart it (output arms a
    // loss probe in its place when one is due: output.ts armLossProbe).
    sock.rtxAt = ack === sock.sndMax ? 0 : now + sock.rto;
    const probed = (sock.flags & F_TLP_SENT) !== 0;
    const recovering = SACK && (sock.flags & F_IN_RECOVERY) !== 0;
    // RFC 8985 §6.2 step 2: the hole the RACK timer waits for (sack.ts rackArm) was filled without a
    // retransmission: the peer reorders, and the reordering window grows.
    if (SACK && (sock.flags & F_RACK_ARMED) !== 0) sock.flags |= F_REORDER;
    sock.flags &= ~(F_TLP_ARMED | F_TLP_DUE | F_TLP_SENT | F_RACK_ARMED | F_REXMIT_TIMER | F_REXMIT_REPEATED);
    onNewAck(sock, acked, flight);
    // The recovery ended with every one of its retransmissions reported a duplicate (sack.ts). (Here, not in
    // onNewAck where it ends: a counters parameter there would stay in the builds without SACK, 13 bytes of
    // the WiFi's Storage; this whole check goes from them.)
    if (recovering && (sock.flags & F_IN_RECOVERY) === 0 && sock.undo && sock.undo.needless) undoRecovery(sock, host.counters);
    if (probed && ack === sock.sndMax && (sock.flags & F_IN_RECOVERY) === 0 && !(SACK && probeWasDuplicate(seg))) {
      // RFC 8985 §7.4: everything up to the probe is acknowledged. Unless a DSACK says the probe's data
      // arrived twice, we cannot tell whether the probe repaired a loss, so it is taken to have: the
      // congestion window goes down as for one.
      sock.ssthresh = lossSsthresh(flight, sock.sndMss);
      sock.cwnd = sock.ssthresh;
    }
    sock.fillTx();
    if (sock.closed) return false;
  } else if (textLen === 0 && !textFin && ack === sock.sndUna && seg.window << sock.sndShift === sock.sndWnd &&
             sock.sndWnd > 0 && seqGt(sock.sndMax, sock.sndUna)) {
    // RFC 5681 §2 "duplicate acknowledgment" (a zero window is flow control, not a loss signal).
    onDupAck(sock, now);
  }
  // RFC 9293 §3.10.7.4: update the send window only from segments newer than the last update.
  if (((sock.sndWl1 - seg.seq) | 0) < 0 || (sock.sndWl1 === seg.seq && ((sock.sndWl2 - ack) | 0) <= 0)) {
    const wnd = seg.window << sock.sndShift;
    if (wnd !== sock.sndWnd) { // (most ACKs of a transfer leave it as it was: nothing below to do)
      // The window reopened (it differs from 0) with our probe byte not taken: send from SND.UNA again.
      if (sock.sndWnd === 0 && seqGt(sock.sndNxt, sock.sndUna)) sock.sndNxt = sock.sndUna;
      sock.sndWnd = wnd;
      if (wnd > sock.maxSndWnd) sock.maxSndWnd = wnd; // (maxSndWnd >= sndWnd: unchanged, it is not larger)
    }
    sock.sndWl1 = seg.seq;
    sock.sndWl2 = ack;
  }
  // A peer that answers our zero-window probes is alive: probing continues without a retry limit.
  if (sock.sndWnd === 0) sock.retries = 0;
  return true;
}

/** Fifth step in SYN-RECEIVED: an acceptable ACK completes the handshake, any other gets a RST. */
function synReceivedAck(sock: TcpSocket, seg: TcpRepr, now: number, host: InputHost): boolean {
  if (seqLt(sock.sndUna, seg.ack) && seqLe(seg.ack, sock.sndMax)) {
    synAcked(sock, seg.ack, now);
    setSendWindow(sock, seg.window << sock.sndShift, seg.seq, seg.ack);
    if (sock.listener) {
      sock.listener.onEstablished(sock);
    } else {
      sock.flags |= F_VISIBLE;
      sock.emit('connect'); // simultaneous open completes
    }
    return !sock.closed;
  }
  host.queueRstFor(sock, seg.ack);
  return false;
}

/**
 * Fifth step, our FIN acknowledged (RFC 9293 §3.10.7.4 FIN-WAIT-1, CLOSING, LAST-ACK). False when the
 * connection ends here.
 */
function ourFinAcked(sock: TcpSocket, now: number, host: InputHost): boolean {
  const st = sock.state;
  if (st === FIN_WAIT_1) {
    setState(sock, FIN_WAIT_2);
    // Everything of ours is acknowledged, so the retransmission timer is free: it times FIN_WAIT_2.
    const limit = host.config.finWait2TimeoutMs;
    sock.rtxAt = limit > 0 ? now + limit : 0;
  } else if (st === CLOSING) {
    host.enterTimeWait(sock, now);
    return false;
  } else if (st === LAST_ACK) {
    sock.finish(null);
    return false;
  }
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
  else sock.cwnd += avoidanceStep(sock.cwnd, mss, acked); // congestion avoidance (congestion.ts)
  if (sock.cwnd > CWND_CAP) sock.cwnd = CWND_CAP;
}

const CWND_CAP = 1 << 22;

/**
 * Duplicate ACKs: fast retransmit on the third and NewReno fast recovery (RFC 5681 §3.2, RFC 6582 §3.2).
 * Also called by the RACK timer (output.ts rtxExpired) with dupAcks set to 2: the hole is lost.
 */
export function onDupAck(sock: TcpSocket, now: number): void {
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
  if ((sock.flags & F_IN_RECOVERY) === 0 && seqGe(sock.sndUna, sock.recover)) {
    if (sock.dupAcks >= thresh) {
      if (SACK && (sock.flags & F_RACK_ARMED) !== 0) {
        // The RACK timer is moot (sack.ts): rtxAt is the RTO again. Left at the RACK deadline without
        // its flag, a deadline already passed (a late poll) would be taken for a timeout.
        sock.flags &= ~F_RACK_ARMED;
        sock.rtxAt = now + sock.rto;
      }
      if (SACK) episodeBegin(sock);
      sock.ssthresh = lossSsthresh(flight, mss);
      sock.recover = sock.sndMax;
      sock.cwnd = sock.ssthresh + 3 * mss;
      sock.flags |= F_IN_RECOVERY | F_FAST_REXMIT;
      sock.rexmitNext = sock.sndUna;
    }
    else if (SACK && sock.sacked !== null) rackArm(sock, now);
  } else if ((sock.flags & F_IN_RECOVERY) !== 0) {
    sock.cwnd += mss; // each further duplicate: a segment has left the network
    // With a SACK scoreboard, that segment's room goes to the next hole first.
    if (SACK && sock.sacked !== null) sock.flags |= F_SACK_REXMIT;
  }
}

/** At most this many duplicate ACKs go out in one output (bounded; 3 already trigger fast retransmit). */
const MAX_DUP_ACKS_OWED = 8;

/**
 * Seventh: process the segment text (RFC 9293 §3.10.7.4): into the receive ring, in order or for
 * reassembly. Then the eighth step.
 */
function processText(sock: TcpSocket, buf: Uint8Array, now: number, host: InputHost): void {
  if (textLen > 0) {
    if (canReceiveData(sock.state)) takeText(sock, buf, now, host);
    else sock.flags |= F_ACK_PENDING;
  }
  // Eighth: the FIN bit (this one's, or one held beyond a gap that the text may have filled).
  if (textFin || sock.ooo !== null) checkFin(sock, now, host);
}

/** The segment's text (textSeq, textOff, textLen) into the receive ring, in order or beyond a gap. */
function takeText(sock: TcpSocket, buf: Uint8Array, now: number, host: InputHost): void {
  const seq = textSeq;
  const dataLen = textLen;
  const data = buf.subarray(textOff, textOff + dataLen);
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
    const delay = host.config.delayedAckMs;
    if (delay > 0 && !filledGap && !textFin && (sock.flags & F_SEG_UNACKED) === 0) {
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
    if (!rangesAdd(ooo.r, seq, seqAdd(seq, stored), host.config.reassemblyRanges)) host.counters.oooDropped++;
  }
  // Out of order: the duplicate ACK at once tells the sender (RFC 5681 §4.2).
  if (ackNow) sock.flags |= F_ACK_PENDING;
}

/**
 * Eighth: check the FIN bit (RFC 9293 §3.10.7.4): a FIN next in sequence is processed; one beyond a gap
 * is remembered, and processed once the data before it has arrived.
 */
function checkFin(sock: TcpSocket, now: number, host: InputHost): void {
  if (textFin) {
    const finAt = seqAdd(textSeq, textLen);
    if (finAt === sock.rcvNxt) {
      processFin(sock, now, host);
      return;
    }
    if (seqGt(finAt, sock.rcvNxt)) {
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
  sock.flags |= F_PEER_FIN | F_ACK_PENDING;
  sock.rcvNxt = seqAdd(sock.rcvNxt, 1);
  const st = sock.state;
  if (st === SYN_RECEIVED || st === ESTABLISHED) setState(sock, CLOSE_WAIT);
  // FIN_WAIT_1 has not had our FIN acknowledged: an ACK of it (even on this FIN's segment, RFC 9293
  // Figure 5 note 2) has moved it to FIN_WAIT_2 at the fifth step already.
  else if (st === FIN_WAIT_1) setState(sock, CLOSING);
  else if (st === FIN_WAIT_2) {
    sock.deliver(); // what came with the FIN, before the socket closes
    if (!sock.closed) host.enterTimeWait(sock, now);
  }
}
