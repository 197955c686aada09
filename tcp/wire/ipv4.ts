// IPv4 headers (RFC 791 §3.1), header checksum (RFC 791 §3.1 "Header Checksum", RFC 1071).
import { WireError, Ipv4Address } from './reprs';
import { readIpv4, writeIpv4 } from './ipv4-address';
import { onesComplementSum, internetChecksum } from './checksum';

export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_HEADER_LEN = 60;

export const IPV4_VER_IHL = 0;
export const IPV4_TOS = 1;
export const IPV4_TOTAL_LEN = 2;
export const IPV4_ID = 4;
export const IPV4_FLAGS_FRAG = 6;
export const IPV4_TTL = 8;
export const IPV4_PROTOCOL = 9;
export const IPV4_CHECKSUM = 10;
export const IPV4_SRC = 12;
export const IPV4_DST = 16;

/** Flags in the 16-bit flags/fragment-offset field (RFC 791 §3.1 "Flags"). */
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAG_MASK = 0x1fff;

/** Option types (RFC 791 §3.1 "Options"): EOL and NOP are single octets, every other has a length. */
export const IPV4_OPT_EOL = 0;
export const IPV4_OPT_NOP = 1;

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

/** Accessors over an IPv4 header at `(buf, off)`. Setters do not update the checksum: call `fillChecksum`. */
export class Ipv4View {
  constructor(public buf: Uint8Array, public off: number) {}
  reset(buf: Uint8Array, off: number): Ipv4View { this.buf = buf; this.off = off; return this; }
  private u16(at: number): number { return (this.buf[this.off + at] << 8) | this.buf[this.off + at + 1]; }
  private setU16(at: number, v: number): void { this.buf[this.off + at] = (v >> 8) & 255; this.buf[this.off + at + 1] = v & 255; }
  get version(): number { return this.buf[this.off] >> 4; }
  get headerLength(): number { return (this.buf[this.off] & 15) * 4; }
  get tos(): number { return this.buf[this.off + IPV4_TOS]; }
  set tos(v: number) { this.buf[this.off + IPV4_TOS] = v; }
  get totalLength(): number { return this.u16(IPV4_TOTAL_LEN); }
  set totalLength(v: number) { this.setU16(IPV4_TOTAL_LEN, v); }
  get id(): number { return this.u16(IPV4_ID); }
  set id(v: number) { this.setU16(IPV4_ID, v); }
  get flagsFragment(): number { return this.u16(IPV4_FLAGS_FRAG); }
  set flagsFragment(v: number) { this.setU16(IPV4_FLAGS_FRAG, v); }
  get ttl(): number { return this.buf[this.off + IPV4_TTL]; }
  set ttl(v: number) { this.buf[this.off + IPV4_TTL] = v; }
  get protocol(): number { return this.buf[this.off + IPV4_PROTOCOL]; }
  set protocol(v: number) { this.buf[this.off + IPV4_PROTOCOL] = v; }
  get checksum(): number { return this.u16(IPV4_CHECKSUM); }
  set checksum(v: number) { this.setU16(IPV4_CHECKSUM, v); }
  get src(): Ipv4Address { return readIpv4(this.buf, this.off + IPV4_SRC); }
  set src(v: Ipv4Address) { writeIpv4(this.buf, this.off + IPV4_SRC, v); }
  get dst(): Ipv4Address { return readIpv4(this.buf, this.off + IPV4_DST); }
  set dst(v: Ipv4Address) { writeIpv4(this.buf, this.off + IPV4_DST, v); }
  /** Recomputes the header checksum over the header length the header declares. */
  fillChecksum(): void {
    this.setU16(IPV4_CHECKSUM, 0);
    this.setU16(IPV4_CHECKSUM, internetChecksum(this.buf, this.off, this.headerLength));
  }
}

/**
 * Parses the IPv4 packet at `buf[off .. off+len)`. Validates version 4, IHL ≥ 5, the header within
 * `len`, well-formed options, Total Length within [header, len] and the header checksum. Bytes after
 * Total Length (Ethernet minimum-frame padding) are ignored. Fragments are reported, not reassembled.
 */
