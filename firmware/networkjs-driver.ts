// A driver for Espruino's NetworkJS: `require("NetworkJS").create(driver)` makes Espruino's built-in
// `net`, `http` and `dgram` modules run over our stack. Espruino polls the driver from its idle loop
// (nothing is pushed), with these conventions (libs/network/js/network_js.c in Espruino):
//   create(host, port, type)  host undefined = listening server, else the host as the user gave it
//                             (a dotted quad or a name: resolving it is our job); type 0 TCP, 1 HTTP,
//                             2 UDP (+4 TLS, not supported). Returns a socket id ≥ 0 or an error < 0.
//   close(id)                 return value ignored.
//   accept(serverId)          polled every loop: a new socket id, or -1.
//   recv(id, maxLen, type)    polled every loop: a binary string; "" = nothing yet; -1 = closed;
//                             other negatives = errors. A number ≥ 0 is treated as a failure there.
//   send(id, data, type)      bytes taken; 0 = busy, try again; negative = error.
// For UDP, data both ways carries an 8-byte header: IPv4 address (4 bytes), port (2 bytes, LE),
// length (2 bytes, LE).
// Memory: one fixed receive ring per socket (rxBytes) and a bounded table of sockets.
import { TcpSocketApi, TcpServerApi, SocketBuffers } from '../tcp/socket-api';
import { bytesToString, stringToBytes } from './bytes';
import { emptyArray } from '../tcp/wire/bytes';
import { parseIpv4Address, formatIpv4 } from '../tcp/wire/ipv4-address';

/** Espruino's SocketErrors (libs/network/network.h). */
export const SOCKET_ERR_CLOSED = -1;
export const SOCKET_ERR_MEM = -2;
export const SOCKET_ERR_TIMEOUT = -3;
export const SOCKET_ERR_NO_ROUTE = -4;
export const SOCKET_ERR_NOT_FOUND = -6;
export const SOCKET_ERR_MAX_SOCK = -7;
export const SOCKET_ERR_CONNECTION_RESET = -9;
export const SOCKET_ERR_UNKNOWN = -10;
export const SOCKET_ERR_NO_CONN = -11;
export const SOCKET_ERR_BAD_ARGS = -12;

/** What the driver needs from the stack (tcp/stack.ts `Stack` has these). */
export interface NetStack {
  createServer(port: number, onConnection: (s: TcpSocketApi) => void, opts?: SocketBuffers): TcpServerApi;
  connect(o: { host: string; port: number }, opts?: SocketBuffers): TcpSocketApi;
}

/** Optional UDP: adapt the interface's UDP sockets to this. */
export interface NetUdp {
  /** Binds `port` (0 = any); messages arrive as (srcAddress "a.b.c.d", srcPort, bytes view). */
  bind(port: number, onMessage: (addr: string, port: number, data: Uint8Array) => void): { close(): void; port: number } | null;
  /** Sends one datagram from local `fromPort`. */
  send(fromPort: number, addr: string, port: number, data: Uint8Array): boolean;
}

/** What udpOverInterface needs of the interface's UDP layer. */
export interface UdpSocketLike { port: number; send(d: Uint8Array, port: number, addr: number): boolean; close(): void }
export interface UdpLayerLike {
  bind(port: number, onMessage: (data: Uint8Array, rinfo: { address: number; port: number }) => void): UdpSocketLike | null;
}

/** UDP for NetworkJS (Espruino's dgram) over the interface's UDP sockets (tcp/iface/udp.ts). */
export function udpOverInterface(udp: UdpLayerLike): NetUdp {
  const bound: { [port: number]: UdpSocketLike } = {};
  return {
    bind: function (port: number, onMessage: (addr: string, port: number, data: Uint8Array) => void) {
      const s = udp.bind(port, function (data: Uint8Array, rinfo: { address: number; port: number }) {
        onMessage(formatIpv4(rinfo.address), rinfo.port, data);
      });
      if (!s) return null;
      bound[s.port] = s;
      return { port: s.port, close: function () { delete bound[s.port]; s.close(); } };
    },
    send: function (fromPort: number, addr: string, port: number, data: Uint8Array): boolean {
      const s = bound[fromPort];
      const a = parseIpv4Address(addr);
      return !!s && a !== -1 && s.send(data, port, a);
    },
  };
}

