// One TCP connection: its control block (RFC 9293 §3.3.1 variables), its fixed-size buffers, and the
// application API of tcp/socket-api.ts. The protocol logic lives beside it: input.ts (segment arrival),
// output.ts (what to send, timers). This file only holds state and turns API calls into flags.
import { Emitter } from '../events';
import { TcpSocketApi, Evictable } from '../socket-api';
import { formatIpv4 } from '../wire/ipv4-address';
import { ByteRing } from './ring';
import { OutOfOrder } from './reassembly';
import { rttSample, rttBackoff } from './rtt';
import { TcpConfig } from './config';
import { CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, LAST_ACK, TIME_WAIT, STATE_NAMES } from './state';
import { seqAdd } from './seq';
import { setState } from './transitions';

/** Writes this short are never refused for bytes beyond the send ring (see write()). */
const FRAMING_BYTES = 16;

declare const E: { toUint8Array?: (s: string) => Uint8Array } | undefined;

/** Strings are sent as bytes, one per char code (natively on Espruino). */
export function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data !== 'string') return data;
  if (typeof E !== 'undefined' && E && E.toUint8Array) return E.toUint8Array(data);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 255; // host only
  return out;
}

/** Keep-alive of one connection: idle time before probing (ms), probes sent without an answer, when the next is due. */
export interface KeepAlive {
  idle: number;
  probes: number;
  next: number;
}

/**
 * A fast recovery whose reduction of the congestion window DSACKs may show to have been needless (RFC
 * 3708 §3.2, with RFC 2883 DSACKs; sack.ts). SACK builds only.
 */
export interface LossEpisode {
  /** cwnd and ssthresh before the reduction. */
  cwnd: number;
  ssthresh: number;
  /** Sequence numbers of the segments retransmitted in it that no DSACK has reported yet (bounded). */
  rexmits: number[];
  /** All of them were reported while the recovery went on: undone when it ends. */
  needless: boolean;
}

/** What a socket needs from the Tcp that owns it. */
export interface SocketHost {
  /** The configuration every connection of this Tcp shares. */
  readonly config: TcpConfig;
  /** Queues a RST to the socket's peer: <SEQ=seq><CTL=RST>. */
  queueRstFor(sock: TcpSocket, seq: number): void;
  /** The socket reached CLOSED (or TIME_WAIT): forget it. */
  release(sock: TcpSocket): void;
  /** An application callback threw `e` (counted and reported; the stack carries on). */
  appError(where: string, e: unknown): void;
}

