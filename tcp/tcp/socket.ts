// One TCP connection: its control block (RFC 9293 §3.3.1 variables), its fixed-size buffers, and the
// application API of tcp/socket-api.ts. The protocol logic lives beside it: input.ts (segment arrival),
// output.ts (what to send, timers). This file only holds state and turns API calls into flags.
import { Emitter } from '../events';
import { TcpSocketApi } from '../socket-api';
import { formatIpv4 } from '../wire/ipv4-address';
import { ByteRing } from './ring';
import { Reassembly } from './reassembly';
import { RttEstimator } from './rtt';
import { TcpConfig } from './config';
import { CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, LAST_ACK, TIME_WAIT, STATE_NAMES } from './state';
import { seqAdd, seqLe, seqLt } from './seq';

declare const E: { toUint8Array?: (s: string) => Uint8Array } | undefined;

/** Strings are sent as bytes, one per char code (natively on Espruino). */
export function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data !== 'string') return data;
  if (typeof E !== 'undefined' && E && E.toUint8Array) return E.toUint8Array(data);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 255; // host only
  return out;
}

/** What a socket needs from the Tcp that owns it. */
export interface SocketHost {
  /** Queues a RST to the socket's peer: <SEQ=seq><CTL=RST>. */
  queueRstFor(sock: TcpSocket, seq: number): void;
  /** The socket reached CLOSED (or TIME_WAIT): forget it. */
  release(sock: TcpSocket): void;
}

export class TcpSocket extends Emitter implements TcpSocketApi {
  // --- identity
  state = CLOSED;
  localIp = 0;
  localPort = 0;
  remoteIp = 0;
  remotePort = 0;
  /** The listener that spawned this connection (passive open), until it is taken. */
  listener: { onEstablished(s: TcpSocket): void; onHalfOpenGone(s: TcpSocket): void } | null = null;

  // --- send sequence space (RFC 9293 §3.3.1)
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Highest sequence number sent + 1 (sndNxt is pulled back to sndUna on a timeout). */
  sndMax = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer has offered (RFC 5961 §5.2 acceptable ACK range). */
  maxSndWnd = 0;
  /** Peer's window-scale shift, and ours (0 when not negotiated). */
  sndShift = 0;
  rcvShift = 0;
  /** Whether our SYN carries the window-scale option (always on an active open; on a passive one
   * only if the peer's SYN had it). */
  offerWindowScale = false;
  /** SACK blocks may be sent (the peer's SYN said SACK-permitted, RFC 2018 §2). */
  sackOk = false;
  /** The reassembly range that the latest out-of-order segment went into (reported first, RFC 2018 §4). */
  lastOooSeq = 0;
  /** Effective send MSS: min(peer's MSS option or 536, our MTU, config). */
  sndMss = 536;

  // --- receive sequence space
  irs = 0;
  rcvNxt = 0;
  /** Right edge of the window we last advertised (RCV.NXT + RCV.WND when sent). */
  rcvAdv = 0;

  // --- buffers
  readonly tx: ByteRing;
  readonly rx: ByteRing;
  readonly ooo: Reassembly;
  /** Writes that did not fit in `tx`, held by reference until space frees (bounded: see write()). */
  pending: Uint8Array[] = [];
  /** Bytes held in `pending`. */
  pendingBytes = 0;
  needDrain = false;

  // --- FIN bookkeeping
  /** end() was called: FIN goes out after everything written. */
  finQueued = false;
  finSent = false;
  finAcked = false;
  /** Sequence number our FIN occupies (valid when finSent). */
  finSeq = 0;
  /** The peer's FIN has been received in order. */
  peerFin = false;
  /** A FIN seen beyond RCV.NXT (out of order): its sequence number, when hasOooFin. */
  hasOooFin = false;
  oooFinSeq = 0;

  // --- output flags
  /** An ACK (or window update) is owed to the peer; output.ts sends it, alone or on data. */
  ackPending = false;
  /**
   * Out-of-order segments since the last output, each owed its own immediate duplicate ACK (RFC 5681
   * §4.2), and RCV.NXT when they came. Several can arrive between two outputs (one poll reads a batch
   * of frames); one ACK for all of them would hide the duplicates a sender without SACK counts (§3.2).
   */
  dupAcksOwed = 0;
  dupAckRcvNxt = 0;
  /** The last output stopped at the burst limit with more to send. */
  burstLimited = false;
  /** Pacing (config maxBurst per burstIntervalMs): segments sent in the current interval, and its end. */
  burstCount = 0;
  burstUntil = 0;
  /** The next timeout sends a 1-byte zero-window probe (RFC 9293 §3.8.6.1). */
  probe = false;

