// ICMPv4 messages (RFC 792): type, code, checksum, 4 bytes whose meaning depends on the type
// ("rest of header": identifier + sequence for echo, unused/next-hop MTU for unreachable), then data.
import { WireError } from './reprs';
import { onesComplementSum, internetChecksum } from './checksum';

export const ICMP_HEADER_LEN = 8;
export const ICMP_TYPE = 0;
export const ICMP_CODE = 1;
export const ICMP_CHECKSUM = 2;
export const ICMP_REST = 4;

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
/** Destination-unreachable codes (RFC 792 p.4; 4 with next-hop MTU, RFC 1191 §4). */
export const ICMP_UNREACH_NET = 0;
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PROTOCOL = 2;
export const ICMP_UNREACH_PORT = 3;
export const ICMP_UNREACH_NEEDFRAG = 4;

export interface IcmpRepr {
  type: number;
  code: number;
  /** Bytes 4..7 as an unsigned 32-bit number (echo: identifier << 16 | sequence). */
  restOfHeader: number;
  payloadOffset: number;
  payloadLength: number;
}

export function newIcmpRepr(): IcmpRepr {
  return { type: 0, code: 0, restOfHeader: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Accessors over an ICMP message at `(buf, off)`. */
export class IcmpView {
  constructor(public buf: Uint8Array, public off: number) {}
  reset(buf: Uint8Array, off: number): IcmpView { this.buf = buf; this.off = off; return this; }
  get type(): number { return this.buf[this.off + ICMP_TYPE]; }
  set type(v: number) { this.buf[this.off + ICMP_TYPE] = v; }
  get code(): number { return this.buf[this.off + ICMP_CODE]; }
  set code(v: number) { this.buf[this.off + ICMP_CODE] = v; }
  get checksum(): number { return (this.buf[this.off + ICMP_CHECKSUM] << 8) | this.buf[this.off + ICMP_CHECKSUM + 1]; }
  /** Echo identifier (first half of the rest of header). */
  get identifier(): number { return (this.buf[this.off + ICMP_REST] << 8) | this.buf[this.off + ICMP_REST + 1]; }
  /** Echo sequence number (second half). */
  get sequence(): number { return (this.buf[this.off + ICMP_REST + 2] << 8) | this.buf[this.off + ICMP_REST + 3]; }
}

/** Parses the ICMP message `buf[off .. off+len)` (the whole IP payload) and verifies its checksum. */
export function parseIcmp(buf: Uint8Array, off: number, len: number, out?: IcmpRepr): IcmpRepr | WireError {
  if (!(off >= 0) || !(len >= 0) || off + len > buf.length) return 'icmp-bad-range';
  if (len < ICMP_HEADER_LEN) return 'icmp-truncated';
  // RFC 792: the checksum covers the whole message, header and data.
  if (onesComplementSum(buf, off, len) !== 0xffff) return 'icmp-bad-checksum';
  const r = out || ({} as IcmpRepr);
  r.type = buf[off + ICMP_TYPE];
  r.code = buf[off + ICMP_CODE];
  r.restOfHeader = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
  r.payloadOffset = off + ICMP_HEADER_LEN;
  r.payloadLength = len - ICMP_HEADER_LEN;
  return r;
}

/**
 * Writes the 8-byte header at `off`; the `repr.payloadLength` bytes of data must already be at off + 8.
 * The checksum covers both. Returns 8 + payloadLength.
 */
export function emitIcmp(repr: IcmpRepr, buf: Uint8Array, off: number): number {
  const rest = repr.restOfHeader;
  buf[off + ICMP_TYPE] = repr.type & 255;
  buf[off + ICMP_CODE] = repr.code & 255;
  buf[off + ICMP_CHECKSUM] = 0;
  buf[off + ICMP_CHECKSUM + 1] = 0;
  buf[off + 4] = (rest >>> 24) & 255;
  buf[off + 5] = (rest >>> 16) & 255;
  buf[off + 6] = (rest >>> 8) & 255;
  buf[off + 7] = rest & 255;
  const n = ICMP_HEADER_LEN + repr.payloadLength;
  const c = internetChecksum(buf, off, n);
  buf[off + ICMP_CHECKSUM] = c >> 8;
  buf[off + ICMP_CHECKSUM + 1] = c & 255;
  return n;
}
