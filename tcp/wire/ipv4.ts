// IPv4 headers (RFC 791 §3.1), header checksum (RFC 791 §3.1 "Header Checksum", RFC 1071).
import { WireError, Ipv4Address } from './reprs';
import { readU16, readU32, writeU16, writeU32, outOfRange } from './bytes';
import { onesComplementSum, internetChecksum } from './checksum';

export const IPV4_HEADER_LEN = 20;

// Field offsets (RFC 791 §3.1).
const VER_IHL = 0;
const TOS = 1;
const TOTAL_LEN = 2;
const ID = 4;
const FLAGS_FRAG = 6;
const TTL = 8;
const PROTOCOL = 9;
export const IPV4_CHECKSUM = 10;
const SRC = 12;
const DST = 16;

// The 16-bit flags/fragment-offset field (RFC 791 §3.1 "Flags"); the reserved bit is written 0.
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const FRAG_MASK = 0x1fff;

// Option types (RFC 791 §3.1 "Options"): EOL and NOP are single octets, every other has a length.
const OPT_EOL = 0;
const OPT_NOP = 1;

export interface Ipv4Repr {
  src: Ipv4Address;
  dst: Ipv4Address;
  protocol: number;
  ttl: number;
  tos: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** In bytes (the header field counts 8-byte units). */
  fragmentOffset: number;
  /** Parse output: IHL × 4 (20..60). Emit always writes 20 (no options). */
  headerLength: number;
  /** Parse output: the Total Length field. Emit writes 20 + payloadLength. */
  totalLength: number;
  /** Absolute offset of the payload in the parsed buffer (parse output). */
  payloadOffset: number;
  /** Payload length: parse output; emit input. */
  payloadLength: number;
}

export function newIpv4Repr(): Ipv4Repr {
  return {
    src: 0, dst: 0, protocol: 0, ttl: 64, tos: 0, id: 0, dontFragment: false, moreFragments: false,
    fragmentOffset: 0, headerLength: IPV4_HEADER_LEN, totalLength: IPV4_HEADER_LEN, payloadOffset: 0, payloadLength: 0,
  };
}

/**
 * True when the options in `buf[i .. hEnd)` are malformed (RFC 791 §3.1: single-octet EOL/NOP, else
 * type, length (≥ 2), data; all inside the header).
 */
export function ipv4OptionsBad(buf: Uint8Array, i: number, hEnd: number): boolean {
  while (i < hEnd) {
    const t = buf[i];
    if (t === OPT_EOL) break;
    if (t === OPT_NOP) { i++; continue; }
    if (i + 1 >= hEnd) return true;
    const ol = buf[i + 1];
    if (ol < 2 || i + ol > hEnd) return true;
    i += ol;
  }
  return false;
}

/**
 * Parses the IPv4 packet at `buf[off .. off+len)`. Validates version 4, IHL ≥ 5, the header within
 * `len`, well-formed options, Total Length within [header, len] and the header checksum. Bytes after
 * Total Length (Ethernet minimum-frame padding) are ignored. Fragments are reported, not reassembled.
 */
export function parseIpv4Header(buf: Uint8Array, off: number, len: number, out?: Ipv4Repr): Ipv4Repr | WireError {
  if (outOfRange(buf, off, len)) return 'ipv4-bad-range';
  if (len < IPV4_HEADER_LEN) return 'ipv4-truncated';
  const verIhl = buf[off + VER_IHL];
  if (verIhl >> 4 !== 4) return 'ipv4-bad-version';
  const headerLength = (verIhl & 15) * 4;
  // RFC 791 §3.1: "the minimum value for a correct header is 5".
  if (headerLength < IPV4_HEADER_LEN) return 'ipv4-bad-ihl';
  if (headerLength > len) return 'ipv4-truncated';
  const totalLength = readU16(buf, off + TOTAL_LEN);
  if (totalLength < headerLength) return 'ipv4-bad-total-length';
  if (totalLength > len) return 'ipv4-truncated';
  // A correct header sums to 0xffff including its own checksum field (RFC 1071 §1).
  if (onesComplementSum(buf, off, headerLength) !== 0xffff) return 'ipv4-bad-checksum';
  if (headerLength > IPV4_HEADER_LEN && ipv4OptionsBad(buf, off + IPV4_HEADER_LEN, off + headerLength)) return 'ipv4-bad-option';
  const ff = readU16(buf, off + FLAGS_FRAG);
  const r = out || ({} as Ipv4Repr);
  r.src = readU32(buf, off + SRC);
  r.dst = readU32(buf, off + DST);
  r.protocol = buf[off + PROTOCOL];
  r.ttl = buf[off + TTL];
  r.tos = buf[off + TOS];
  r.id = readU16(buf, off + ID);
  r.dontFragment = (ff & FLAG_DF) !== 0;
  r.moreFragments = (ff & FLAG_MF) !== 0;
  r.fragmentOffset = (ff & FRAG_MASK) * 8;
  r.headerLength = headerLength;
  r.totalLength = totalLength;
  r.payloadOffset = off + headerLength;
  r.payloadLength = totalLength - headerLength;
  return r;
}

// Fields of a header at `off` that has not been (and may not be) parsed: the datagram an ICMP error
// quotes is cut short and its checksum need not hold (RFC 792, RFC 1812 §4.3.2.3).
export function ipv4Version(buf: Uint8Array, off: number): number { return buf[off + VER_IHL] >> 4; }
export function ipv4HeaderLength(buf: Uint8Array, off: number): number { return (buf[off + VER_IHL] & 15) * 4; }
export function ipv4Protocol(buf: Uint8Array, off: number): number { return buf[off + PROTOCOL]; }
export function ipv4Src(buf: Uint8Array, off: number): Ipv4Address { return readU32(buf, off + SRC); }
export function ipv4Dst(buf: Uint8Array, off: number): Ipv4Address { return readU32(buf, off + DST); }

/**
 * Writes a 20-byte header (no options) at `off` with Total Length = 20 + `repr.payloadLength` and the
 * checksum filled; returns 20. The reserved flag bit is written 0 (RFC 791 §3.1).
 */
export function emitIpv4Header(repr: Ipv4Repr, buf: Uint8Array, off: number): number {
  buf[off + VER_IHL] = 0x45;
  buf[off + TOS] = repr.tos & 255;
  writeU16(buf, off + TOTAL_LEN, IPV4_HEADER_LEN + repr.payloadLength);
  writeU16(buf, off + ID, repr.id);
  writeU16(buf, off + FLAGS_FRAG, (repr.dontFragment ? FLAG_DF : 0) | (repr.moreFragments ? FLAG_MF : 0) |
    ((repr.fragmentOffset >> 3) & FRAG_MASK));
  buf[off + TTL] = repr.ttl & 255;
  buf[off + PROTOCOL] = repr.protocol & 255;
  writeU16(buf, off + IPV4_CHECKSUM, 0);
  writeU32(buf, off + SRC, repr.src);
  writeU32(buf, off + DST, repr.dst);
  writeU16(buf, off + IPV4_CHECKSUM, internetChecksum(buf, off, IPV4_HEADER_LEN));
  return IPV4_HEADER_LEN;
}
