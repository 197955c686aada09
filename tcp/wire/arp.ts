// ARP for Ethernet and IPv4 (RFC 826 "Packet format"; RFC 5227 for probes/announcements).
import { WireError, Ipv4Address, ETHERTYPE_IPV4 } from './reprs';
import { readU16, readU32, writeU16, writeU32, outOfRange } from './bytes';

export const ARP_LEN = 28;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
/** ar$hrd for Ethernet (RFC 826; IANA hardware type 1). */
const HTYPE_ETHERNET = 1;

// Field offsets (RFC 826): hardware and protocol type, their address lengths, opcode, then sender
// and target hardware/protocol addresses.
const HTYPE = 0;
const PTYPE = 2;
const HLEN = 4;
const PLEN = 5;
const OP = 6;
const SHA = 8;
const SPA = 14;
const THA = 18;
const TPA = 24;

export interface ArpRepr {
  /** 1 request, 2 reply. */
  op: number;
  /** 6-byte views into the parsed buffer (parse) or any 6-byte arrays (emit). */
  senderMac: Uint8Array;
  senderIp: Ipv4Address;
  targetMac: Uint8Array;
  targetIp: Ipv4Address;
}

/** Parses an Ethernet/IPv4 ARP packet at `buf[off .. off+len)` (Ethernet padding after 28 bytes is ignored). */
export function parseArp(buf: Uint8Array, off: number, len: number, out?: ArpRepr): ArpRepr | WireError {
  if (outOfRange(buf, off, len)) return 'arp-bad-range';
  if (len < ARP_LEN) return 'arp-truncated';
  // RFC 826: only the hardware/protocol pair we speak (Ethernet, IPv4 with 6/4-byte addresses).
  if (readU16(buf, off + HTYPE) !== HTYPE_ETHERNET) return 'arp-bad-htype';
  if (readU16(buf, off + PTYPE) !== ETHERTYPE_IPV4) return 'arp-bad-ptype';
  if (buf[off + HLEN] !== 6 || buf[off + PLEN] !== 4) return 'arp-bad-addr-len';
  const op = readU16(buf, off + OP);
  if (op !== ARP_OP_REQUEST && op !== ARP_OP_REPLY) return 'arp-bad-op';
  const r = out || ({} as ArpRepr);
  r.op = op;
  r.senderMac = buf.subarray(off + SHA, off + SHA + 6);
  r.senderIp = readU32(buf, off + SPA);
  r.targetMac = buf.subarray(off + THA, off + THA + 6);
  r.targetIp = readU32(buf, off + TPA);
  return r;
}

/** Writes the 28-byte ARP packet at `off` and returns 28. */
export function emitArp(repr: ArpRepr, buf: Uint8Array, off: number): number {
  // Copy the MACs before writing anything that could overlap them (a reply built in the request's buffer).
  buf.set(repr.targetMac.subarray(0, 6), off + THA);
  buf.set(repr.senderMac.subarray(0, 6), off + SHA);
  writeU16(buf, off + HTYPE, HTYPE_ETHERNET);
  writeU16(buf, off + PTYPE, ETHERTYPE_IPV4);
  buf[off + HLEN] = 6;
  buf[off + PLEN] = 4;
  writeU16(buf, off + OP, repr.op);
  writeU32(buf, off + SPA, repr.senderIp);
  writeU32(buf, off + TPA, repr.targetIp);
  return ARP_LEN;
}
