// What the Tcp (tcp.ts) shares with the code of its connections: its counters (every drop, refusal and
// recovery has one: Tcp.counters, Stack.counters().tcp), and what segment arrival (input.ts) and the
// send path (output.ts, sack.ts) call on it. Here so that those files import this one, not each other.
// (newTcpCounters keeps this file in the device bundle: the minifier renames only properties declared in
// bundled files, and a file of types alone is not bundled.)
import { IpSender } from '../iface/transport';
import { TcpSocket } from './socket';

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
  recoveriesUndone: number; // fast recoveries whose every retransmission the peer reported a duplicate (DSACK): cwnd restored
}

export function newTcpCounters(): TcpCounters {
  return {
    rxSegments: 0, rxBad: 0, txSegments: 0, txNoRoute: 0, rstSent: 0, rstReceived: 0, rstQueueFull: 0,
    outOfWindow: 0, challengeAcks: 0, challengeAcksLimited: 0, oooSegments: 0, oooDropped: 0,
    retransmits: 0, timeouts: 0, synDropped: 0, acceptOverflow: 0, activeOpens: 0, passiveOpens: 0,
    timeWaitReclaimed: 0, finWait2Timeouts: 0, fastRetransmits: 0, sackRetransmits: 0, synCookiesSent: 0, synCookiesValid: 0,
    synCookiesInvalid: 0, synCookiesUnverified: 0, icmpOutOfWindow: 0, halfOpenUnreachable: 0, evicted: 0,
    synFinDropped: 0, appErrors: 0, lossProbes: 0, recoveriesUndone: 0,
  };
}

/** The tunables segment processing reads (config.ts says what each is for). */
export interface InputConfig {
  readonly delayedAckMs: number;
  readonly finWait2TimeoutMs: number;
  readonly reassemblyRanges: number;
  readonly windowScaling: boolean;
  readonly sack: boolean;
}

/** What segment processing (input.ts) needs from the Tcp. */
export interface InputHost {
  readonly counters: TcpCounters;
  readonly config: InputConfig;
  /** Our MSS: MTU − 40, at most config.mss (what a peer's MSS option is capped at). */
  readonly ourMss: number;
  /** RFC 5961 §7 challenge-ACK rate limit, one per Tcp: when the current second began, ACKs sent in it. */
  challengeWindowStart: number;
  challengeCount: number;
  /** Queues <SEQ=seq><CTL=RST> to the socket's peer. */
  queueRstFor(sock: TcpSocket, seq: number): void;
  /** The socket reached TIME_WAIT: keep a compact entry (and ACK the FIN from it). */
  enterTimeWait(sock: TcpSocket, nowMs: number): void;
}

/** Emits one segment for `sock`: flags, sequence number and `len` bytes from the send ring at `offset`. */
export interface SegmentSender {
  readonly counters: TcpCounters;
  sendSegment(ip: IpSender, sock: TcpSocket, flags: number, seq: number, offset: number, len: number): boolean;
}