export interface NetworkJsOptions {
  maxSockets?: number;
  /** Receive ring per socket (bytes); ≥ the TCP receive buffer so a paused socket never overflows. */
  rxBytes?: number;
  /** Accepted connections waiting for accept() per server. */
  backlog?: number;
  buffers?: SocketBuffers;
  udp?: NetUdp;
  /** Datagrams queued per UDP socket. */
  udpQueue?: number;
}

export interface NetworkJsCounters {
  created: number;
  accepted: number;
  refused: number;     // connections dropped because the table or a backlog was full
  overflows: number;   // data arriving despite pause, kept in a temporary copy
  udpDropped: number;
}

const KIND_SERVER = 1;
const KIND_TCP = 2;
const KIND_UDP = 3;

interface Entry {
  kind: number;
  // TCP
  sock: TcpSocketApi | null;
  ring: Uint8Array | null;
  head: number;
  len: number;
  extra: Uint8Array[];  // bytes that arrived while paused and did not fit (rare)
  connected: boolean;
  ended: boolean;
  error: number;
  waitDrain: boolean;
  paused: boolean;
  // server
  server: TcpServerApi | null;
  backlog: number[];
  // UDP
  udp: { close(): void; port: number } | null;
  dgrams: string[];
  udpHost: string;
  udpPort: number;
}

function errorCode(e: Error): number {
  const m = e && e.message;
  if (m === 'ECONNREFUSED') return SOCKET_ERR_NO_CONN;
  if (m === 'ECONNRESET' || m === 'EPIPE') return SOCKET_ERR_CONNECTION_RESET;
  if (m === 'ETIMEDOUT') return SOCKET_ERR_TIMEOUT;
  if (m === 'EHOSTUNREACH') return SOCKET_ERR_NO_ROUTE;
  if (m === 'ENOTFOUND') return SOCKET_ERR_NOT_FOUND;
  return SOCKET_ERR_UNKNOWN;
}

function parseDottedQuad(s: string): number[] | null {
  const p = s.split('.');
  if (p.length !== 4) return null;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const n = parseInt(p[i], 10);
    if (!(n >= 0 && n <= 255)) return null;
    out.push(n);
  }
  return out;
}

export class NetworkJsDriver {
  readonly counters: NetworkJsCounters = { created: 0, accepted: 0, refused: 0, overflows: 0, udpDropped: 0 };
  private readonly table: Array<Entry | null> = [];
  private readonly maxSockets: number;
  private readonly rxBytes: number;
  private readonly backlog: number;
  private readonly udpQueue: number;

  constructor(private readonly stack: NetStack, private readonly opts: NetworkJsOptions = {}) {
    this.maxSockets = opts.maxSockets || 8;
    this.rxBytes = opts.rxBytes || 2048;
    this.backlog = opts.backlog || 2;
    this.udpQueue = opts.udpQueue || 4;
    for (let i = 0; i < this.maxSockets; i++) this.table.push(null);
  }

  private newEntry(kind: number): number {
    for (let i = 0; i < this.table.length; i++) {
      if (this.table[i] === null) {
        this.table[i] = {
          kind, sock: null, ring: null, head: 0, len: 0, extra: [], connected: false, ended: false, error: 0,
          waitDrain: false, paused: false, server: null, backlog: [], udp: null, dgrams: [], udpHost: '', udpPort: 0,
        };
        return i;
      }
    }
    return -1;
  }

