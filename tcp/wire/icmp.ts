// ICMPv4 messages (RFC 792): type, code, checksum, 4 bytes whose meaning depends on the type
// ("rest of header": identifier + sequence for echo, unused/next-hop MTU for unreachable), then data.
import { WireError } from './reprs';
import { readU32, writeU16, writeU32, outOfRange } from './bytes';
import { onesComplementSum, internetChecksum } from './checksum';

export const ICMP_HEADER_LEN = 8;
// Field offsets: type, code, checksum, rest of header.
const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const REST = 4;

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
/** Destination-unreachable codes (RFC 792 p.4). */
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PROTOCOL = 2;
export const ICMP_UNREACH_PORT = 3;

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

/** Parses the ICMP message `buf[off .. off+len)` (the whole IP payload) and verifies its checksum. */
export function parseIcmp(buf: Uint8Array, off: number, len: number, out?: IcmpRepr): IcmpRepr | WireError {
  if (outOfRange(buf, off, len)) return 'icmp-bad-range';
  if (len < ICMP_HEADER_LEN) return 'icmp-truncated';
  // RFC 792: the checksum covers the whole message, header and data.
  if (onesComplementSum(buf, off, len) !== 0xffff) return 'icmp-bad-checksum';
  const r = out || ({} as IcmpRepr);
  r.type = buf[off + TYPE];
  r.code = buf[off + CODE];
  r.restOfHeader = readU32(buf, off + REST);
  r.payloadOffset = off + ICMP_HEADER_LEN;
  r.payloadLength = len - ICMP_HEADER_LEN;
  return r;
}

/**
 * Writes the 8-byte header at `off`; the `repr.payloadLength` bytes of data must already be at off + 8.
 * The checksum covers both. Returns 8 + payloadLength.
 */
export function emitIcmp(repr: IcmpRepr, buf: Uint8Array, off: number): number {
  buf[off + TYPE] = repr.type & 255;
  buf[off + CODE] = repr.code & 255;
  writeU16(buf, off + CHECKSUM, 0);
  writeU32(buf, off + REST, repr.restOfHeader);
  const n = ICMP_HEADER_LEN + repr.payloadLength;
  writeU16(buf, off + CHECKSUM, internetChecksum(buf, off, n));
  return n;
}
