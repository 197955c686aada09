// The TCP header and its options (RFC 9293 §3.1; MSS §3.7.1; window scale and timestamps RFC 7323;
// SACK RFC 2018). Parse verifies the checksum over the IPv4 pseudo-header; emit fills it in.
import { Ipv4Address, TcpRepr, WireError, IP_PROTO_TCP } from './reprs';
import { readU16, readU32, outOfRange, emptyArray } from './bytes';
import { onesComplementSum, internetChecksum, pseudoHeaderSum } from './checksum';

export const TCP_HEADER_LEN = 20;

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WS = 3;
const OPT_SACK_PERM = 4;
const OPT_SACK = 5;
const OPT_TS = 8;

/**
 * Parses and validates the TCP segment in `buf[off .. off+len)` sent from `srcIp` to `dstIp`, filling
 * `out`. Returns `out`, or a WireError. Payload is not copied (payloadOffset is absolute).
 */
export function parseTcp(buf: Uint8Array, off: number, len: number, srcIp: Ipv4Address, dstIp: Ipv4Address,
  out: TcpRepr): TcpRepr | WireError {
  if (outOfRange(buf, off, len)) return 'tcp-bounds';
  if (len < TCP_HEADER_LEN) return 'tcp-truncated';
  const hl = (buf[off + 12] >>> 4) * 4;
  if (hl < TCP_HEADER_LEN) return 'tcp-bad-offset';
  if (hl > len) return 'tcp-truncated';
  // RFC 9293 §3.1: the checksum covers pseudo-header, header and data; a valid segment sums to 0xffff.
  // The pseudo-header goes to the sum unfolded (it folds it; the result is the same).
  if (onesComplementSum(buf, off, len, (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) +
    IP_PROTO_TCP + len) !== 0xffff) return 'tcp-checksum';
  // The fields read in line, big-endian (bytes.ts readU16/readU32 without a call each: every segment).
  out.srcPort = (buf[off] << 8) | buf[off + 1];
  out.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  out.seq = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
  out.ack = ((buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11]) >>> 0;
  out.flags = buf[off + 13];
  out.window = (buf[off + 14] << 8) | buf[off + 15];
  out.urgent = (buf[off + 18] << 8) | buf[off + 19];
  out.mss = 0;
  out.windowScale = -1;
  out.sackPermitted = false;
  out.hasTimestamp = false;
  out.tsVal = 0;
  out.tsEcr = 0;
  if (out.sack.length > 0) emptyArray(out.sack);
  if (hl > TCP_HEADER_LEN) {
    const bad = parseTcpOptions(buf, off + TCP_HEADER_LEN, off + hl, out);
    if (bad !== null) return bad;
  }
  out.payloadOffset = off + hl;
  out.payloadLength = len - hl;
  return out;
}

/** The options in `buf[p .. end)` into `out` (parseTcp); null, or the WireError of a malformed one. */
function parseTcpOptions(buf: Uint8Array, p: number, end: number, out: TcpRepr): WireError | null {
  while (p < end) {
    const kind = buf[p];
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) { p++; continue; }
    if (p + 1 >= end) return 'tcp-bad-option';
    const olen = buf[p + 1];
    if (olen < 2 || p + olen > end) return 'tcp-bad-option';
    if (kind === OPT_MSS) {
      if (olen !== 4) return 'tcp-bad-option';
      out.mss = readU16(buf, p + 2);
    } else if (kind === OPT_WS) {
      if (olen !== 3) return 'tcp-bad-option';
      // RFC 7323 §2.3: a shift above 14 is treated as 14.
      out.windowScale = buf[p + 2] > 14 ? 14 : buf[p + 2];
    } else if (kind === OPT_SACK_PERM) {
      if (olen !== 2) return 'tcp-bad-option';
      out.sackPermitted = true;
    } else if (kind === OPT_SACK) {
      if ((olen - 2) % 8 !== 0) return 'tcp-bad-option';
      for (let q = p + 2; q < p + olen && out.sack.length < 8; q += 8) {
        out.sack.push(readU32(buf, q), readU32(buf, q + 4));
      }
    } else if (kind === OPT_TS) {
      if (olen !== 10) return 'tcp-bad-option';
      out.hasTimestamp = true;
      out.tsVal = readU32(buf, p + 2);
      out.tsEcr = readU32(buf, p + 6);
    }
    p += olen; // unknown options are skipped by their length (RFC 9293 §3.1, MUST-6)
  }
  return null;
}