  /** Wires a TCP socket to a table entry. */
  private attach(id: number, sock: TcpSocketApi, connected: boolean): void {
    const e = this.table[id] as Entry;
    e.sock = sock;
    e.connected = connected;
    e.ring = new Uint8Array(this.rxBytes);
    const self = this;
    sock.on('connect', function () { e.connected = true; });
    sock.on('data', function (d: Uint8Array) { self.store(e, d); });
    sock.on('end', function () { e.ended = true; });
    sock.on('drain', function () { e.waitDrain = false; });
    sock.on('error', function (err: Error) { if (!e.error) e.error = errorCode(err); });
    sock.on('close', function () {
      e.ended = true;
      if (!e.connected && !e.error) e.error = SOCKET_ERR_NO_CONN;
    });
  }

  /** Copies received bytes into the entry's ring; pauses the socket while anything waits. */
  private store(e: Entry, d: Uint8Array): void {
    if (!e.ring) return; // closed by Espruino: drop
    const off = e.extra.length === 0 ? this.copyIn(e, d) : 0;
    if (off < d.length) {
      this.counters.overflows++;
      e.extra.push(new Uint8Array(d.subarray(off)));
    }
    if (!e.paused && e.len > 0 && e.sock) {
      // Espruino polls recv() every idle loop; hold the peer back (TCP window) until it has.
      e.paused = true;
      e.sock.pause();
    }
  }

  /** Copies as much of `d` as fits into the ring; returns how much. */
  private copyIn(e: Entry, d: Uint8Array): number {
    const ring = e.ring as Uint8Array;
    let off = 0;
    while (off < d.length && e.len < ring.length) {
      const tail = (e.head + e.len) % ring.length;
      const k = Math.min(d.length - off, ring.length - e.len, ring.length - tail);
      ring.set(d.subarray(off, off + k), tail);
      e.len += k;
      off += k;
    }
    return off;
  }

  /** Moves bytes that overflowed earlier into the ring, in order. */
  private refill(e: Entry): void {
    while (e.extra.length > 0 && e.ring && e.len < e.ring.length) {
      const x = e.extra[0];
      const n = this.copyIn(e, x);
      if (n === x.length) e.extra.shift();
      else e.extra[0] = x.subarray(n);
    }
  }

  // ---- the NetworkJS interface ----

  create(host: string | undefined, port: number, type?: number, _options?: unknown): number {
    const t = (type || 0) & 3;
    if (((type || 0) & 4) !== 0) return SOCKET_ERR_BAD_ARGS; // TLS is not provided by this stack
    if (t === 2) return this.createUdp(host, port);
    const id = this.newEntry(host === undefined ? KIND_SERVER : KIND_TCP);
    if (id < 0) return SOCKET_ERR_MAX_SOCK;
    this.counters.created++;
    const e = this.table[id] as Entry;
    if (host === undefined) {
      const self = this;
      e.server = this.stack.createServer(port, function (sock: TcpSocketApi) {
        if (e.backlog.length >= self.backlog) {
          self.counters.refused++;
          sock.destroy();
          return;
        }
        const cid = self.newEntry(KIND_TCP);
        if (cid < 0) {
          self.counters.refused++;
          sock.destroy();
          return;
        }
        self.attach(cid, sock, true);
        e.backlog.push(cid);
      }, this.opts.buffers);
      return id;
    }
    // The stack resolves names (DNS) itself when connecting.
    this.attach(id, this.stack.connect({ host: host, port: port }, this.opts.buffers), false);
    return id;
  }

  private createUdp(host: string | undefined, port: number): number {
    const udp = this.opts.udp;
    if (!udp) return SOCKET_ERR_BAD_ARGS;
    const id = this.newEntry(KIND_UDP);
    if (id < 0) return SOCKET_ERR_MAX_SOCK;
    const e = this.table[id] as Entry;
    const self = this;
    const h = udp.bind(host === undefined ? port : 0, function (addr: string, srcPort: number, data: Uint8Array) {
      if (e.dgrams.length >= self.udpQueue || data.length > 65535) {
        self.counters.udpDropped++;
        return;
      }
      const a = parseDottedQuad(addr) || [0, 0, 0, 0];
      const hdr = String.fromCharCode(a[0], a[1], a[2], a[3], srcPort & 255, srcPort >> 8, data.length & 255, data.length >> 8);
      e.dgrams.push(hdr + bytesToString(data));
    });
    if (!h) {
      this.table[id] = null;
      return SOCKET_ERR_UNKNOWN;
    }
    e.udp = h;
    e.udpHost = host || '';
    e.udpPort = port;
    this.counters.created++;
    return id;
  }

