// DNS messages (RFC 1035 §4.1): a query with one question, and the answers of a response.
// Names in responses may use compression pointers (RFC 1035 §4.1.4); they are followed only
// backwards and at most MAX_POINTERS times, so a pointer loop ends in an error.
import { WireError, Ipv4Address } from './reprs';
import { readU16, readU32, writeU16, outOfRange } from './bytes';

export const DNS_PORT = 53;
const HEADER_LEN = 12;
// Header fields (RFC 1035 §4.1.1): ID, flags, then the four section counts.
const ID = 0;
const FLAGS = 2;
const QDCOUNT = 4;
const ANCOUNT = 6;

// Header flag bits (RFC 1035 §4.1.1).
const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const RCODE_MASK = 0x000f;

export const DNS_TYPE_A = 1;
export const DNS_TYPE_CNAME = 5;
const CLASS_IN = 1;

/** RFC 1035 §2.3.4: labels ≤ 63 octets, names ≤ 255 octets on the wire. */
const MAX_LABEL = 63;
const MAX_NAME = 255;
/** Compression pointers followed per name before it is declared a loop. */
const MAX_POINTERS = 32;

export interface DnsAnswer {
  name: string;
  type: number;
  ttl: number;
  /** For A records (type 1, class IN). */
  address?: Ipv4Address;
  /** For CNAME records (type 5). */
  target?: string;
}

export interface DnsResponse {
  id: number;
  rcode: number;
  truncated: boolean;
  answers: DnsAnswer[];
}

/**
 * Writes a recursive query (RD set) for `name` with one question of type `qtype`, class IN, at
 * `off`. Returns its length, or a WireError for a name that cannot be encoded or a buffer too small.
 */
export function emitDnsQuery(buf: Uint8Array, off: number, id: number, name: string, qtype: number = DNS_TYPE_A): number | WireError {
  let text = name;
  if (text.length > 0 && text.charAt(text.length - 1) === '.') text = text.substring(0, text.length - 1);
  if (text.length === 0) return 'dns-bad-name';
  // Encoded: one length byte per label + the characters + the root byte = text.length + 2.
  const nameLen = text.length + 2;
  if (nameLen > MAX_NAME) return 'dns-bad-name';
  const total = HEADER_LEN + nameLen + 4;
  if (!(off >= 0) || off + total > buf.length) return 'dns-no-room';
  let lenAt = off + HEADER_LEN; // where the current label's length byte goes
  let labelLen = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 /* '.' */) {
      if (labelLen === 0) return 'dns-bad-name';
      buf[lenAt] = labelLen;
      lenAt += labelLen + 1;
      labelLen = 0;
    } else {
      if (c > 127 || labelLen === MAX_LABEL) return 'dns-bad-name';
      buf[lenAt + 1 + labelLen] = c;
      labelLen++;
    }
  }
  if (labelLen === 0) return 'dns-bad-name';
  buf[lenAt] = labelLen;
  buf[lenAt + labelLen + 1] = 0;
  // Header: id, flags = RD, QDCOUNT 1 (RFC 1035 §4.1.1).
  buf.fill(0, off, off + HEADER_LEN);
  writeU16(buf, off + ID, id);
  writeU16(buf, off + FLAGS, FLAG_RD);
  writeU16(buf, off + QDCOUNT, 1);
  const q = off + HEADER_LEN + nameLen;
  writeU16(buf, q, qtype);
  writeU16(buf, q + 2, CLASS_IN);
  return total;
}

// readName's second result: the offset just after the name where it started (not where pointers led).
let nameNext = 0;

/**
 * Reads the name at `pos` of the message `buf[msg .. end)`. Returns it as dotted text (no trailing
 * dot; '' for the root) and sets `nameNext`, or returns null if malformed.
 */
function readName(buf: Uint8Array, msg: number, end: number, pos: number): string | null {
  let s = '';
  let next = -1;
  let pointers = 0;
  let wireLen = 0;
  let i = pos;
  // Every step either consumes a label (bounded by wireLen ≤ 255) or a backward pointer (bounded by
  // MAX_POINTERS), so the loop ends.
  for (;;) {
    if (i >= end) return null;
    const b = buf[i];
    if (b === 0) {
      if (next < 0) next = i + 1;
      break;
    }
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (i + 1 >= end) return null;
      const target = msg + (((b & 0x3f) << 8) | buf[i + 1]);
      // RFC 1035 §4.1.4: a pointer names a prior occurrence; anything else could loop.
      if (target >= i || ++pointers > MAX_POINTERS) return null;
      if (next < 0) next = i + 2;
      i = target;
      continue;
    }
    if (kind !== 0) return null; // 0x40/0x80: extended label types (RFC 6891 §5) are not accepted
    wireLen += b + 1;
    if (wireLen + 1 > MAX_NAME || i + 1 + b > end) return null;
    if (s.length > 0) s += '.';
    for (let k = 0; k < b; k++) s += String.fromCharCode(buf[i + 1 + k]);
    i += 1 + b;
  }
  nameNext = next;
  return s;
}

/**
 * Parses a response at `buf[off .. off+len)` (the UDP payload): header, questions skipped, answers
 * decoded (A → address, CNAME → target; other types listed with name/type/ttl only). Authority and
 * additional sections are not read.
 */
export function parseDnsResponse(buf: Uint8Array, off: number, len: number): DnsResponse | WireError {
  if (outOfRange(buf, off, len)) return 'dns-bad-range';
  if (len < HEADER_LEN) return 'dns-truncated';
  const end = off + len;
  const flags = readU16(buf, off + FLAGS);
  if ((flags & FLAG_QR) === 0) return 'dns-not-response';
  const qd = readU16(buf, off + QDCOUNT);
  const an = readU16(buf, off + ANCOUNT);
  const res: DnsResponse = {
    id: readU16(buf, off + ID),
    rcode: flags & RCODE_MASK,
    truncated: (flags & FLAG_TC) !== 0,
    answers: [],
  };
  let i = off + HEADER_LEN;
  for (let q = 0; q < qd; q++) {
    if (readName(buf, off, end, i) === null) return 'dns-bad-name';
    i = nameNext + 4; // QTYPE, QCLASS
    if (i > end) return 'dns-truncated';
  }
  for (let a = 0; a < an; a++) {
    const name = readName(buf, off, end, i);
    if (name === null) return 'dns-bad-name';
    i = nameNext;
    // TYPE, CLASS, TTL, RDLENGTH (RFC 1035 §4.1.3).
    if (i + 10 > end) return 'dns-truncated';
    const type = readU16(buf, i);
    const cls = readU16(buf, i + 2);
    const ttl = readU32(buf, i + 4);
    const rdlen = readU16(buf, i + 8);
    const rd = i + 10;
    if (rd + rdlen > end) return 'dns-truncated';
    const ans: DnsAnswer = { name: name, type: type, ttl: ttl };
    if (type === DNS_TYPE_A && cls === CLASS_IN) {
      if (rdlen !== 4) return 'dns-bad-rdata';
      ans.address = readU32(buf, rd);
    } else if (type === DNS_TYPE_CNAME) {
      // The target may point anywhere earlier in the message but must lie within RDATA.
      const target = readName(buf, off, rd + rdlen, rd);
      if (target === null) return 'dns-bad-name';
      ans.target = target;
    }
    res.answers.push(ans);
    i = rd + rdlen;
  }
  return res;
}
