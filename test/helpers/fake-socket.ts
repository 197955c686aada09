// An in-memory pair of connected sockets implementing tcp/socket-api.ts, for testing apps without TCP.
// Each direction has a bounded send buffer (txBytes) and a bounded receive buffer (rxBytes), so
// backpressure is real: write() takes what fits and keeps a reference to the rest (returns false,
// 'drain' later); a paused receiver stops delivery and the sender's buffer fills up.
// Nothing moves until the test calls `net.pump()` (or `pair.pump()`): delivery is deterministic and
// never re-enters a callback from inside write().
// 'data' chunks are views into a receive buffer that is overwritten after the callback, as in TCP.
import { Emitter } from '../../tcp/events';
import { TcpSocketApi, TcpServerApi, SocketBuffers, Evictable } from '../../tcp/socket-api';

export interface FakeOptions extends SocketBuffers {
  /** Largest chunk moved per step (like an MSS). */
  segment?: number;
}

let nextPort = 40000;

export class FakeSocket extends Emitter implements TcpSocketApi {
  peer!: FakeSocket;
  remoteAddress = '10.0.0.2';
  remotePort = 0;
  localAddress = '10.0.0.1';
  localPort = 0;

  // Send side.
  private tx: Uint8Array;
  private txLen = 0;
  private pending: Uint8Array[] = [];
  private needDrain = false;
  private endRequested = false;
  finSent = false;
  // Receive side.
  private rx: Uint8Array;
  private rxLen = 0;
  paused = false;
  private finReceived = false;
  endEmitted = false;
  closed = false;
  destroyed = false;
  // Timeouts on the pair's virtual clock.
  private timeoutMs = 0;
  private lastActivity = 0;
  private timedOut = false;
  /** Every byte written by the application, in order (for assertions), if `record` is set. */
  record = false;
  written: number[] = [];
  bytesWritten = 0;
  bytesRead = 0;

  constructor(readonly net: FakeNet, opts: FakeOptions) {
    super();
    this.tx = new Uint8Array(opts.txBytes || 2048);
    this.rx = new Uint8Array(opts.rxBytes || 2048);
    this.lastActivity = net.now;
  }

  get bufferedAmount(): number {
    let n = this.txLen;
    for (const p of this.pending) n += p.length;
    return n;
  }

  private toBytes(data: Uint8Array | string): Uint8Array {
    if (typeof data !== 'string') return data;
    const b = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) b[i] = data.charCodeAt(i) & 255;
    return b;
  }

  write(data: Uint8Array | string): boolean {
    if (this.closed || this.endRequested) {
      const self = this;
      this.net.later(() => self.fail('EPIPE'));
      return false;
    }
    const bytes = this.toBytes(data);
    if (this.record) for (let i = 0; i < bytes.length; i++) this.written.push(bytes[i]);
    this.bytesWritten += bytes.length;
    if (this.pending.length === 0) {
      const n = Math.min(bytes.length, this.tx.length - this.txLen);
      this.tx.set(bytes.subarray(0, n), this.txLen);
      this.txLen += n;
      if (n === bytes.length) return true;
      this.pending.push(bytes.subarray(n)); // a reference, never copied (as the API says)
    } else if (bytes.length > 0) {
      this.pending.push(bytes);
    }
    this.needDrain = true;
    return false;
  }

  end(data?: Uint8Array | string): void {
    if (data !== undefined && !this.endRequested && !this.closed) this.write(data);
    this.endRequested = true;
  }

  destroy(): void {
    if (this.closed) return;
    this.destroyed = true;
    const peer = this.peer;
    this.closeNow(false);
    if (peer && !peer.closed) peer.reset();
  }

  private reset(): void {
    this.fail('ECONNRESET');
  }

  private fail(code: string): void {
    if (this.closed) return;
    this.emit('error', new Error(code));
    this.closeNow(true);
  }

  private closeNow(hadError: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.txLen = 0;
    this.pending.length = 0;
    this.emit('close', hadError);
  }

  pause(): void {
    this.paused = true;
  }

  /** As TCP's (tcp/tcp/socket.ts): what waits in the receive buffer is handed over at once. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deliverReceived();
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeoutMs = ms;
    this.timedOut = false;
    this.lastActivity = this.net.now;
    if (onTimeout) this.on('timeout', onTimeout);
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  /** What the application last asked (setEvictable); the fake has no table to free slots in. */
  evictable: Evictable = 'never';
  setEvictable(when: Evictable): void {
    this.evictable = when;
  }

  /** Hands the receive buffer to the application, then 'end' after the peer's FIN. Whether it did anything. */
  private deliverReceived(): boolean {
    let moved = false;
    if (this.rxLen > 0 && !this.paused && !this.closed) {
      const n = this.rxLen;
      // Deliver a view, then scribble over the buffer so an app that kept the view sees garbage.
      const view = this.rx.subarray(0, n);
      this.rxLen = 0;
      this.bytesRead += n;
      this.emit('data', view);
      if (!this.closed) this.rx.fill(0xee, 0, n);
      moved = true;
    }
    if (this.finReceived && !this.endEmitted && this.rxLen === 0 && !this.paused && !this.closed) {
      this.endEmitted = true;
      this.emit('end');
      moved = true;
    }
    return moved;
  }

  /** One step of this direction (this → peer). Returns whether anything happened. */
  step(): boolean {
    if (this.closed) return false;
    let moved = false;
    const peer = this.peer;
    // Move bytes from our send buffer into the peer's receive buffer.
    if (this.txLen > 0 && !peer.closed) {
      const n = Math.min(this.txLen, peer.rx.length - peer.rxLen, this.net.segment);
      if (n > 0) {
        peer.rx.set(this.tx.subarray(0, n), peer.rxLen);
        peer.rxLen += n;
        this.tx.set(this.tx.subarray(n, this.txLen), 0); // test helper: fine to shift
        this.txLen -= n;
        moved = true;
        this.lastActivity = peer.lastActivity = this.net.now;
        this.timedOut = peer.timedOut = false; // activity re-arms the idle timer
      }
    }
    // Refill the send buffer from what write() left waiting.
    while (this.pending.length > 0 && this.txLen < this.tx.length) {
      const p = this.pending[0];
      const n = Math.min(p.length, this.tx.length - this.txLen);
      this.tx.set(p.subarray(0, n), this.txLen);
      this.txLen += n;
      if (n === p.length) this.pending.shift();
      else this.pending[0] = p.subarray(n);
      moved = true;
    }
    if (this.needDrain && this.pending.length === 0) {
      this.needDrain = false;
      this.emit('drain');
      moved = true;
    }
    // FIN once everything queued went out.
    if (this.endRequested && !this.finSent && this.txLen === 0 && this.pending.length === 0 && !peer.closed) {
      this.finSent = true;
      peer.finReceived = true;
      moved = true;
    }
    if (this.deliverReceived()) moved = true;
    if (!this.closed && this.finSent && this.endEmitted && peer.finSent && peer.endEmitted) {
      this.closeNow(false);
      if (!peer.closed) peer.closeNow(false);
      moved = true;
    }
    return moved;
  }

  checkTimeout(): void {
    if (this.closed || this.timeoutMs <= 0 || this.timedOut) return;
    if (this.net.now - this.lastActivity >= this.timeoutMs) {
      this.timedOut = true;
      this.emit('timeout');
    }
  }

  /** Re-arms the idle timer after activity (the real stack does this on any traffic). */
  touch(): void {
    this.lastActivity = this.net.now;
    this.timedOut = false;
  }
}

