// Segment-trace harness: plays the peer by building raw TCP segments and feeding them to a Tcp, and
// captures what the Tcp emits through a fake IpSender. Time is a number the test advances.
import { IpSender } from '../../tcp/iface/transport';
import { Tcp } from '../../tcp/tcp/tcp';
import { TcpConfig } from '../../tcp/tcp/config';
import { TcpSocket } from '../../tcp/tcp/socket';
import { parseTcp, emitTcp, tcpHeaderLength } from '../../tcp/wire/tcp';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { newTcpRepr, TcpRepr, isWireError, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../tcp/wire/reprs';
import { SeededRandom } from '../../hal/sim/random';

export const US = parseIpv4Address('10.0.0.1') as number;
export const PEER = parseIpv4Address('10.0.0.2') as number;
export { TCP_ACK as ACK, TCP_FIN as FIN, TCP_PSH as PSH, TCP_RST as RST, TCP_SYN as SYN };

export interface Captured extends TcpRepr {
  dst: number;
  data: Uint8Array;
}

export class FakeIp implements IpSender {
  readonly txBuffer = new Uint8Array(1514);
  readonly txView = new DataView(this.txBuffer.buffer);
  readonly sent: Captured[] = [];
  mtu = 1500;
  route = true;
  private dst = 0;

  localAddress(): number { return US; }
  maxTransportLength(): number { return this.mtu - 20; }
  beginDatagram(dst: number, protocol: number): number {
    if (!this.route || protocol !== 6) return -1;
    this.dst = dst;
    return 34;
  }
  commitDatagram(length: number): boolean {
    const bytes = new Uint8Array(this.txBuffer.subarray(34, 34 + length));
    const r = parseTcp(bytes, 0, length, US, this.dst, newTcpRepr());
    if (isWireError(r)) throw new Error('we emitted a bad segment: ' + r);
    const c = r as Captured;
    c.dst = this.dst;
    c.data = bytes.subarray(r.payloadOffset, r.payloadOffset + r.payloadLength);
    this.sent.push(c);
    return true;
  }
}

export interface PeerSegment {
  flags: number;
  seq: number;
  ack?: number;
  win?: number;
  data?: Uint8Array | string;
  mss?: number;
  ws?: number;
  sackPermitted?: boolean;
  srcPort?: number;
  dstPort?: number;
  src?: number;
  /** A timestamps option (RFC 7323 §3) is sent when tsVal is given. */
  tsVal?: number;
  tsEcr?: number;
}

export function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

export function text(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

const FLAG_NAMES: Array<[number, string]> = [[TCP_SYN, 'SYN'], [TCP_FIN, 'FIN'], [TCP_RST, 'RST'], [TCP_PSH, 'PSH'], [TCP_ACK, 'ACK']];

export function flagString(f: number): string {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (f & bit) out.push(name);
  return out.join('|') || '-';
}

export class Harness {
  now = 0;
  readonly ip = new FakeIp();
  readonly tcp: Tcp;
  peerPort = 40000;
  ourPort = 80;

  constructor(config?: Partial<TcpConfig>, seed = 1) {
    // Traces are easier to read with every segment acknowledged at once; delayed-ACK tests turn it on.
    this.tcp = new Tcp(new SeededRandom(seed), Object.assign({ delayedAckMs: 0 }, config));
  }

  /** The peer sends a segment to us. */
  send(p: PeerSegment): void {
    const r = newTcpRepr();
    r.srcPort = p.srcPort ?? this.peerPort;
    r.dstPort = p.dstPort ?? this.ourPort;
    r.seq = p.seq >>> 0;
    r.ack = (p.ack ?? 0) >>> 0;
    r.flags = p.flags;
    r.window = p.win ?? 65535;
    r.mss = p.mss ?? 0;
    r.windowScale = p.ws ?? -1;
    r.sackPermitted = !!p.sackPermitted;
    if (p.tsVal !== undefined) {
      r.hasTimestamp = true;
      r.tsVal = p.tsVal >>> 0;
      r.tsEcr = (p.tsEcr ?? 0) >>> 0;
    }
    const data = typeof p.data === 'string' ? bytes(p.data) : p.data ?? new Uint8Array(0);
    r.payloadLength = data.length;
    const buf = new Uint8Array(100 + data.length);
    const hl = tcpHeaderLength(r);
    buf.set(data, 10 + hl);
    const len = emitTcp(r, buf, 10, p.src ?? PEER, US);
    this.tcp.receive(p.src ?? PEER, US, buf, 10, len, this.now);
  }

  /** The peer sends a pure ACK with SACK blocks [l0, r0, l1, r1, ...] (and window `win`). */
  sendSack(seq: number, ack: number, blocks: number[], win = 65535): void {
    const r = newTcpRepr();
    r.srcPort = this.peerPort;
    r.dstPort = this.ourPort;
    r.seq = seq >>> 0;
    r.ack = ack >>> 0;
    r.flags = TCP_ACK;
    r.window = win;
    for (const b of blocks) r.sack.push(b >>> 0);
    const buf = new Uint8Array(100);
    const len = emitTcp(r, buf, 0, PEER, US);
    this.tcp.receive(PEER, US, buf, 0, len, this.now);
  }

  /** Polls the Tcp and returns (and forgets) what it sent. */
  poll(): Captured[] {
    this.tcp.poll(this.now, this.ip);
    return this.ip.sent.splice(0, this.ip.sent.length);
  }

  /** Advances time by `ms` and polls. */
  advance(ms: number): Captured[] {
    this.now += ms;
    return this.poll();
  }

  /** Exactly one segment was sent: returns it. */
  one(): Captured {
    const out = this.poll();
    if (out.length !== 1) throw new Error('expected one segment, got ' + out.length + ': ' + out.map(describe).join(' ; '));
    return out[0];
  }

  /** Passive open on ourPort: peer SYN seq=irs, our SYN|ACK, peer ACK. */
  acceptOne(irs = 1000, opts: { mss?: number; win?: number; rxBytes?: number; txBytes?: number } = {}):
    { sock: TcpSocket; iss: number; irs: number } {
    let sock: TcpSocket | null = null;
    this.tcp.listen(this.ourPort, (s: TcpSocket) => { sock = s; }, { rxBytes: opts.rxBytes, txBytes: opts.txBytes });
    this.send({ flags: TCP_SYN, seq: irs, mss: opts.mss ?? 1460, win: opts.win ?? 65535 });
    const synack = this.one();
    const iss = synack.seq;
    this.send({ flags: TCP_ACK, seq: irs + 1, ack: iss + 1, win: opts.win ?? 65535 });
    if (!sock) throw new Error('no connection');
    this.poll();
    return { sock, iss, irs };
  }

  /** Active open to the peer: our SYN, peer SYN|ACK seq=irs, our ACK. */
  connectOne(irs = 5000, opts: { mss?: number; win?: number; rxBytes?: number; txBytes?: number; sackPermitted?: boolean } = {}):
    { sock: TcpSocket; iss: number; irs: number } {
    const sock = this.tcp.connect(PEER, this.peerPort, { rxBytes: opts.rxBytes, txBytes: opts.txBytes });
    const syn = this.one();
    this.ourPort = syn.srcPort;
    const iss = syn.seq;
    this.send({ flags: TCP_SYN | TCP_ACK, seq: irs, ack: iss + 1, mss: opts.mss ?? 1460, win: opts.win ?? 65535, sackPermitted: opts.sackPermitted });
    this.poll();
    return { sock, iss, irs };
  }
}

/**
 * An active open to PEER:8080 with SACK permitted, a 40 ms handshake round trip and the peer's window
 * `win`; cwnd 8000, then `write` bytes (A-Z repeated) written. `sent`: what the next poll sent.
 */
export function sackConnection(o: { minRtoMs: number; txBytes: number; win: number; write: number }):
  { h: Harness; sock: TcpSocket; iss: number; sent: Captured[] } {
  const h = new Harness({ minRtoMs: o.minRtoMs, txBytes: o.txBytes, maxBurst: 64 });
  h.peerPort = 8080;
  const sock = h.tcp.connect(PEER, 8080, { txBytes: o.txBytes });
  const syn = h.one();
  h.ourPort = syn.srcPort;
  const iss = syn.seq;
  h.now += 40;
  h.send({ flags: TCP_SYN | TCP_ACK, seq: 5000, ack: iss + 1, mss: 1000, win: o.win, sackPermitted: true });
  h.poll();
  sock.cwnd = 8000;
  const data = new Uint8Array(o.write);
  for (let i = 0; i < data.length; i++) data[i] = 65 + (i % 26);
  sock.write(data);
  return { h, sock, iss, sent: h.poll() };
}

export function describe(s: Captured): string {
  return flagString(s.flags) + ' seq=' + s.seq + ' ack=' + s.ack + ' win=' + s.window + ' len=' + s.data.length +
    (s.mss ? ' mss=' + s.mss : '');
}

/** Records a socket's events as strings. */
export function record(sock: TcpSocket): { events: string[]; data: string } {
  const rec = { events: [] as string[], data: '' };
  sock.on('data', (c: Uint8Array) => { rec.data += text(c); });
  for (const e of ['connect', 'end', 'drain', 'timeout']) sock.on(e, () => rec.events.push(e));
  sock.on('error', (err: Error) => rec.events.push('error:' + err.message));
  sock.on('close', (hadError: boolean) => rec.events.push('close' + (hadError ? ':error' : '')));
  return rec;
}