// Yes/no state of a connection, bits of TcpSocket.flags (one number instead of a property each: on
// Espruino every property costs a block or two, and a connection has twenty of these). The bits an
// established connection usually has set come first, so the value stays below 4096, an integer
// Espruino keeps inside the property's own block.
/** Our SYN carries the window-scale option (always on an active open; on a passive one only if the peer's SYN had it). */
export const F_OFFER_WS = 0x4;
/** SACK blocks may be sent (the peer's SYN said SACK-permitted, RFC 2018 §2). */
export const F_SACK_OK = 0x2;
/** write() returned false: 'drain' is owed once everything held is in the send ring. */
export const F_NEED_DRAIN = 0x1000;
/** end() was called: FIN goes out after everything written. */
export const F_FIN_QUEUED = 0x80;
/** Our FIN has been sent; it occupies the sequence number dataEnd() (nothing is written after it). */
export const F_FIN_SENT = 0x100;
export const F_FIN_ACKED = 0x200;
/** The peer's FIN has been received in order. */
export const F_PEER_FIN = 0x400;
/** An ACK (or window update) is owed to the peer; output.ts sends it, alone or on data. */
export const F_ACK_PENDING = 0x20;
/** The last output stopped at the burst limit with more to send. */
export const F_BURST_LIMITED = 0x2000;
/** The next output sends a 1-byte zero-window probe (RFC 9293 §3.8.6.1). */
export const F_PROBE = 0x4000;
/** One segment is being timed (RFC 6298 §3 / Karn): rttSeq, rttSentAt. */
export const F_RTT_ACTIVE = 0x10;
/** There has been an RTT sample (RFC 6298 §2.2 vs §2.3). */
export const F_RTT_SAMPLED = 0x8;
/** The last send failed because the IP layer had no route/ARP answer (EHOSTUNREACH if we time out). */
export const F_UNREACHABLE = 0x8000;
/** NewReno (RFC 6582): in fast recovery until SND.UNA passes `recover`. */
export const F_IN_RECOVERY = 0x10000;
/** Send one segment from SND.UNA now (fast retransmit / partial ACK) without moving SND.NXT. */
export const F_FAST_REXMIT = 0x20000;
/** In recovery, retransmit the next hole the scoreboard shows (one per duplicate ACK). */
export const F_SACK_REXMIT = 0x40000;
export const F_PAUSED = 0x800;
export const F_END_EMITTED = 0x80000;
export const F_NO_DELAY = 0x40;
/** A keep-alive probe is to go now. */
export const F_KA_PROBE_DUE = 0x100000;
/** One in-order segment has arrived since our last ACK (the second is acknowledged at once, RFC 5681 §4.2). */
export const F_SEG_UNACKED = 0x200000;
/** The application has seen this socket ('connection' or connect()). */
export const F_VISIBLE = 0x1;
/** setEvictable('quiet'): this connection may give its slot to a new one once quiet for config.evictQuietMs. */
export const F_EVICT_QUIET = 0x400000;
/** setEvictable('idle'): the application is waiting for the peer (a request, say); it may give its slot any time. */
export const F_EVICT_IDLE = 0x800000;
/** rtxAt is a tail loss probe timeout (RFC 8985 §7.2), not the retransmission timeout. */
export const F_TLP_ARMED = 0x1000000;
/** The probe timeout expired: output retransmits the last segment. */
export const F_TLP_DUE = 0x2000000;
/** A probe has been sent and no ACK of new data has come since (one probe per tail, RFC 8985 §7.3). */
export const F_TLP_SENT = 0x4000000;
/** rtxAt is a RACK reordering-window timer (RFC 8985 §6.2, sack.ts rackArm), not the retransmission timeout. */
export const F_RACK_ARMED = 0x8000000;
/** The peer reordered: the reordering window is SRTT, not SRTT/4 (RFC 8985 §6.2 step 4, reordering_seen). */
export const F_REORDER = 0x10000000;
/** rtxAt times the retransmission at SND.UNA made in recovery (sack.ts rexmitTimerArm), not the RTO. */
export const F_REXMIT_TIMER = 0x20000000;
/** That timer went off for this hole already: its next loss is left to the RTO (cleared by new data ACKed). */
export const F_REXMIT_REPEATED = 0x40000000;

/**
 * One connection. Memory matters here more than anywhere (a Pico has 5,100 blocks of 13 bytes, and a
 * device holds several connections): yes/no state is packed into `flags`, the RTT estimator lives in
 * three fields, and what an idle established connection does not need is made only when needed and
 * dropped after — the out-of-order state (`ooo`), the SACK scoreboard (`sacked`), the writes held
 * beyond the send ring (`pending`), keep-alive state (`ka`), the listener table (events.ts). Fields
 * double up where their uses never overlap (`sndWl1` holds IRS in SYN_RECEIVED, `rtxAt` times
 * FIN_WAIT_2).
 */
export class TcpSocket extends Emitter implements TcpSocketApi {
  // --- identity
  state = CLOSED;
  localIp = 0;
  localPort = 0;
  remoteIp = 0;
  remotePort = 0;
  /** The listener that spawned this connection (passive open), until it is taken. */
  listener: { onEstablished(s: TcpSocket): void; onHalfOpenGone(s: TcpSocket): void } | null = null;
  /** F_* bits. */
  flags = 0;
  closed = false;

  // --- send sequence space (RFC 9293 §3.3.1)
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Highest sequence number sent + 1 (sndNxt is pulled back to sndUna on a timeout). */
  sndMax = 0;
  sndWnd = 0;
  /** SEG.SEQ and SEG.ACK of the last window update; in SYN_RECEIVED, SND.WL1 is the peer's ISN (IRS). */
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer has offered (RFC 5961 §5.2 acceptable ACK range). */
  maxSndWnd = 0;
  /** Peer's window-scale shift, and ours (0 when not negotiated). */
  sndShift = 0;
  rcvShift = 0;
  /** Effective send MSS: min(peer's MSS option or 536, our MTU, config). */
  sndMss = 536;

  // --- receive sequence space
  rcvNxt = 0;
  /** Right edge of the window we last advertised (RCV.NXT + RCV.WND when sent). */
  rcvAdv = 0;