function fixedOptionBytes(repr: TcpRepr): number {
  let n = 0;
  if (repr.mss > 0) n += 4;
  if (repr.windowScale >= 0) n += 4; // NOP + WS(3)
  if (repr.sackPermitted) n += 4; // NOP NOP + SACK-permitted(2)
  if (repr.hasTimestamp) n += 12; // NOP NOP + TS(10)
  return n;
}

/** SACK blocks that fit in the 40 option bytes beside the other options (RFC 2018 §3: 3 with timestamps). */
function sackBlocksFitting(repr: TcpRepr, fixed: number): number {
  let blocks = repr.sack.length >> 1;
  const room = (40 - fixed - 4) >> 3; // NOP NOP kind len, then 8 bytes per block
  if (blocks > room) blocks = room;
  if (blocks > 4) blocks = 4;
  return blocks > 0 ? blocks : 0;
}

/** Length of the header `emitTcp` writes for `repr`: 20 + options (at most 40), a multiple of 4. */
export function tcpHeaderLength(repr: TcpRepr): number {
  // Most segments carry no option: one test.
  if (repr.mss === 0 && repr.windowScale < 0 && !repr.sackPermitted && !repr.hasTimestamp && repr.sack.length === 0) return TCP_HEADER_LEN;
  const fixed = fixedOptionBytes(repr);
  const blocks = sackBlocksFitting(repr, fixed);
  return TCP_HEADER_LEN + fixed + (blocks > 0 ? 4 + 8 * blocks : 0);
}

/**
 * Writes the header and options for `repr` at `off` (payload of `repr.payloadLength` bytes must already
 * be at off + tcpHeaderLength(repr)), computes the checksum over the whole segment, and returns the
 * segment length. Options are written only on request: MSS/WS/SACK-permitted belong on SYNs. `view`: a
 * DataView of `buf` (IpSender.txView; one is made when it is not given).
 */
export function emitTcp(repr: TcpRepr, buf: Uint8Array, off: number, srcIp: Ipv4Address, dstIp: Ipv4Address, view?: DataView): number {
  const hl = tcpHeaderLength(repr);
  // The fixed header in five native stores: ports, sequence, acknowledgement, offset/flags/window,
  // checksum (0 until summed)/urgent pointer.
  const v = view || new DataView(buf.buffer, buf.byteOffset, buf.length);
  v.setUint32(off, (repr.srcPort << 16 | repr.dstPort) >>> 0);
  v.setUint32(off + 4, repr.seq);
  v.setUint32(off + 8, repr.ack);
  v.setUint32(off + 12, ((hl << 26) | ((repr.flags & 0xff) << 16) | (repr.window & 0xffff)) >>> 0);
  v.setUint32(off + 16, repr.urgent & 0xffff);
  if (hl > TCP_HEADER_LEN) emitTcpOptions(repr, buf, off + TCP_HEADER_LEN, off + hl, v);
  const total = hl + repr.payloadLength;
  v.setUint16(off + 16, internetChecksum(buf, off, total, pseudoHeaderSum(srcIp, dstIp, IP_PROTO_TCP, total)));
  return total;
}

/** Writes the options of `repr` into `buf[p .. end)` through `v` (a DataView of `buf`). */
export function emitTcpOptions(repr: TcpRepr, buf: Uint8Array, p: number, end: number, v: DataView): void {
  // Each option as whole 32-bit words (kind, length, value; NOPs to align).
  if (repr.mss > 0) {
    v.setUint32(p, (OPT_MSS << 24 | 4 << 16 | repr.mss & 0xffff) >>> 0); p += 4;
  }
  if (repr.windowScale >= 0) {
    v.setUint32(p, OPT_NOP << 24 | OPT_WS << 16 | 3 << 8 | repr.windowScale & 255); p += 4;
  }
  if (repr.sackPermitted) {
    v.setUint32(p, OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK_PERM << 8 | 2); p += 4;
  }
  if (repr.hasTimestamp) {
    v.setUint32(p, OPT_NOP << 24 | OPT_NOP << 16 | OPT_TS << 8 | 10);
    v.setUint32(p + 4, repr.tsVal); v.setUint32(p + 8, repr.tsEcr); p += 12;
  }
  const blocks = sackBlocksFitting(repr, fixedOptionBytes(repr));
  if (blocks > 0) {
    v.setUint32(p, OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK << 8 | 2 + 8 * blocks); p += 4;
    for (let i = 0; i < 2 * blocks; i++) {
      v.setUint32(p, repr.sack[i]); p += 4;
    }
  }
  while (p < end) buf[p++] = OPT_EOL;
}
