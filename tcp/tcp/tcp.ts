// TCP as a transport of the interface (protocol 6): demultiplexes segments to connections, listeners
// and compact TIME_WAIT entries, answers segments to nothing with RST (RFC 9293 §3.10.7.1), opens
// connections (ISNs per RFC 6528, ephemeral ports per RFC 6335), and on each poll runs every
// connection's timers and send path. Everything is bounded: connections, half-open and not-yet-taken
// connections per listener, TIME_WAIT entries, queued RSTs.
import { Transport, IpSender } from '../iface/transport';
import { describeError, tell } from '../errors';
import { RandomSource } from '../ports';
import { Ipv4Address, TcpRepr, newTcpRepr, isWireError, IP_PROTO_TCP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../wire/reprs';
import { parseTcp, emitTcpOptions, tcpHeaderLength, TCP_HEADER_LEN } from '../wire/tcp';
import { readU16, readU32, emptyArray } from '../wire/bytes';
import { onesComplementSum } from '../wire/checksum';
import { SocketBuffers } from '../socket-api';
import { TcpConfig, TCP_DEFAULTS, withConfig } from './config';
import { TcpSocket, SocketHost, F_EVICT_IDLE, F_EVICT_QUIET, F_OFFER_WS, F_PEER_FIN, F_SACK_OK, F_SEG_UNACKED, F_UNREACHABLE, F_VISIBLE } from './socket';
import { TcpListener, ListenerHost } from './listener';
import { segmentArrives } from './input';
import { socketOutput, socketTimers, socketDeadline } from './output';
import { TcpCounters, newTcpCounters, InputHost, SegmentSender } from './hosts';
import { applySynOptions, peerMss, setSendWindow, setSndMss } from './syn-options';
import { SYN_SENT, SYN_RECEIVED, TIME_WAIT } from './state';
import { setState } from './transitions';
import { seqAdd, seqGt, seqLt } from './seq';
import { mix32 } from './hash';
import {
  TimeWaitTable, TW_REOPEN, TW_UNTIL, TW_LOCAL_IP, TW_LOCAL_PORT, TW_REMOTE_IP, TW_REMOTE_PORT, TW_SND, TW_RCV,
} from './time-wait';
import { SynCookies } from './syn-cookies';
import { SACK, fillSackBlocks } from './sack';
import { WINDOW_SCALING, shiftFor } from './window-scale';


const RST_QUEUE = 16;
/** Numbers per queued bare segment in Tcp.rq: local ip, local port, remote ip, remote port, seq, ack, flags, window. */
const RQ_FIELDS = 8;
/** SYN cookie key period (the time counter's unit); a cookie is valid for one to two of these. */
const COOKIE_PERIOD_MS = 64000;

export interface ConnectOptions extends SocketBuffers {
  localPort?: number;
}

export class Tcp implements Transport, SocketHost, InputHost, SegmentSender, ListenerHost {
  readonly protocol = IP_PROTO_TCP;
  readonly config: TcpConfig;
  readonly counters: TcpCounters = newTcpCounters();
  /** Connections in every state but LISTEN, CLOSED and TIME_WAIT. */
  readonly sockets: TcpSocket[] = [];
  readonly listeners: TcpListener[] = [];

  /**
   * The one segment representation, for parsing and emitting alike: segments are parsed in receive()
   * and emitted only from poll() (everything an application or the input path wants sent is queued or
   * flagged until then), so the two uses never overlap.
   */
  private readonly seg: TcpRepr = newTcpRepr();
  private readonly secret: number[];
  private nextEphemeral: number;
  /** Our MSS: the largest transport datagram the interface said it can send, less 20, at most config.mss. */
  ourMss: number;
  /** The interface's maxTransportLength() that ourMss was last worked out from (poll). */
  private mtSeen = 0;

  /** Compact TIME_WAIT entries (time-wait.ts). */
  readonly timeWait: TimeWaitTable;

  /**
   * Queued RSTs (and SYN|ACKs with a cookie, ACKs without a connection) sent at the next poll: RQ_FIELDS
   * numbers each (the window is the listener's receive buffer for a cookie SYN|ACK, 0 otherwise), at
   * most RST_QUEUE entries; empty (nothing held) between polls.
   */
  private readonly rq: number[] = [];
  private readonly cookies: SynCookies;
  /** When the last SYN cookie was sent (-1: never). */
  private lastCookieAt = -1;

  /** Active opens that failed locally, reported at the next poll. */
  private readonly failed: TcpSocket[] = [];
  /** RFC 5961 §7 challenge-ACK rate limit (input.ts challengeAck). */
  challengeWindowStart = 0;
  challengeCount = 0;
  private lastNow = 0;
  /** The last exception from an application callback, as "event: message" ('' when none yet). */
  lastAppError = '';
  /** Told of each exception from an application callback (the Stack passes it to the interface's reporter). */
  onAppError: ((description: string) => void) | null = null;

  constructor(private readonly random: RandomSource, config?: Partial<TcpConfig>) {
    this.config = withConfig(TCP_DEFAULTS, config);
    this.ourMss = this.mssFor(1480);
    this.secret = [random.nextU32(), random.nextU32(), random.nextU32(), random.nextU32()];
    const range = this.config.ephemeralHigh - this.config.ephemeralLow + 1;
    this.nextEphemeral = this.config.ephemeralLow + (random.nextU32() % range);
    this.cookies = new SynCookies(random, COOKIE_PERIOD_MS);
    this.timeWait = new TimeWaitTable(this.config.timeWaitSlots, 2 * this.config.mslMs);
  }

  // ---------------------------------------------------------------- application entry points

  /** Starts listening on `port` (LISTEN). */
  listen(port: number, onConnection?: (s: TcpSocket) => void, opts?: SocketBuffers & { backlog?: number }): TcpListener {
    const l = new TcpListener(this, port, (opts && opts.backlog) || this.config.backlog,
      (opts && opts.rxBytes) || this.config.rxBytes, (opts && opts.txBytes) || this.config.txBytes);
    if (onConnection) l.on('connection', onConnection);
    for (let i = 0; i < this.listeners.length; i++) {
      if (this.listeners[i].port === port) {
        l.closed = true;
        return l; // port in use: a closed listener (the caller sees `closed`)
      }
    }
    this.listeners.push(l);
    return l;
  }

  /** Active open to `remoteIp:remotePort`. The SYN goes out at the next poll. */
  connect(remoteIp: Ipv4Address, remotePort: number, opts?: ConnectOptions): TcpSocket {
    const sock = this.createSocket(opts);
    this.open(sock, remoteIp, remotePort, opts && opts.localPort);
    return sock;
  }

  /** A socket for an active open that starts later (e.g. after a name lookup) with open(). */
  createSocket(opts?: SocketBuffers): TcpSocket {
    const sock = new TcpSocket(this, (opts && opts.rxBytes) || this.config.rxBytes,
      (opts && opts.txBytes) || this.config.txBytes);
    sock.flags |= F_VISIBLE;
    return sock;
  }

  /** Starts the active open of a socket from createSocket(). Failures are reported at the next poll. */
  open(sock: TcpSocket, remoteIp: Ipv4Address, remotePort: number, localPort?: number): void {
    if (sock.closed || sock.state !== 0) return;
    sock.remoteIp = remoteIp >>> 0;
    sock.remotePort = remotePort;
    sock.localPort = localPort || this.pickEphemeral();
    if (this.sockets.length >= this.config.maxConnections || sock.localPort === 0) {
      // No connection slot (or port): refused locally, reported at the next poll.
      this.counters.synDropped++;
      this.deferredError(sock, 'ECONNREFUSED');
      return;
    }
    setState(sock, SYN_SENT);
    if (WINDOW_SCALING && this.config.windowScaling) sock.flags |= F_OFFER_WS;
    this.startSequence(sock, this.lastNow);
    this.sockets.push(sock);
    this.counters.activeOpens++;
  }

  /** Fails a socket from createSocket() that never opened (e.g. the name did not resolve). */
  fail(sock: TcpSocket, err: string): void {
    if (!sock.closed && sock.state === 0) this.deferredError(sock, err);
  }

  /** SocketHost/ListenerHost: an application callback threw. Counted, kept as text, reported. */
  appError(where: string, e: unknown): void {
    this.counters.appErrors++;
    this.lastAppError = describeError(where, e);
    tell(this.onAppError, this.lastAppError);
  }

  // ---------------------------------------------------------------- Transport

  receive(src: Ipv4Address, dst: Ipv4Address, buf: Uint8Array, off: number, len: number, nowMs: number): void {
    this.lastNow = nowMs;
    this.counters.rxSegments++;
    const seg = parseTcp(buf, off, len, src, dst, this.seg);
    if (isWireError(seg)) {
      this.counters.rxBad++;
      return;
    }
    const sock = this.findSocket(dst, seg.dstPort, src, seg.srcPort);
    if (sock) {
      segmentArrives(sock, seg, buf, nowMs, this);
      // Nothing to hand over (nor a window to reopen) unless bytes wait or the peer's FIN came.
      if (!sock.closed && (sock.rx.length > 0 || (sock.flags & F_PEER_FIN) !== 0)) sock.deliver();
      return;
    }
    const tw = this.timeWait.find(dst, seg.dstPort, src, seg.srcPort);
    if (tw >= 0 && this.timeWait.segment(tw, seg, nowMs) !== TW_REOPEN) return;
    for (let i = 0; i < this.listeners.length; i++) {
      const l = this.listeners[i];
      if (l.port === seg.dstPort) {
        this.listenSegment(l, seg, src, dst, buf, nowMs);
        return;
      }
    }
    this.rstForSegment(dst, src, seg);
  }

  unreachable(dst: Ipv4Address, code: number, original: Uint8Array, off: number, len: number): void {
    // `original` holds (at least) the first 8 bytes of our TCP header: ports and sequence number.
    if (len < 8) return;
    const localPort = readU16(original, off);
    const remotePort = readU16(original, off + 2);
    const seq = readU32(original, off + 4);
    for (let i = 0; i < this.sockets.length; i++) {
      const s = this.sockets[i];
      if (s.remoteIp !== dst || s.localPort !== localPort || s.remotePort !== remotePort) continue;
      // RFC 5927 §4.1: the quoted segment must be one we sent (SND.UNA <= SEQ <= SND.MAX); otherwise a
      // blind attacker who guesses the 4-tuple could abort the connection with a forged ICMP error.
      if (seqLt(seq, s.sndUna) || seqGt(seq, s.sndMax)) {
        this.counters.icmpOutOfWindow++;
        return;
      }
      // RFC 1122 §4.2.3.9: protocol/port unreachable (2, 3) are hard errors. Net/host unreachable
      // (0, 1; also our own ARP giving up) are soft for an established connection (remembered, reported
      // if it then times out) but end an opening one at once, as Linux does.
      if (code === 4) return; // fragmentation needed: we never send more than the MTU
      if (s.state === SYN_RECEIVED && code <= 3) {
        // A half-open connection whose SYN|ACK cannot reach the peer (often a spoofed source that
        // never answers ARP) ends now, not after every SYN retry; Linux drops such a request the same
        // way (tcp_req_err). A real peer repeats its SYN.
        this.counters.halfOpenUnreachable++;
        s.finish(null);
        return;
      }
      if (s.state === SYN_SENT && (code === 2 || code === 3)) s.finish('ECONNREFUSED');
      else if (s.state === SYN_SENT && (code === 0 || code === 1)) s.finish('EHOSTUNREACH');
      else s.flags |= F_UNREACHABLE;
      return;
    }
  }

  poll(nowMs: number, ip: IpSender): number {
    this.lastNow = nowMs;
    const mt = ip.maxTransportLength();
    if (mt !== this.mtSeen && mt > TCP_HEADER_LEN) { // (the same at nearly every poll)
      this.mtSeen = mt;
      this.ourMss = this.mssFor(mt);
    }
    if (this.rq.length > 0) this.flushQueued(ip);
    while (this.failed.length > 0) {
      const f = this.failed.shift() as TcpSocket;
      f.finish(f.pendingError || null);
    }
    let next = Infinity;
    // TIME_WAIT: expire, and ACK what needs it.
    const tw = this.timeWait;
    for (let i = 0; i < tw.count();) {
      const until = tw.get(i, TW_UNTIL);
      if (nowMs >= until) {
        tw.remove(i);
        continue;
      }
      if (tw.takeAckDue(i)) {
        this.sendBare(ip, tw.get(i, TW_LOCAL_IP), tw.get(i, TW_LOCAL_PORT), tw.get(i, TW_REMOTE_IP), tw.get(i, TW_REMOTE_PORT),
          tw.get(i, TW_SND), tw.get(i, TW_RCV), TCP_ACK);
      }
      if (until < next) next = until;
      i++;
    }
    const socks = this.sockets;
    for (let i = 0; i < socks.length;) {
      const s = socks[i];
      socketTimers(s, nowMs, this.counters);
      if (!s.closed) socketOutput(s, ip, nowMs, this);
      if (!s.closed) {
        const d = socketDeadline(s);
        if (d < next) next = d;
      }
      if (socks[i] === s) i++;
    }
    if (this.rq.length > 0) this.flushQueued(ip);
    return next;
  }

  // ---------------------------------------------------------------- hosts for socket/input/output/listener

  release(sock: TcpSocket): void {
    const i = this.sockets.indexOf(sock);
    if (i >= 0) this.sockets.splice(i, 1);
  }

  removeListener(l: TcpListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  queueRstFor(sock: TcpSocket, seq: number): void {
    this.queueBare(sock.localIp, sock.localPort, sock.remoteIp, sock.remotePort, seq, 0, TCP_RST);
  }

  enterTimeWait(sock: TcpSocket, nowMs: number): void {
    if (this.config.timeWaitSlots <= 0) {
      // No table: the FIN's ACK goes now, and nothing remembers the connection.
      this.queueBare(sock.localIp, sock.localPort, sock.remoteIp, sock.remotePort, sock.sndMax, sock.rcvNxt, TCP_ACK);
    } else if (this.timeWait.add(sock.localIp, sock.localPort, sock.remoteIp, sock.remotePort, sock.sndMax, sock.rcvNxt, nowMs)) {
      this.counters.timeWaitReclaimed++;
    }
    setState(sock, TIME_WAIT);
    sock.finish(null);
  }

  sendSegment(ip: IpSender, sock: TcpSocket, flags: number, seq: number, offset: number, len: number): boolean {
    const off = ip.beginDatagram(sock.remoteIp, IP_PROTO_TCP);
    if (off < 0) {
      this.counters.txNoRoute++;
      sock.flags |= F_UNREACHABLE;
      return false;
    }
    if (sock.localIp === 0) sock.localIp = ip.localAddress();
    const syn = (flags & TCP_SYN) !== 0;
    let ack = 0;
    let win = 0;
    if (flags & TCP_ACK) {
      ack = sock.rcvNxt;
      sock.delAckAt = 0; // this segment carries the ACK
      sock.flags &= ~F_SEG_UNACKED;
      win = sock.receiveWindow();
      if (syn) {
        // RFC 7323 §2.2: the window of a SYN is never scaled.
        if (win > 65535) win = 65535;
        sock.rcvAdv = seqAdd(ack, win);
      } else {
        win = win >>> sock.rcvShift;
        sock.rcvAdv = (ack + (win << sock.rcvShift)) >>> 0; // seqAdd
      }
    } else if (syn) {
      win = Math.min(sock.receiveWindow(), 65535);
    }
    // Options: a SYN's, and SACK blocks while out-of-order data is held, or in a pure ACK a duplicate to
    // report (a DSACK: not looked up for a data segment, where a property that is not there costs Espruino
    // a walk of all the socket's). Nearly every segment has none.
    const hl = syn || (SACK && (sock.ooo !== null || (len === 0 && sock.dup !== undefined)) && (sock.flags & F_SACK_OK) !== 0 && (flags & TCP_ACK) !== 0)
      ? this.writeOptions(ip, off, sock, flags, len) : TCP_HEADER_LEN;
    if (len > 0) sock.tx.copyOut(offset, len, ip.txBuffer, off + hl);
    return this.emitSegment(ip, off, sock.localIp, sock.remoteIp, sock.localPort << 16 | sock.remotePort, seq, ack,
      hl << 10 | flags, win, len);
  }

  // ---------------------------------------------------------------- internals

  /** Our MSS for transport datagrams of at most `maxTransport` bytes (RFC 9293 §3.7.1: MTU − 40), at most config.mss. */
  private mssFor(maxTransport: number): number {
    const m = maxTransport - TCP_HEADER_LEN;
    return m < this.config.mss ? m : this.config.mss;
  }

  /** RFC 6528: ISN = M + F(4-tuple, secret), M a clock ticking every 4 µs. */
  private startSequence(sock: TcpSocket, nowMs: number): void {
    const s = this.secret;
    let h = mix32(s[0] ^ sock.localIp);
    h = mix32(h ^ s[1] ^ ((sock.localPort << 16) | sock.remotePort));
    h = mix32(h ^ s[2] ^ sock.remoteIp);
    h = mix32(h ^ s[3]);
    const iss = (h + Math.floor(nowMs * 250)) >>> 0;
    sock.iss = iss;
    sock.sndUna = iss;
    sock.sndNxt = iss;
    sock.sndMax = iss;
    sock.recover = iss;
    sock.lastActivityMs = nowMs;
    // Until the peer's SYN tells its MSS: the RFC default.
    setSndMss(sock, 536);
  }

  private pickEphemeral(): number {
    const lo = this.config.ephemeralLow;
    const range = this.config.ephemeralHigh - lo + 1;
    for (let tries = 0; tries < 64; tries++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= this.config.ephemeralHigh ? lo : p + 1;
      if (!this.portInUse(p)) return p;
      if (tries >= range) break;
    }
    return 0;
  }

  private portInUse(port: number): boolean {
    for (let i = 0; i < this.sockets.length; i++) if (this.sockets[i].localPort === port) return true;
    for (let i = 0; i < this.listeners.length; i++) if (this.listeners[i].port === port) return true;
    if (this.timeWait.usesPort(port)) return true;
    return false;
  }

  /** Reports `err` on `sock` at the next poll, so the caller can attach handlers first. */
  private deferredError(sock: TcpSocket, err: string): void {
    sock.pendingError = err;
    this.failed.push(sock);
  }

  private findSocket(localIp: number, localPort: number, remoteIp: number, remotePort: number): TcpSocket | null {
    const socks = this.sockets;
    for (let i = 0; i < socks.length; i++) {
      const s = socks[i];
      if (s.localPort === localPort && s.remotePort === remotePort && s.remoteIp === remoteIp &&
          (s.localIp === localIp || s.localIp === 0)) return s;
    }
    return null;
  }

  /** LISTEN (RFC 9293 §3.10.7.2). */
  private listenSegment(l: TcpListener, seg: TcpRepr, src: number, dst: number, buf: Uint8Array, nowMs: number): void {
    if (seg.flags & TCP_RST) return;
    if (seg.flags & TCP_ACK) {
      // Perhaps the ACK completing a handshake answered with a SYN cookie.
      if (!(seg.flags & TCP_SYN) && this.config.synCookies && this.cookieAck(l, seg, src, dst, buf, nowMs)) return;
      if (!(seg.flags & TCP_SYN) && this.cookiesInUse(nowMs) && this.cookies.plausible(nowMs, seqAdd(seg.ack, -1))) {
        // While cookies are out, an ACK numbered like a current cookie may belong to a cookie
        // connection whose completing ACK found no free slot: its later segments cannot be checked
        // (their SEQ-1 is not the peer's ISN). Drop instead of resetting; the peer resends from ISN+1,
        // which then checks. Other ACKs (most blind ones: 30 in 32) still get their RST.
        this.counters.synCookiesUnverified++;
        return;
      }
      this.queueBare(dst, seg.dstPort, src, seg.srcPort, seg.ack, 0, TCP_RST);
      return;
    }
    if (!(seg.flags & TCP_SYN)) return;
    if (seg.flags & TCP_FIN) {
      // RFC 9293 §3.10.7.2 would take SYN+FIN (the FIN is processed once established), but no stack
      // sends it: it is a scanner's probe. Linux drops it in LISTEN (tcp_rcv_state_process), and so do we.
      this.counters.synFinDropped++;
      return;
    }
    if (l.halfOpen >= l.backlog || this.sockets.length >= this.config.maxConnections) {
      // No state can be kept for this SYN: this listener's backlog is full, or the whole table is (a
      // flood on several ports fills it with every listener's half-open entries). A cookie answers
      // statelessly either way; when its ACK comes back, cookieAck makes room if it must (makeRoom), so
      // a peer that completes the handshake is served whatever filled the table.
      if (this.config.synCookies) {
        this.lastCookieAt = nowMs;
        // The cookie encodes a table MSS no larger than the peer's (syn-cookies.ts).
        const cookie = this.cookies.make(nowMs, dst, seg.dstPort, src, seg.srcPort, seg.seq, peerMss(seg, this.ourMss));
        // The window is the listener's receive buffer, which the connection will have (cookieAck).
        const rx = l.rxBytes;
        this.queueBare(dst, seg.dstPort, src, seg.srcPort, cookie, seqAdd(seg.seq, 1), TCP_SYN | TCP_ACK,
          rx < 65535 ? rx : 65535);
        return;
      }
      // Without cookies, the oldest half-open entry gives way (it is the likeliest to be a flood's).
      if (l.halfOpen >= l.backlog || !this.makeRoom(true, src)) {
        this.counters.synDropped++;
        return;
      }
    }
    const sock = this.halfOpenSocket(l, seg, src, dst, nowMs);
    sock.rcvNxt = seqAdd(seg.seq, 1);
    applySynOptions(sock, seg, this.ourMss, this.config);
    setSendWindow(sock, seg.window, seg.seq, 0);
    sock.rcvAdv = seqAdd(sock.rcvNxt, sock.receiveWindow());
    // Data on a SYN is kept and handed over once the connection is taken (RFC 9293 §3.10.7.2);
    // a FIN on it is not processed (the peer will repeat it).
    if (seg.payloadLength > 0) {
      const n = sock.rx.write(buf.subarray(seg.payloadOffset, seg.payloadOffset + seg.payloadLength));
      sock.rcvNxt = seqAdd(sock.rcvNxt, n);
    }
    this.sockets.push(sock);
    this.counters.passiveOpens++;
  }

  /** A connection in SYN_RECEIVED for listener `l`, from a SYN (or a cookie's returning ACK) `seg`. */
  private halfOpenSocket(l: TcpListener, seg: TcpRepr, src: number, dst: number, nowMs: number): TcpSocket {
    const sock = new TcpSocket(this, l.rxBytes, l.txBytes);
    sock.localIp = dst;
    sock.localPort = seg.dstPort;
    sock.remoteIp = src;
    sock.remotePort = seg.srcPort;
    setState(sock, SYN_RECEIVED);
    sock.listener = l;
    l.halfOpen++;
    this.startSequence(sock, nowMs);
    return sock;
  }

  /**
   * Frees a connection slot for a new connection from `peer` (TcpSocketApi.setEvictable), unless
   * `halfOpenOnly`: the oldest half-open connection; else, when one address holds more evictable slots
   * than `peer` would after this (one host's 64 slowloris connections, say), that address's quietest
   * evictable connection (its 'idle' ones first), quiet or not: one client cannot keep the others out;
   * else the quietest 'idle' one; else the quietest 'quiet' one that has been quiet for
   * config.evictQuietMs. Called only for a peer that has completed a handshake (a cookie's ACK) or,
   * without cookies, for a new SYN against half-open entries only, so spoofed SYNs cannot push out
   * working connections. False if nothing may go.
   */
  private makeRoom(halfOpenOnly: boolean, peer: number): boolean {
    const socks = this.sockets;
    let half: TcpSocket | null = null;
    let idle: TcpSocket | null = null;
    let quiet: TcpSocket | null = null;
    let peerHolds = 0;
    let hog = 0;
    let hogHolds = 0;
    const quietSince = this.lastNow - this.config.evictQuietMs;
    for (let i = 0; i < socks.length; i++) {
      const s = socks[i];
      const t = s.lastActivityMs;
      if (s.remoteIp === peer) peerHolds++;
      if (s.state === SYN_RECEIVED) {
        if (half === null || t < half.lastActivityMs) half = s;
      } else if (halfOpenOnly || (s.flags & (F_EVICT_IDLE | F_EVICT_QUIET)) === 0) {
        continue;
      } else {
        if ((s.flags & F_EVICT_IDLE) !== 0) {
          if (idle === null || t < idle.lastActivityMs) idle = s;
        } else if (t <= quietSince && (quiet === null || t < quiet.lastActivityMs)) quiet = s;
        if (s.remoteIp !== hog) {
          const n = this.evictableFrom(s.remoteIp);
          if (n > hogHolds) { hog = s.remoteIp; hogHolds = n; }
        }
      }
    }
    let victim = half;
    if (victim === null && hogHolds > peerHolds + 1) victim = this.quietestFrom(hog);
    if (victim === null) victim = idle || quiet;
    if (victim === null) return false;
    this.counters.evicted++;
    // A half-open one goes silently, as Linux drops a request (a real peer repeats its SYN).
    if (victim === half) victim.finish(null);
    else victim.evict();
    return true;
  }

  /** How many connections from `ip` the application marked evictable. */
  private evictableFrom(ip: number): number {
    let n = 0;
    const socks = this.sockets;
    for (let i = 0; i < socks.length; i++) {
      const s = socks[i];
      if (s.remoteIp === ip && s.state !== SYN_RECEIVED && (s.flags & (F_EVICT_IDLE | F_EVICT_QUIET)) !== 0) n++;
    }
    return n;
  }

  /** The quietest evictable connection from `ip`, its 'idle' ones before its 'quiet' ones. */
  private quietestFrom(ip: number): TcpSocket | null {
    let best: TcpSocket | null = null;
    const socks = this.sockets;
    for (let i = 0; i < socks.length; i++) {
      const s = socks[i];
      if (s.remoteIp !== ip || s.state === SYN_RECEIVED || (s.flags & (F_EVICT_IDLE | F_EVICT_QUIET)) === 0) continue;
      if (best === null) { best = s; continue; }
      const sIdle = (s.flags & F_EVICT_IDLE) !== 0;
      const bIdle = (best.flags & F_EVICT_IDLE) !== 0;
      if ((sIdle && !bIdle) || (sIdle === bIdle && s.lastActivityMs < best.lastActivityMs)) best = s;
    }
    return best;
  }

  private cookiesInUse(nowMs: number): boolean {
    return this.lastCookieAt >= 0 && nowMs - this.lastCookieAt < 2 * COOKIE_PERIOD_MS;
  }

  /** An ACK to a listener: if ACK-1 is a valid SYN cookie, the connection is created (established). */
  private cookieAck(l: TcpListener, seg: TcpRepr, src: number, dst: number, buf: Uint8Array, nowMs: number): boolean {
    const peerIsn = seqAdd(seg.seq, -1);
    const iss = seqAdd(seg.ack, -1);
    const mss = this.cookies.check(nowMs, dst, seg.dstPort, src, seg.srcPort, peerIsn, iss);
    if (mss === 0) {
      if (this.cookiesInUse(nowMs)) this.counters.synCookiesInvalid++;
      return false;
    }
    if (this.sockets.length >= this.config.maxConnections && !this.makeRoom(false, src)) {
      this.counters.synDropped++;
      return true; // valid but no room: drop silently, the peer retransmits
    }
    this.counters.synCookiesValid++;
    const sock = this.halfOpenSocket(l, seg, src, dst, nowMs);
    // The handshake as the cookie remembers it: our SYN (ISN = cookie) was sent, theirs received.
    sock.iss = iss;
    sock.sndUna = iss;
    sock.sndNxt = seg.ack;
    sock.sndMax = seg.ack;
    sock.recover = seg.ack;
    sock.sndWl1 = peerIsn; // IRS, as a SYN would have set it (see input.ts)
    sock.rcvNxt = seg.seq;
    // What the cookie SYN|ACK advertised: the listener's receive buffer, unscaled (no window scaling).
    sock.rcvAdv = seqAdd(seg.seq, Math.min(l.rxBytes, 65535));
    setSndMss(sock, mss);
    this.sockets.push(sock);
    this.counters.passiveOpens++;
    segmentArrives(sock, seg, buf, nowMs, this);
    if (!sock.closed) sock.deliver();
    return true;
  }

  /** CLOSED (RFC 9293 §3.10.7.1): a RST for anything but a RST. */
  private rstForSegment(localIp: number, remoteIp: number, seg: TcpRepr): void {
    if (seg.flags & TCP_RST) return;
    if (seg.flags & TCP_ACK) {
      this.queueBare(localIp, seg.dstPort, remoteIp, seg.srcPort, seg.ack, 0, TCP_RST);
    } else {
      let len = seg.payloadLength;
      if (seg.flags & TCP_SYN) len++;
      if (seg.flags & TCP_FIN) len++;
      this.queueBare(localIp, seg.dstPort, remoteIp, seg.srcPort, 0, seqAdd(seg.seq, len), TCP_RST | TCP_ACK);
    }
  }

  private queueBare(localIp: number, localPort: number, remoteIp: number, remotePort: number, seq: number,
    ack: number, flags: number, win = 0): void {
    if (this.rq.length >= RST_QUEUE * RQ_FIELDS) {
      this.counters.rstQueueFull++;
      return;
    }
    this.rq.push(localIp, localPort, remoteIp, remotePort, seq, ack, flags, win);
  }

  private flushQueued(ip: IpSender): void {
    const q = this.rq;
    if (q.length === 0) return;
    for (let k = 0; k < q.length; k += RQ_FIELDS) {
      this.sendBare(ip, q[k], q[k + 1], q[k + 2], q[k + 3], q[k + 4], q[k + 5], q[k + 6], q[k + 7]);
    }
    emptyArray(q);
  }

  /** A segment without data or connection: RSTs and TIME_WAIT ACKs (and a cookie's SYN|ACK). */
  private sendBare(ip: IpSender, localIp: number, localPort: number, remoteIp: number, remotePort: number,
    seq: number, ack: number, flags: number, win = 0): void {
    const off = ip.beginDatagram(remoteIp, IP_PROTO_TCP);
    if (off < 0) {
      this.counters.txNoRoute++;
      return;
    }
    if (flags & TCP_RST) this.counters.rstSent++;
    else if (flags & TCP_SYN) this.counters.synCookiesSent++;
    const hl = (flags & TCP_SYN) ? this.writeOptions(ip, off, null, flags, 0) : TCP_HEADER_LEN;
    this.emitSegment(ip, off, localIp || ip.localAddress(), remoteIp, localPort << 16 | remotePort, seq,
      (flags & TCP_ACK) ? ack : 0, hl << 10 | flags, win, 0);
  }

  /**
   * Writes the options of a segment `sock` sends (null: sendBare's SYN|ACK) after its fixed header at
   * `off`, and returns the header's length. A SYN carries our MSS (MTU − 40, RFC 9293 §3.7.1, whatever
   * the peer's), and window scale and SACK-permitted where offered; any other segment SACK blocks
   * (sendSegment asks only with SACK agreed and an ACK), except a full-sized one: they are advisory,
   * and options come out of the MSS (§3.7.1).
   */
  private writeOptions(ip: IpSender, off: number, sock: TcpSocket | null, flags: number, len: number): number {
    const r = this.seg;
    const syn = (flags & TCP_SYN) !== 0;
    r.mss = syn ? this.ourMss : 0;
    r.windowScale = WINDOW_SCALING && syn && sock !== null && (sock.flags & F_OFFER_WS) !== 0 ? shiftFor(sock.rx.buf.length) : -1;
    r.sackPermitted = !!SACK && syn && sock !== null && this.config.sack && (sock.state === SYN_SENT || (sock.flags & F_SACK_OK) !== 0);
    r.hasTimestamp = false;
    emptyArray(r.sack);
    if (SACK && !syn && sock !== null) fillSackBlocks(sock, r.sack);
    let hl = tcpHeaderLength(r);
    if (SACK && sock !== null && r.sack.length > 0 && hl + len > sock.sndMss + TCP_HEADER_LEN) {
      emptyArray(r.sack);
      hl = tcpHeaderLength(r);
    }
    if (hl > TCP_HEADER_LEN) emitTcpOptions(r, ip.txBuffer, off + TCP_HEADER_LEN, off + hl, ip.txView);
    return hl;
  }

  /**
   * Completes the segment at `off` in the transmit buffer, its options and `len` data bytes already in
   * place, and sends it: the fixed header (RFC 9293 §3.1) in five native stores (`ports`: source << 16 |
   * destination; `offsetFlags`: header length << 10 | flags; urgent pointer 0) and the checksum over
   * the pseudo-header (handed to the sum unfolded: it folds), header and data.
   */
  private emitSegment(ip: IpSender, off: number, src: number, dst: number, ports: number, seq: number, ack: number,
    offsetFlags: number, win: number, len: number): boolean {
    const v = ip.txView;
    const hl = offsetFlags >> 10;
    const total = hl + len;
    v.setUint32(off, ports >>> 0);
    v.setUint32(off + 4, seq);
    v.setUint32(off + 8, ack);
    v.setUint32(off + 12, (hl << 26 | (offsetFlags & 0xff) << 16 | win & 0xffff) >>> 0);
    v.setUint32(off + 16, 0);
    v.setUint16(off + 16, ~onesComplementSum(ip.txBuffer, off, total,
      (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + IP_PROTO_TCP + total) & 0xffff);
    this.counters.txSegments++;
    return ip.commitDatagram(total);
  }
}
