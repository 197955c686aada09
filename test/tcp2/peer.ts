// Extra peer-side helpers for segment traces on test/tcp/harness.ts: segments with options the
// harness's PeerSegment does not offer (timestamps, SACK-permitted with window scale on one segment).
import { Harness, PEER, US, PeerSegment, bytes } from '../tcp/harness';
import { emitTcp, tcpHeaderLength } from '../../tcp/wire/tcp';
import { newTcpRepr } from '../../tcp/wire/reprs';

export interface FullPeerSegment extends PeerSegment {
  tsVal?: number;
  tsEcr?: number;
}

/** The peer sends `p`, with a timestamps option when `tsVal` is given. */
export function sendFull(h: Harness, p: FullPeerSegment): void {
  const r = newTcpRepr();
  r.srcPort = p.srcPort ?? h.peerPort;
  r.dstPort = p.dstPort ?? h.ourPort;
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
  buf.set(data, 10 + tcpHeaderLength(r));
  const len = emitTcp(r, buf, 10, p.src ?? PEER, US);
  h.tcp.receive(p.src ?? PEER, US, buf, 10, len, h.now);
}

export function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (i % 26);
  return b;
}