  // --- buffers
  readonly tx: ByteRing;
  readonly rx: ByteRing;
  /** Out-of-order receive state (reassembly.ts), only while something is out of order. */
  ooo: OutOfOrder | null = null;
  /** Writes that did not fit in `tx`, held by reference until space frees (bounded: see write()); null when none. */
  pending: Uint8Array[] | null = null;

  // --- output
  /** Pacing (config maxBurst per burstIntervalMs): segments sent in the current interval, and its end. */
  burstCount = 0;
  burstUntil = 0;
  /** Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2): when it is due (F_SEG_UNACKED: a segment waits for it). */
  delAckAt = 0;

  // --- timers (absolute ms; 0 = not armed)
  /** Retransmission (or persist) timer; in FIN_WAIT_2 the FIN_WAIT_2 limit (config finWait2TimeoutMs). */
  rtxAt = 0;
  retries = 0;
  /** RFC 6298 state (rtt.ts). */
  srtt = 0;
  rttvar = 0;
  rto: number;
  /** The segment being timed (F_RTT_ACTIVE): its end sequence and send time. */
  rttSeq = 0;
  rttSentAt = 0;

  // --- congestion control (RFC 5681), counted in bytes
  cwnd = 0;
  ssthresh = 0x7fffffff;
  dupAcks = 0;
  /** NewReno (RFC 6582) recovery point. */
  recover = 0;
  /**
   * SACK scoreboard (RFC 2018 on send, a light RFC 6675): ranges above SND.UNA the peer holds, as a
   * range list (reassembly.ts); null while the peer has reported none.
   */
  sacked: number[] | null = null;
  /**
   * The last fast recovery, while DSACKs may still undo its reduction (sack.ts). Not set until a
   * recovery begins: a build without SACK never has the property (no block a connection).
   */
  undo?: LossEpisode;
  /**
   * Data the peer sent us twice, [start, end), to report as the first SACK block of the next pure ACK or
   * of the next segment with SACK blocks (a DSACK, RFC 2883 §4; sack.ts). Set only with SACK agreed; sent once.
   */
  dup?: number[];
  /** Where the next hole search starts (everything below was retransmitted in this recovery). */
  rexmitNext = 0;

  // --- application side
  idleMs = 0;
  lastActivityMs = 0;
  /** Keep-alive (RFC 1122 §4.2.3.6) state while enabled by setKeepAlive(), else null. */
  ka: KeepAlive | null = null;
  /** An error to report at the next poll (a connect that failed before sending anything); set only then. */
  pendingError?: string;

  constructor(readonly host: SocketHost, rxBytes: number, txBytes: number) {
    super();
    this.tx = new ByteRing(txBytes);
    this.rx = new ByteRing(rxBytes);
    this.rto = host.config.initialRtoMs;
  }

  /** A listener of this socket threw: counted and reported by the Tcp, never passed into the stack. */
  protected listenerThrew(event: string, e: unknown): void {
    this.host.appError(event, e);
  }

  /** Whether flag `f` (F_*) is set (the protocol code tests the bits inline). */
  has(f: number): boolean {
    return (this.flags & f) !== 0;
  }

  get stateName(): string {
    return STATE_NAMES[this.state];
  }

  get remoteAddress(): string {
    return formatIpv4(this.remoteIp);
  }

  get localAddress(): string {
    return formatIpv4(this.localIp);
  }

  get bufferedAmount(): number {
    return this.tx.length + this.pendingBytes();
  }

  /** Bytes held in `pending` (at most config.maxPendingWrites chunks to add up). */
  pendingBytes(): number {
    const p = this.pending;
    let n = 0;
    if (p) for (let i = 0; i < p.length; i++) n += p[i].length;
    return n;
  }

  // ---------------------------------------------------------------- application API