  close(id: number): void {
    const e = this.table[id];
    if (!e) return;
    this.table[id] = null;
    if (e.kind === KIND_SERVER) {
      if (e.server) e.server.close();
      for (let i = 0; i < e.backlog.length; i++) this.close(e.backlog[i]);
    } else if (e.kind === KIND_TCP && e.sock) {
      e.ring = null;
      emptyArray(e.extra);
      e.sock.resume(); // keep reading (and dropping) so our FIN ends it cleanly, without RST
      e.sock.end();
    } else if (e.kind === KIND_UDP && e.udp) {
      e.udp.close();
    }
  }

  accept(serverId: number): number {
    const e = this.table[serverId];
    if (!e || e.kind !== KIND_SERVER || e.backlog.length === 0) return -1;
    this.counters.accepted++;
    return e.backlog.shift() as number;
  }

  recv(id: number, maxLen: number, _type?: number): string | number {
    const e = this.table[id];
    if (!e) return SOCKET_ERR_CLOSED;
    if (e.kind === KIND_UDP) return e.dgrams.length > 0 ? (e.dgrams.shift() as string) : '';
    if (e.kind !== KIND_TCP) return '';
    if (e.len === 0 && e.extra.length > 0) this.refill(e);
    if (e.len > 0) {
      const ring = e.ring as Uint8Array;
      const n = Math.min(e.len, maxLen);
      const first = Math.min(n, ring.length - e.head);
      let s = bytesToString(ring.subarray(e.head, e.head + first));
      if (n > first) s += bytesToString(ring.subarray(0, n - first));
      e.head = (e.head + n) % ring.length;
      e.len -= n;
      if (e.len === 0) {
        e.head = 0;
        this.refill(e);
      }
      if (e.len === 0 && e.paused && e.sock) {
        e.paused = false;
        e.sock.resume();
      }
      return s;
    }
    if (e.error) return e.error;
    if (e.ended) return SOCKET_ERR_CLOSED;
    return '';
  }

  send(id: number, data: string, _type?: number): number {
    const e = this.table[id];
    if (!e) return SOCKET_ERR_CLOSED;
    if (e.kind === KIND_UDP) return this.sendUdp(e, data);
    if (e.kind !== KIND_TCP || !e.sock) return SOCKET_ERR_BAD_ARGS;
    if (e.error) return e.error;
    if (!e.connected || e.waitDrain) return 0; // busy: Espruino keeps the data and tries again
    if (e.ended && !e.connected) return SOCKET_ERR_CLOSED;
    // write() takes a string as bytes and keeps a reference to what does not fit (strings are immutable).
    if (!e.sock.write(data)) e.waitDrain = true;
    return data.length;
  }

  private sendUdp(e: Entry, data: string): number {
    const udp = this.opts.udp as NetUdp;
    if (data.length < 8) return SOCKET_ERR_BAD_ARGS;
    const addr = data.charCodeAt(0) + '.' + data.charCodeAt(1) + '.' + data.charCodeAt(2) + '.' + data.charCodeAt(3);
    const port = data.charCodeAt(4) | (data.charCodeAt(5) << 8);
    const len = data.charCodeAt(6) | (data.charCodeAt(7) << 8);
    if (len > data.length - 8) return 0; // Espruino sends header and payload together; wait for all of it
    const payload = stringToBytes(data.substring(8, 8 + len));
    udp.send(e.udp ? e.udp.port : 0, addr, port, payload);
    return 8 + len;
  }
}