export function parseIpv4(buf: Uint8Array, off: number, len: number, out?: Ipv4Repr): Ipv4Repr | WireError {
  if (!(off >= 0) || !(len >= 0) || off + len > buf.length) return 'ipv4-bad-range';
  if (len < IPV4_HEADER_LEN) return 'ipv4-truncated';
  const verIhl = buf[off + IPV4_VER_IHL];
  if (verIhl >> 4 !== 4) return 'ipv4-bad-version';
  const headerLength = (verIhl & 15) * 4;
  // RFC 791 §3.1: "the minimum value for a correct header is 5".
  if (headerLength < IPV4_HEADER_LEN) return 'ipv4-bad-ihl';
  if (headerLength > len) return 'ipv4-truncated';
  const totalLength = (buf[off + IPV4_TOTAL_LEN] << 8) | buf[off + IPV4_TOTAL_LEN + 1];
  if (totalLength < headerLength) return 'ipv4-bad-total-length';
  if (totalLength > len) return 'ipv4-truncated';
  // A correct header sums to 0xffff including its own checksum field (RFC 1071 §1).
  if (onesComplementSum(buf, off, headerLength) !== 0xffff) return 'ipv4-bad-checksum';
  // Options (RFC 791 §3.1): single-octet EOL/NOP, else type, length (≥ 2), data; all inside the header.
  let i = off + IPV4_HEADER_LEN;
  const hEnd = off + headerLength;
  while (i < hEnd) {
    const t = buf[i];
    if (t === IPV4_OPT_EOL) break;
    if (t === IPV4_OPT_NOP) { i++; continue; }
    if (i + 1 >= hEnd) return 'ipv4-bad-option';
    const ol = buf[i + 1];
    if (ol < 2 || i + ol > hEnd) return 'ipv4-bad-option';
    i += ol;
  }
  const ff = (buf[off + IPV4_FLAGS_FRAG] << 8) | buf[off + IPV4_FLAGS_FRAG + 1];
  const r = out || ({} as Ipv4Repr);
  r.src = readIpv4(buf, off + IPV4_SRC);
  r.dst = readIpv4(buf, off + IPV4_DST);
  r.protocol = buf[off + IPV4_PROTOCOL];
  r.ttl = buf[off + IPV4_TTL];
  r.tos = buf[off + IPV4_TOS];
  r.id = (buf[off + IPV4_ID] << 8) | buf[off + IPV4_ID + 1];
  r.dontFragment = (ff & IPV4_FLAG_DF) !== 0;
  r.moreFragments = (ff & IPV4_FLAG_MF) !== 0;
  r.fragmentOffset = (ff & IPV4_FRAG_MASK) * 8;
  r.headerLength = headerLength;
  r.totalLength = totalLength;
  r.payloadOffset = off + headerLength;
  r.payloadLength = totalLength - headerLength;
  return r;
}

/**
 * Writes a 20-byte header (no options) at `off` with Total Length = 20 + `repr.payloadLength` and the
 * checksum filled; returns 20. The reserved flag bit is written 0 (RFC 791 §3.1).
 */
export function emitIpv4Header(repr: Ipv4Repr, buf: Uint8Array, off: number): number {
  const total = IPV4_HEADER_LEN + repr.payloadLength;
  const ff = (repr.dontFragment ? IPV4_FLAG_DF : 0) | (repr.moreFragments ? IPV4_FLAG_MF : 0) |
    ((repr.fragmentOffset >> 3) & IPV4_FRAG_MASK);
  buf[off + IPV4_VER_IHL] = 0x45;
  buf[off + IPV4_TOS] = repr.tos & 255;
  buf[off + IPV4_TOTAL_LEN] = (total >> 8) & 255;
  buf[off + IPV4_TOTAL_LEN + 1] = total & 255;
  buf[off + IPV4_ID] = (repr.id >> 8) & 255;
  buf[off + IPV4_ID + 1] = repr.id & 255;
  buf[off + IPV4_FLAGS_FRAG] = ff >> 8;
  buf[off + IPV4_FLAGS_FRAG + 1] = ff & 255;
  buf[off + IPV4_TTL] = repr.ttl & 255;
  buf[off + IPV4_PROTOCOL] = repr.protocol & 255;
  buf[off + IPV4_CHECKSUM] = 0;
  buf[off + IPV4_CHECKSUM + 1] = 0;
  writeIpv4(buf, off + IPV4_SRC, repr.src);
  writeIpv4(buf, off + IPV4_DST, repr.dst);
  const c = internetChecksum(buf, off, IPV4_HEADER_LEN);
  buf[off + IPV4_CHECKSUM] = c >> 8;
  buf[off + IPV4_CHECKSUM + 1] = c & 255;
  return IPV4_HEADER_LEN;
}