  write(data: Uint8Array | string): boolean {
    if ((this.flags & F_FIN_QUEUED) !== 0 || this.closed) {
      this.emit('error', new Error('EPIPE'));
      return false;
    }
    const bytes = typeof data === 'string' ? toBytes(data) : data;
    const len = bytes.length;
    const p = this.pending;
    if (len === 0) return p === null;
    const tx = this.tx;
    if (p === null && len <= tx.buf.length - tx.length) { // the ring's free space
      tx.write(bytes);
      return true;
    }
    // Some of it must wait outside the ring, by reference. The first held chunk is always taken (a
    // writer that waits for 'drain' never holds more, and the bytes are the caller's already). Beyond
    // it, what a writer ignoring backpressure piles up is bounded in bytes and chunks (running out of
    // memory cannot be caught on Espruino): the call that would pass the bound is refused whole, none
    // of it taken, while what was accepted before is still sent. A write of a few bytes (protocol
    // framing: an HTTP chunk's last-chunk) is bounded by the chunk count only: refusing it for bytes
    // would leave the stream unframed, and its bytes are no burden.
    this.flags |= F_NEED_DRAIN;
    const cfg = this.host.config;
    if (p !== null && (p.length >= cfg.maxPendingWrites ||
        (len > FRAMING_BYTES && this.pendingBytes() + len > cfg.maxPendingWriteBytes))) {
      this.emit('error', new Error('ENOBUFS'));
      return false;
    }
    if (p === null) {
      const n = this.tx.write(bytes);
      this.pending = [n === 0 ? bytes : bytes.subarray(n)];
    } else p.push(bytes);
    return false;
  }

  end(data?: Uint8Array | string): void {
    if (this.closed || (this.flags & F_FIN_QUEUED) !== 0) return;
    if (data !== undefined) this.write(data);
    this.flags |= F_FIN_QUEUED;
    // RFC 9293 §3.10.4 CLOSE: ESTABLISHED → FIN_WAIT_1, CLOSE_WAIT → LAST_ACK; the FIN itself goes out
    // after all queued data (output.ts). In SYN states the change happens once established (input.ts).
    if (this.state === ESTABLISHED) setState(this, FIN_WAIT_1);
    else if (this.state === CLOSE_WAIT) setState(this, LAST_ACK);
  }

  destroy(): void {
    if (this.closed) return;
    // RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> in synchronized states and SYN_RECEIVED.
    if (this.state >= SYN_RECEIVED) this.host.queueRstFor(this, this.sndMax);
    this.finish(null);
  }

  /** See TcpSocketApi.setEvictable. */
  setEvictable(when: Evictable): void {
    this.flags &= ~(F_EVICT_QUIET | F_EVICT_IDLE);
    if (when === 'quiet') this.flags |= F_EVICT_QUIET;
    else if (when === 'idle') this.flags |= F_EVICT_IDLE;
  }

  /** Ended to make room (Tcp.makeRoom): RST to the peer, ECONNABORTED to the application. */
  evict(): void {
    if (this.closed) return;
    if (this.state >= SYN_RECEIVED) this.host.queueRstFor(this, this.sndMax);
    this.finish('ECONNABORTED');
  }

  pause(): void {
    this.flags |= F_PAUSED;
  }

  resume(): void {
    if ((this.flags & F_PAUSED) === 0) return;
    this.flags &= ~F_PAUSED;
    this.deliver();
  }

  setNoDelay(noDelay?: boolean): this {
    if (noDelay !== false) this.flags |= F_NO_DELAY;
    else this.flags &= ~F_NO_DELAY;
    return this;
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    this.idleMs = ms > 0 ? ms : 0;
    if (onTimeout) this.on('timeout', onTimeout);
    return this;
  }

  setKeepAlive(enable: boolean, initialDelayMs?: number): this {
    this.ka = !enable ? null : {
      idle: initialDelayMs && initialDelayMs > 0 ? initialDelayMs : this.host.config.keepAliveIdleMs, probes: 0, next: 0,
    };
    return this;
  }

  // ---------------------------------------------------------------- used by input/output/tcp

  /** Moves held writes into the send ring as space allows; emits 'drain' when all are in. */
  fillTx(): void {
    const p = this.pending;
    if (p !== null) {
      while (p.length > 0) {
        const head = p[0];
        const n = this.tx.write(head);
        if (n === head.length) p.shift();
        else {
          if (n > 0) p[0] = head.subarray(n);
          return;
        }
      }
      this.pending = null;
    }
    if ((this.flags & F_NEED_DRAIN) !== 0) {
      this.flags &= ~F_NEED_DRAIN;
      this.emit('drain');
    }
  }

  /** The out-of-order state, made on first use. */
  oooState(): OutOfOrder {
    return this.ooo || (this.ooo = new OutOfOrder());
  }

  /** Lets the out-of-order state go once nothing in it is needed (everything in order, nothing owed). */
  dropOooIfDone(): void {
    if (this.ooo !== null && this.ooo.empty()) this.ooo = null;
  }

