// UDP datagrams (RFC 768): ports, length, checksum over the IPv4 pseudo-header, header and data.
import { WireError, Ipv4Address, IP_PROTO_UDP } from './reprs';
import { readU16, writeU16, outOfRange } from './bytes';
import { onesComplementSum, internetChecksum, pseudoHeaderSum } from './checksum';

export const UDP_HEADER_LEN = 8;
// Field offsets (RFC 768 "Format").
const SRC_PORT = 0;
const DST_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** The Length field: header + data. */
  datagramLength: number;
  payloadOffset: number;
  payloadLength: number;
}

export function newUdpRepr(): UdpRepr {
  return { srcPort: 0, dstPort: 0, datagramLength: UDP_HEADER_LEN, payloadOffset: 0, payloadLength: 0 };
}

/**
 * Parses the UDP datagram `buf[off .. off+len)` (the IP payload) sent from `srcIp` to `dstIp`.
 * The Length field must lie within [8, len]; bytes beyond it are ignored. A checksum of 0 means
 * "not computed" (RFC 768) and is accepted; any other must verify.
 */
export function parseUdp(buf: Uint8Array, off: number, len: number, srcIp: Ipv4Address, dstIp: Ipv4Address,
                         out?: UdpRepr): UdpRepr | WireError {
  if (outOfRange(buf, off, len)) return 'udp-bad-range';
  if (len < UDP_HEADER_LEN) return 'udp-truncated';
  const length = readU16(buf, off + LENGTH);
  if (length < UDP_HEADER_LEN) return 'udp-bad-length';
  if (length > len) return 'udp-truncated';
  if (readU16(buf, off + CHECKSUM) !== 0 &&
      onesComplementSum(buf, off, length, pseudoHeaderSum(srcIp, dstIp, IP_PROTO_UDP, length)) !== 0xffff) {
    return 'udp-bad-checksum';
  }
  const r = out || ({} as UdpRepr);
  r.srcPort = udpSrcPort(buf, off);
  r.dstPort = udpDstPort(buf, off);
  r.datagramLength = length;
  r.payloadOffset = off + UDP_HEADER_LEN;
  r.payloadLength = length - UDP_HEADER_LEN;
  return r;
}

// The ports of a header at `off` that has not been (and may not be) parsed, such as the one an
// ICMP error quotes after the original IP header (RFC 792: its first 8 data bytes).
export function udpSrcPort(buf: Uint8Array, off: number): number { return readU16(buf, off + SRC_PORT); }
export function udpDstPort(buf: Uint8Array, off: number): number { return readU16(buf, off + DST_PORT); }

/**
 * Writes the 8-byte header at `off` for `payloadLength` bytes of data already at off + 8, with the
 * checksum over pseudo-header, header and data; a computed 0 is sent as 0xffff (RFC 768). Returns 8.
 */
export function emitUdpHeader(buf: Uint8Array, off: number, srcPort: number, dstPort: number, payloadLength: number,
                              srcIp: Ipv4Address, dstIp: Ipv4Address): number {
  const length = UDP_HEADER_LEN + payloadLength;
  writeU16(buf, off + SRC_PORT, srcPort);
  writeU16(buf, off + DST_PORT, dstPort);
  writeU16(buf, off + LENGTH, length);
  writeU16(buf, off + CHECKSUM, 0);
  writeU16(buf, off + CHECKSUM, internetChecksum(buf, off, length, pseudoHeaderSum(srcIp, dstIp, IP_PROTO_UDP, length)) || 0xffff);
  return UDP_HEADER_LEN;
}