export class FakeServer extends Emitter implements TcpServerApi {
  closed = false;
  constructor(readonly net: FakeNet, readonly port: number, readonly opts: FakeOptions) {
    super();
  }
  close(): void {
    this.closed = true;
    delete this.net.servers[this.port];
    this.emit('close');
  }
}

/** A tiny network of fake sockets: servers by port, connect() makes a pair, pump() moves bytes. */
export class FakeNet {
  now = 0;
  segment: number;
  sockets: FakeSocket[] = [];
  servers: { [port: number]: FakeServer } = {};
  private deferred: Array<() => void> = [];

  constructor(opts: { segment?: number } = {}) {
    this.segment = opts.segment || 536;
  }

  later(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Stack-like: createServer(port, onConnection, opts). */
  createServer(port: number, onConnection: (s: TcpSocketApi) => void, opts: FakeOptions = {}): FakeServer {
    const srv = new FakeServer(this, port, opts);
    srv.on('connection', onConnection);
    this.servers[port] = srv;
    return srv;
  }

  /** A connected pair [client, server side] with the given buffer sizes (no server needed). */
  pair(clientOpts: FakeOptions = {}, serverOpts: FakeOptions = clientOpts): [FakeSocket, FakeSocket] {
    const c = new FakeSocket(this, clientOpts);
    const s = new FakeSocket(this, serverOpts);
    c.peer = s;
    s.peer = c;
    c.localPort = s.remotePort = nextPort++;
    c.remoteAddress = s.localAddress = '10.0.0.1';
    c.localAddress = s.remoteAddress = '10.0.0.2';
    this.sockets.push(c, s);
    return [c, s];
  }

  /** Names connect() resolves (anything else that is not a dotted quad fails with ENOTFOUND). */
  hosts: { [name: string]: string } = {};

  /** Stack-like active open: 'connect' on the next pump, or ECONNREFUSED if nobody listens. */
  connect(o: { host: string; port: number }, opts: FakeOptions = {}): FakeSocket {
    const known = /^\d+\.\d+\.\d+\.\d+$/.test(o.host) || this.hosts[o.host] !== undefined;
    const srv = known ? this.servers[o.port] : undefined;
    const [c, s] = this.pair(opts, srv ? srv.opts : opts);
    c.remotePort = s.localPort = o.port;
    const self = this;
    this.later(() => {
      if (!srv || srv.closed) {
        c.emit('error', new Error(known ? 'ECONNREFUSED' : 'ENOTFOUND'));
        (c as any).closeNow(true);
        return;
      }
      c.emit('connect');
      srv.emit('connection', s);
      void self;
    });
    return c;
  }

  /** One round: deferred events, then one step of every socket. Returns whether anything moved. */
  pumpOnce(): boolean {
    let moved = false;
    while (this.deferred.length > 0) {
      const fn = this.deferred.shift() as () => void;
      fn();
      moved = true;
    }
    for (let i = 0; i < this.sockets.length; i++) if (this.sockets[i].step()) moved = true;
    this.sockets = this.sockets.filter((s) => !s.closed);
    return moved;
  }

  /** Runs until nothing moves (bounded). Returns the number of rounds that did something. */
  pump(maxSteps = 1000000): number {
    let steps = 0;
    while (this.pumpOnce()) {
      if (++steps >= maxSteps) throw new Error('FakeNet.pump: still busy after ' + maxSteps + ' steps');
    }
    return steps;
  }

  /** Advances the virtual clock and fires idle timeouts. */
  advance(ms: number): void {
    this.now += ms;
    for (const s of this.sockets.slice()) s.checkTimeout();
    this.pump();
  }
}

export function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}

export function text(b: Uint8Array | number[]): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}