  /** An RTT measurement of `r` ms (RFC 6298 §2; the caller applies Karn's rule). */
  rttSample(r: number): void {
    const c = this.host.config;
    rttSample(this, r, (this.flags & F_RTT_SAMPLED) === 0, c.minRtoMs, c.maxRtoMs);
    this.flags |= F_RTT_SAMPLED;
  }

  /** RFC 6298 §5.5: the retransmission timer expired. */
  rttBackoff(): void {
    rttBackoff(this, this.host.config.minRtoMs, this.host.config.maxRtoMs);
  }

  /** Sequence number just after our last data byte (where the FIN goes once nothing is held back). */
  dataEnd(): number {
    return seqAdd(this.sndUna, this.tx.length);
  }

  /**
   * Hands in-order received bytes to the application ('data' with views into the ring) unless paused,
   * then 'end' once the peer's FIN has been reached. Asks for a window update when space was freed.
   */
  deliver(): void {
    if ((this.flags & F_VISIBLE) === 0) return; // data that came with a SYN waits until the application has the socket
    while ((this.flags & F_PAUSED) === 0 && !this.closed && this.rx.length > 0) {
      const chunk = this.rx.peek(0, this.rx.length);
      this.emit('data', chunk);
      this.rx.consume(chunk.length);
    }
    if ((this.flags & (F_PEER_FIN | F_END_EMITTED | F_PAUSED)) === F_PEER_FIN && !this.closed && this.rx.length === 0) {
      this.flags |= F_END_EMITTED;
      this.emit('end');
    }
    if (!this.closed && this.state !== SYN_SENT && this.windowUpdateDue()) this.flags |= F_ACK_PENDING;
  }

  /**
   * RFC 9293 §3.8.6.2.2 (receiver SWS avoidance): the window we would advertise now, grown only in
   * steps of at least min(buffer/2, MSS/2) beyond the right edge already advertised.
   */
  receiveWindow(): number {
    let free = this.rx.buf.length - this.rx.length;
    const advertised = (this.rcvAdv - this.rcvNxt) | 0;
    // Unchanged since it was advertised (a bulk sender's every segment): what follows gives the same.
    if (free === advertised) return free;
    // The 16-bit field scaled by our shift (RFC 7323 §2.3) bounds it, in whole units of the scale.
    const max = 65535 * (1 << this.rcvShift);
    if (free > max) free = max;
    free -= free & ((1 << this.rcvShift) - 1);
    if (advertised < 0) return free;
    // The step: min(half the buffer, half an MSS). RFC 9293 says a full MSS; but a sender that cuts a
    // small window into equal segments (ours: segment-size.ts; 8 KB = 6 × 1,365) frees less than an MSS
    // a segment, and a full-MSS step held back every other window update (8 KB, 10 ms, 1 % loss:
    // 490 → 513 KB/s with half). Half an MSS is still far from a silly window.
    const half = this.rx.buf.length >> 1;
    const mssHalf = this.sndMss >> 1;
    const step = half < mssHalf ? half : mssHalf;
    if (free - advertised < step && free >= advertised) return advertised;
    return free;
  }

  /** True when the application has freed enough space that the peer should hear of it now. */
  windowUpdateDue(): boolean {
    const advertised = (this.rcvAdv - this.rcvNxt) | 0;
    // receiveWindow() is the free space (at most) or what was advertised, so the growth is at most
    // `room`: too little for an update (below), the usual case, is settled without working it out.
    const room = this.rx.buf.length - this.rx.length - advertised;
    if (advertised > 0 && room < 2 * this.sndMss && room < this.rx.buf.length >> 1) return false;
    const grow = this.receiveWindow() - (advertised > 0 ? advertised : 0);
    if (grow <= 0) return false;
    // Worth a segment of its own when it opens at least two segments or half the buffer (as BSD).
    return grow >= 2 * this.sndMss || grow >= this.rx.buf.length >> 1 || advertised <= 0;
  }

  /** Ends the connection: releases it, reports `err` if given, emits 'close'. */
  finish(err: string | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.state !== TIME_WAIT) setState(this, CLOSED); // TIME_WAIT lives on compactly in the Tcp
    this.rtxAt = 0;
    this.pending = null;
    this.ooo = null;
    this.sacked = null;
    this.host.release(this);
    if (this.listener) {
      this.listener.onHalfOpenGone(this);
      this.listener = null;
    }
    if ((this.flags & F_VISIBLE) === 0) return;
    if (err) this.emit('error', new Error(err));
    this.emit('close', !!err);
  }
}