  // --- delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2)
  delAckAt = 0;
  segsSinceAck = 0;

  // --- timers (absolute ms; 0 = not armed)
  rtxAt = 0;
  retries = 0;
  readonly rtt: RttEstimator;
  /** One segment timed at a time (RFC 6298 §3 / Karn): its end sequence and send time. */
  rttActive = false;
  rttSeq = 0;
  rttSentAt = 0;
  finWait2At = 0;
  /** Last send failed because the IP layer had no route/ARP answer (EHOSTUNREACH if we time out). */
  unreachable = false;

  // --- congestion control (RFC 5681), counted in bytes
  cwnd = 0;
  ssthresh = 0x7fffffff;
  dupAcks = 0;
  /** NewReno (RFC 6582): in fast recovery until SND.UNA passes `recover`. */
  inRecovery = false;
  recover = 0;
  /** Send one segment from SND.UNA now (fast retransmit / partial ACK) without moving SND.NXT. */
  fastRexmit = false;
  /** SACK scoreboard (RFC 2018 on send, a light RFC 6675): ranges above SND.UNA the peer holds. */
  readonly sacked: Reassembly;
  /** In recovery, retransmit the next hole the scoreboard shows (one per duplicate ACK). */
  sackRexmit = false;
  /** Where the next hole search starts (everything below was retransmitted in this recovery). */
  rexmitNext = 0;

  // --- application side
  paused = false;
  endEmitted = false;
  closed = false;
  noDelay = false;
  idleMs = 0;
  lastActivityMs = 0;
  keepAlive = false;
  keepAliveDelayMs = 0;
  /** Keep-alive probes sent without an answer, when the next is due, and whether one is to go now. */
  kaProbes = 0;
  kaNextAt = 0;
  kaProbeDue = false;
  /** An error to report at the next poll (a connect that failed before sending anything). */
  pendingError: string | null = null;
  /** Whether the application has seen this socket ('connection' or connect()). */
  visible = false;

  constructor(readonly host: SocketHost, readonly config: TcpConfig, rxBytes: number, txBytes: number) {
    super();
    this.tx = new ByteRing(txBytes);
    this.rx = new ByteRing(rxBytes);
    this.ooo = new Reassembly(config.reassemblyRanges);
    this.sacked = new Reassembly(4);
    this.rtt = new RttEstimator(config.initialRtoMs, config.minRtoMs, config.maxRtoMs);
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
    return this.tx.length + this.pendingBytes;
  }

  // ---------------------------------------------------------------- application API

  write(data: Uint8Array | string): boolean {
    if (this.finQueued || this.closed) {
      this.emit('error', new Error('EPIPE'));
      return false;
    }
    const bytes = toBytes(data);
    const len = bytes.length;
    if (len === 0) return this.pending.length === 0;
    if (this.pending.length === 0 && len <= this.tx.free()) {
      this.tx.write(bytes);
      return true;
    }
    // Some of it must wait outside the ring, by reference. The first held chunk is always taken (a
    // writer that waits for 'drain' never holds more, and the bytes are the caller's already). Beyond
    // it, what a writer ignoring backpressure piles up is bounded in bytes and chunks (running out of
    // memory cannot be caught on Espruino): the call that would pass the bound is refused whole, none
    // of it taken, while what was accepted before is still sent.
    this.needDrain = true;
    if (this.pending.length > 0 && (this.pending.length >= this.config.maxPendingWrites ||
        this.pendingBytes + len > this.config.maxPendingWriteBytes)) {
      this.emit('error', new Error('ENOBUFS'));
      return false;
    }
    const n = this.pending.length > 0 ? 0 : this.tx.write(bytes);
    this.pending.push(n === 0 ? bytes : bytes.subarray(n));
    this.pendingBytes += len - n;
    return false;
  }

  end(data?: Uint8Array | string): void {
    if (this.closed || this.finQueued) return;
    if (data !== undefined) this.write(data);
    this.finQueued = true;
    // RFC 9293 §3.10.4 CLOSE: ESTABLISHED → FIN_WAIT_1, CLOSE_WAIT → LAST_ACK; the FIN itself goes out
    // after all queued data (output.ts). In SYN states the change happens once established (input.ts).
    if (this.state === ESTABLISHED) this.state = FIN_WAIT_1;
    else if (this.state === CLOSE_WAIT) this.state = LAST_ACK;
  }

