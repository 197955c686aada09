// UDP datagrams (RFC 768): ports, length, checksum over the IPv4 pseudo-header, header and data.
import { WireError, Ipv4Address, IP_PROTO_UDP } from './reprs';
import { onesComplementSum, internetChecksum, pseudoHeaderSum } from './checksum';

export const UDP_HEADER_LEN = 8;
export const UDP_SRC_PORT = 0;
export const UDP_DST_PORT = 2;
export const UDP_LENGTH = 4;
export const UDP_CHECKSUM = 6;

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** The Length field: header + data. */
  length: number;
  payloadOffset: number;
  payloadLength: number;
}

export function newUdpRepr(): UdpRepr {
  return { srcPort: 0, dstPort: 0, length: UDP_HEADER_LEN, payloadOffset: 0, payloadLength: 0 };
}

/** Accessors over a UDP header at `(buf, off)`. */
export class UdpView {
  constructor(public buf: Uint8Array, public off: number) {}
  reset(buf: Uint8Array, off: number): UdpView { this.buf = buf; this.off = off; return this; }
  private u16(at: number): number { return (this.buf[this.off + at] << 8) | this.buf[this.off + at + 1]; }
  private setU16(at: number, v: number): void { this.buf[this.off + at] = (v >> 8) & 255; this.buf[this.off + at + 1] = v & 255; }
  get srcPort(): number { return this.u16(UDP_SRC_PORT); }
  set srcPort(v: number) { this.setU16(UDP_SRC_PORT, v); }
  get dstPort(): number { return this.u16(UDP_DST_PORT); }
  set dstPort(v: number) { this.setU16(UDP_DST_PORT, v); }
  get length(): number { return this.u16(UDP_LENGTH); }
  set length(v: number) { this.setU16(UDP_LENGTH, v); }
  get checksum(): number { return this.u16(UDP_CHECKSUM); }
  set checksum(v: number) { this.setU16(UDP_CHECKSUM, v); }
}

/**
 * Parses the UDP datagram `buf[off .. off+len)` (the IP payload) sent from `srcIp` to `dstIp`.
 * The Length field must lie within [8, len]; bytes beyond it are ignored. A checksum of 0 means
 * "not computed" (RFC 768) and is accepted; any other must verify.
 */
export function parseUdp(buf: Uint8Array, off: number, len: number, srcIp: Ipv4Address, dstIp: Ipv4Address,
                         out?: UdpRepr): UdpRepr | WireError {
  if (!(off >= 0) || !(len >= 0) || off + len > buf.length) return 'udp-bad-range';
  if (len < UDP_HEADER_LEN) return 'udp-truncated';
  const length = (buf[off + UDP_LENGTH] << 8) | buf[off + UDP_LENGTH + 1];
  if (length < UDP_HEADER_LEN) return 'udp-bad-length';
  if (length > len) return 'udp-truncated';
  if ((buf[off + UDP_CHECKSUM] | buf[off + UDP_CHECKSUM + 1]) !== 0) {
    if (onesComplementSum(buf, off, length, pseudoHeaderSum(srcIp, dstIp, IP_PROTO_UDP, length)) !== 0xffff) {
      return 'udp-bad-checksum';
    }
  }
  const r = out || ({} as UdpRepr);
  r.srcPort = (buf[off + UDP_SRC_PORT] << 8) | buf[off + UDP_SRC_PORT + 1];
  r.dstPort = (buf[off + UDP_DST_PORT] << 8) | buf[off + UDP_DST_PORT + 1];
  r.length = length;
  r.payloadOffset = off + UDP_HEADER_LEN;
  r.payloadLength = length - UDP_HEADER_LEN;
  return r;
}

/**
 * Writes the 8-byte header at `off` for `payloadLength` bytes of data already at off + 8, with the
 * checksum over pseudo-header, header and data; a computed 0 is sent as 0xffff (RFC 768). Returns 8.
 */
export function emitUdpHeader(buf: Uint8Array, off: number, srcPort: number, dstPort: number, payloadLength: number,
                              srcIp: Ipv4Address, dstIp: Ipv4Address): number {
  const length = UDP_HEADER_LEN + payloadLength;
  buf[off + UDP_SRC_PORT] = (srcPort >> 8) & 255;
  buf[off + UDP_SRC_PORT + 1] = srcPort & 255;
  buf[off + UDP_DST_PORT] = (dstPort >> 8) & 255;
  buf[off + UDP_DST_PORT + 1] = dstPort & 255;
  buf[off + UDP_LENGTH] = (length >> 8) & 255;
  buf[off + UDP_LENGTH + 1] = length & 255;
  buf[off + UDP_CHECKSUM] = 0;
  buf[off + UDP_CHECKSUM + 1] = 0;
  let c = internetChecksum(buf, off, length, pseudoHeaderSum(srcIp, dstIp, IP_PROTO_UDP, length));
  if (c === 0) c = 0xffff;
  buf[off + UDP_CHECKSUM] = c >> 8;
  buf[off + UDP_CHECKSUM + 1] = c & 255;
  return UDP_HEADER_LEN;
}
