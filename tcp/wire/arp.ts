// ARP for Ethernet and IPv4 (RFC 826 "Packet format"; RFC 5227 for probes/announcements).
import { WireError, Ipv4Address, ETHERTYPE_IPV4 } from './reprs';
import { readIpv4, writeIpv4 } from './ipv4-address';

export const ARP_LEN = 28;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
/** ar$hrd for Ethernet (RFC 826; IANA hardware type 1). */
export const ARP_HTYPE_ETHERNET = 1;

export const ARP_HTYPE = 0;
export const ARP_PTYPE = 2;
export const ARP_HLEN = 4;
export const ARP_PLEN = 5;
export const ARP_OP = 6;
export const ARP_SHA = 8;
export const ARP_SPA = 14;
export const ARP_THA = 18;
export const ARP_TPA = 24;

export interface ArpRepr {
  /** 1 request, 2 reply. */
  op: number;
  /** 6-byte views into the parsed buffer (parse) or any 6-byte arrays (emit). */
  senderMac: Uint8Array;
  senderIp: Ipv4Address;
  targetMac: Uint8Array;
  targetIp: Ipv4Address;
}

/** Accessors over an ARP packet at `(buf, off)`. */
export class ArpView {
  constructor(public buf: Uint8Array, public off: number) {}
  reset(buf: Uint8Array, off: number): ArpView { this.buf = buf; this.off = off; return this; }
  private u16(at: number): number { return (this.buf[this.off + at] << 8) | this.buf[this.off + at + 1]; }
  get htype(): number { return this.u16(ARP_HTYPE); }
  get ptype(): number { return this.u16(ARP_PTYPE); }
  get hlen(): number { return this.buf[this.off + ARP_HLEN]; }
  get plen(): number { return this.buf[this.off + ARP_PLEN]; }
  get op(): number { return this.u16(ARP_OP); }
  get senderIp(): Ipv4Address { return readIpv4(this.buf, this.off + ARP_SPA); }
  get targetIp(): Ipv4Address { return readIpv4(this.buf, this.off + ARP_TPA); }
  senderMac(): Uint8Array { return this.buf.subarray(this.off + ARP_SHA, this.off + ARP_SHA + 6); }
  targetMac(): Uint8Array { return this.buf.subarray(this.off + ARP_THA, this.off + ARP_THA + 6); }
}

/** Parses an Ethernet/IPv4 ARP packet at `buf[off .. off+len)` (Ethernet padding after 28 bytes is ignored). */
export function parseArp(buf: Uint8Array, off: number, len: number, out?: ArpRepr): ArpRepr | WireError {
  if (!(off >= 0) || !(len >= 0) || off + len > buf.length) return 'arp-bad-range';
  if (len < ARP_LEN) return 'arp-truncated';
  // RFC 826: only the hardware/protocol pair we speak (Ethernet, IPv4 with 6/4-byte addresses).
  if (((buf[off + ARP_HTYPE] << 8) | buf[off + ARP_HTYPE + 1]) !== ARP_HTYPE_ETHERNET) return 'arp-bad-htype';
  if (((buf[off + ARP_PTYPE] << 8) | buf[off + ARP_PTYPE + 1]) !== ETHERTYPE_IPV4) return 'arp-bad-ptype';
  if (buf[off + ARP_HLEN] !== 6 || buf[off + ARP_PLEN] !== 4) return 'arp-bad-addr-len';
  const op = (buf[off + ARP_OP] << 8) | buf[off + ARP_OP + 1];
  if (op !== ARP_OP_REQUEST && op !== ARP_OP_REPLY) return 'arp-bad-op';
  const r = out || ({} as ArpRepr);
  r.op = op;
  r.senderMac = buf.subarray(off + ARP_SHA, off + ARP_SHA + 6);
  r.senderIp = readIpv4(buf, off + ARP_SPA);
  r.targetMac = buf.subarray(off + ARP_THA, off + ARP_THA + 6);
  r.targetIp = readIpv4(buf, off + ARP_TPA);
  return r;
}

/** Writes the 28-byte ARP packet at `off` and returns 28. */
export function emitArp(repr: ArpRepr, buf: Uint8Array, off: number): number {
  buf[off + ARP_HTYPE] = 0;
  buf[off + ARP_HTYPE + 1] = ARP_HTYPE_ETHERNET;
  buf[off + ARP_PTYPE] = ETHERTYPE_IPV4 >> 8;
  buf[off + ARP_PTYPE + 1] = ETHERTYPE_IPV4 & 255;
  buf[off + ARP_HLEN] = 6;
  buf[off + ARP_PLEN] = 4;
  buf[off + ARP_OP] = (repr.op >> 8) & 255;
  buf[off + ARP_OP + 1] = repr.op & 255;
  // Copy the MACs before writing anything that could overlap them (a reply built in the request's buffer).
  buf.set(repr.targetMac.subarray(0, 6), off + ARP_THA);
  buf.set(repr.senderMac.subarray(0, 6), off + ARP_SHA);
  writeIpv4(buf, off + ARP_SPA, repr.senderIp);
  writeIpv4(buf, off + ARP_TPA, repr.targetIp);
  return ARP_LEN;
}