  destroy(): void {
    if (this.closed) return;
    // RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> in synchronized states and SYN_RECEIVED.
    if (this.state >= SYN_RECEIVED) this.host.queueRstFor(this, this.sndMax);
    this.finish(null);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deliver();
  }

  setNoDelay(noDelay?: boolean): this {
    this.noDelay = noDelay !== false;
    return this;
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    this.idleMs = ms > 0 ? ms : 0;
    if (onTimeout) this.on('timeout', onTimeout);
    return this;
  }

  setKeepAlive(enable: boolean, initialDelayMs?: number): this {
    this.keepAlive = !!enable;
    this.keepAliveDelayMs = initialDelayMs && initialDelayMs > 0 ? initialDelayMs : 0;
    return this;
  }

  // ---------------------------------------------------------------- used by input/output/tcp

  /** Moves held writes into the send ring as space allows; emits 'drain' when all are in. */
  fillTx(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const n = this.tx.write(head);
      this.pendingBytes -= n;
      if (n === head.length) this.pending.shift();
      else {
        if (n > 0) this.pending[0] = head.subarray(n);
        return;
      }
    }
    if (this.needDrain) {
      this.needDrain = false;
      this.emit('drain');
    }
  }

  /**
   * RFC 2018 §4: SACK blocks for the out-of-order data held, the block holding the most recent
   * segment first, then the others in order, at most 4 (the wire format drops what does not fit).
   */
  fillSackBlocks(out: number[]): void {
    const q = this.ooo;
    let first = -1;
    for (let i = 0; i < q.count; i++) {
      if (seqLe(q.rangeStart(i), this.lastOooSeq) && seqLt(this.lastOooSeq, q.rangeEnd(i))) first = i;
    }
    if (first >= 0) out.push(q.rangeStart(first), q.rangeEnd(first));
    for (let i = 0; i < q.count && out.length < 8; i++) if (i !== first) out.push(q.rangeStart(i), q.rangeEnd(i));
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
    if (!this.visible) return; // data that came with a SYN waits until the application has the socket
    while (!this.paused && !this.closed && this.rx.length > 0) {
      const chunk = this.rx.peek(0, this.rx.length);
      this.emit('data', chunk);
      this.rx.consume(chunk.length);
    }
    if (this.peerFin && !this.endEmitted && !this.paused && !this.closed && this.rx.length === 0) {
      this.endEmitted = true;
      this.emit('end');
    }
    if (!this.closed && this.state !== SYN_SENT && this.windowUpdateDue()) this.ackPending = true;
  }

  /**
   * RFC 9293 §3.8.6.2.2 (receiver SWS avoidance): the window we would advertise now, grown only in
   * steps of at least min(buffer/2, MSS) beyond the right edge already advertised.
   */
  receiveWindow(): number {
    let free = this.rx.free();
    // The 16-bit field scaled by our shift (RFC 7323 §2.3) bounds it, in whole units of the scale.
    const max = 65535 * (1 << this.rcvShift);
    if (free > max) free = max;
    free -= free & ((1 << this.rcvShift) - 1);
    const advertised = (this.rcvAdv - this.rcvNxt) | 0;
    if (advertised < 0) return free;
    const step = this.rx.capacity >> 1 < this.sndMss ? this.rx.capacity >> 1 : this.sndMss;
    if (free - advertised < step && free >= advertised) return advertised;
    return free;
  }

  /** True when the application has freed enough space that the peer should hear of it now. */
  windowUpdateDue(): boolean {
    const advertised = (this.rcvAdv - this.rcvNxt) | 0;
    const grow = this.receiveWindow() - (advertised > 0 ? advertised : 0);
    if (grow <= 0) return false;
    // Worth a segment of its own when it opens at least two segments or half the buffer (as BSD).
    return grow >= 2 * this.sndMss || grow >= this.rx.capacity >> 1 || advertised <= 0;
  }

  /** Ends the connection: releases it, reports `err` if given, emits 'close'. */
  finish(err: string | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.state !== TIME_WAIT) this.state = CLOSED; // TIME_WAIT lives on compactly in the Tcp
    this.rtxAt = 0;
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.host.release(this);
    if (this.listener) {
      this.listener.onHalfOpenGone(this);
      this.listener = null;
    }
    if (!this.visible) return;
    if (err) this.emit('error', new Error(err));
    this.emit('close', !!err);
  }
}
