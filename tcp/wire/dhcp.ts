// DHCP messages (RFC 2131 §2 "Format of a DHCP message", options RFC 2132). Not on the hot path:
// parse allocates a fresh representation (a handful of leases per day).
import { WireError, Ipv4Address } from './reprs';
import { readU16, readU32, writeU16, writeU32, outOfRange } from './bytes';

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;

/** Message types, option 53 (RFC 2132 §9.6): 1 DISCOVER … 8 INFORM (4 DECLINE, 7 RELEASE unused here). */
export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPACK = 5;
export const DHCPNAK = 6;
const DHCPINFORM = 8;

/** Broadcast bit of the flags field (RFC 2131 §2, figure 2). */
export const DHCP_FLAG_BROADCAST = 0x8000;

// Fixed-format fields (RFC 2131 §2, table 1); sname (44) and file (108) stay zero.
const OP = 0;
const HTYPE = 1;
const HLEN = 2;
const XID = 4;
const SECS = 8;
const FLAGS = 10;
const CIADDR = 12;
const YIADDR = 16;
const SIADDR = 20;
const GIADDR = 24;
const CHADDR = 28;
const COOKIE = 236;
export const DHCP_OPTIONS = 240;
/** Messages are padded to the BOOTP minimum of 300 bytes (RFC 1542 §2.1) for old relays and servers. */
const MIN_LEN = 300;
/** The magic cookie 99.130.83.99 (RFC 2131 §3, RFC 2132 §2). */
export const DHCP_MAGIC = 0x63825363;

// Options (RFC 2132).
const OPT_PAD = 0;
export const OPT_SUBNET_MASK = 1;     // §3.3
export const OPT_ROUTER = 3;          // §3.5
export const OPT_DNS = 6;             // §3.8
const OPT_HOSTNAME = 12;              // §3.14
const OPT_REQUESTED_IP = 50;          // §9.1
export const OPT_LEASE_TIME = 51;     // §9.2
const OPT_MESSAGE_TYPE = 53;          // §9.6
const OPT_SERVER_ID = 54;             // §9.7
const OPT_PARAM_REQUEST = 55;         // §9.8
export const OPT_RENEWAL_TIME = 58;   // §9.11 (T1)
export const OPT_REBINDING_TIME = 59; // §9.12 (T2)
const OPT_END = 255;

export interface DhcpRepr {
  op: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: Ipv4Address;
  yiaddr: Ipv4Address;
  siaddr: Ipv4Address;
  giaddr: Ipv4Address;
  /** Client hardware address (6 bytes; a view into the parsed buffer). */
  chaddr: Uint8Array;
  /** Option 53 (DHCPDISCOVER..DHCPINFORM). */
  messageType: number;
  /** Options that are absent parse as 0 (addresses, times), [] (lists) or '' (hostname); emit omits them. */
  serverId: Ipv4Address;
  requestedIp: Ipv4Address;
  /** Seconds (0xffffffff = infinite, RFC 2132 §9.2). */
  leaseTime: number;
  renewalTime: number;
  rebindingTime: number;
  subnetMask: Ipv4Address;
  /** The first router of option 3. */
  router: Ipv4Address;
  dnsServers: number[];
  hostname: string;
  parameterRequestList: number[];
}

export function newDhcpRepr(): DhcpRepr {
  return {
    op: BOOTREQUEST, xid: 0, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr: new Uint8Array(6), messageType: 0, serverId: 0, requestedIp: 0, leaseTime: 0, renewalTime: 0,
    rebindingTime: 0, subnetMask: 0, router: 0, dnsServers: [], hostname: '', parameterRequestList: [],
  };
}

/**
 * Parses a DHCP message at `buf[off .. off+len)` (the UDP payload). Requires an Ethernet chaddr
 * (htype 1, hlen 6), the magic cookie, well-formed options and a message type. Option overload
 * (52: options in sname/file) is not followed: we never ask for it.
 */
const BAD_OPTION = 'dhcp-bad-option';

export function parseDhcp(buf: Uint8Array, off: number, len: number): DhcpRepr | WireError {
  if (outOfRange(buf, off, len)) return 'dhcp-bad-range';
  if (len < DHCP_OPTIONS) return 'dhcp-truncated';
  const op = buf[off + OP];
  if (op !== BOOTREQUEST && op !== BOOTREPLY) return 'dhcp-bad-op';
  if (buf[off + HTYPE] !== 1 || buf[off + HLEN] !== 6) return 'dhcp-bad-htype';
  if (readU32(buf, off + COOKIE) !== DHCP_MAGIC) return 'dhcp-bad-cookie';
  const r = newDhcpRepr();
  r.op = op;
  r.xid = readU32(buf, off + XID);
  r.secs = readU16(buf, off + SECS);
  r.flags = readU16(buf, off + FLAGS);
  r.ciaddr = readU32(buf, off + CIADDR);
  r.yiaddr = readU32(buf, off + YIADDR);
  r.siaddr = readU32(buf, off + SIADDR);
  r.giaddr = readU32(buf, off + GIADDR);
  r.chaddr = buf.subarray(off + CHADDR, off + CHADDR + 6);
  const end = off + len;
  let i = off + DHCP_OPTIONS;
  // Each step advances i by at least 1, so the walk ends.
  while (i < end) {
    const code = buf[i];
    if (code === OPT_END) break;
    if (code === OPT_PAD) { i++; continue; }
    if (i + 1 >= end) return BAD_OPTION;
    const n = buf[i + 1];
    const d = i + 2;
    if (d + n > end) return BAD_OPTION;
    switch (code) {
      case OPT_MESSAGE_TYPE:
        if (n !== 1) return BAD_OPTION;
        r.messageType = buf[d];
        break;
      case OPT_SERVER_ID: case OPT_REQUESTED_IP: case OPT_SUBNET_MASK:
      case OPT_LEASE_TIME: case OPT_RENEWAL_TIME: case OPT_REBINDING_TIME: {
        if (n !== 4) return BAD_OPTION;
        const v = readU32(buf, d);
        if (code === OPT_SERVER_ID) r.serverId = v;
        else if (code === OPT_REQUESTED_IP) r.requestedIp = v;
        else if (code === OPT_SUBNET_MASK) r.subnetMask = v;
        else if (code === OPT_LEASE_TIME) r.leaseTime = v;
        else if (code === OPT_RENEWAL_TIME) r.renewalTime = v;
        else r.rebindingTime = v;
        break;
      }
      case OPT_ROUTER: case OPT_DNS:
        // RFC 2132 §3.5/§3.8: a list of addresses, minimum length 4, a multiple of 4.
        if (n < 4 || (n & 3) !== 0) return BAD_OPTION;
        if (code === OPT_ROUTER) r.router = readU32(buf, d);
        else for (let k = 0; k < n; k += 4) r.dnsServers.push(readU32(buf, d + k));
        break;
      case OPT_HOSTNAME:
        r.hostname = ''; // a repeated option replaces the earlier one
        for (let k = 0; k < n; k++) r.hostname += String.fromCharCode(buf[d + k]);
        break;
      case OPT_PARAM_REQUEST:
        for (let k = 0; k < n; k++) r.parameterRequestList.push(buf[d + k]);
        break;
      default:
        break; // unknown options are skipped by their length
    }
    i = d + n;
  }
  if (r.messageType < DHCPDISCOVER || r.messageType > DHCPINFORM) return 'dhcp-no-message-type';
  return r;
}

/** Writes a 4-byte option (code, length 4, value) at `i` unless `v` is 0 (absent); returns the next offset. */
function putU32Option(buf: Uint8Array, i: number, code: number, v: number): number {
  if (!v) return i;
  buf[i] = code;
  buf[i + 1] = 4;
  writeU32(buf, i + 2, v);
  return i + 6;
}

/**
 * Writes the message at `off` and returns its length (at least 300, RFC 1542 §2.1), or 0 if it does
 * not fit in `buf` (nothing is written then). Options are written in a fixed order: 53, 50, 54, 51,
 * 58, 59, 1, 3, 6, 12, 55, then END and zero padding. Lists longer than an option holds (63 DNS
 * servers, 255 bytes) are cut.
 */
export function emitDhcp(repr: DhcpRepr, buf: Uint8Array, off: number): number {
  const nDns = Math.min(repr.dnsServers.length, 63);
  const host = repr.hostname.substring(0, 255);
  const prl = repr.parameterRequestList.slice(0, 255);
  let need = DHCP_OPTIONS + 3 + 1 + (nDns > 0 ? 2 + 4 * nDns : 0) + (host ? 2 + host.length : 0) + (prl.length ? 2 + prl.length : 0);
  // The 4-byte options, as code, value pairs in the order they are written.
  const u32Options = [OPT_REQUESTED_IP, repr.requestedIp, OPT_SERVER_ID, repr.serverId, OPT_LEASE_TIME, repr.leaseTime,
    OPT_RENEWAL_TIME, repr.renewalTime, OPT_REBINDING_TIME, repr.rebindingTime, OPT_SUBNET_MASK, repr.subnetMask,
    OPT_ROUTER, repr.router];
  for (let k = 1; k < u32Options.length; k += 2) if (u32Options[k]) need += 6;
  if (need < MIN_LEN) need = MIN_LEN;
  if (!(off >= 0) || off + need > buf.length) return 0;
  buf.fill(0, off, off + need);
  buf[off + OP] = repr.op;
  buf[off + HTYPE] = 1;
  buf[off + HLEN] = 6;
  writeU32(buf, off + XID, repr.xid);
  writeU16(buf, off + SECS, repr.secs);
  writeU16(buf, off + FLAGS, repr.flags);
  writeU32(buf, off + CIADDR, repr.ciaddr);
  writeU32(buf, off + YIADDR, repr.yiaddr);
  writeU32(buf, off + SIADDR, repr.siaddr);
  writeU32(buf, off + GIADDR, repr.giaddr);
  buf.set(repr.chaddr.subarray(0, 6), off + CHADDR);
  writeU32(buf, off + COOKIE, DHCP_MAGIC);
  let i = off + DHCP_OPTIONS;
  buf[i] = OPT_MESSAGE_TYPE; buf[i + 1] = 1; buf[i + 2] = repr.messageType; i += 3;
  for (let k = 0; k < u32Options.length; k += 2) i = putU32Option(buf, i, u32Options[k], u32Options[k + 1]);
  if (nDns > 0) {
    buf[i] = OPT_DNS; buf[i + 1] = nDns * 4; i += 2;
    for (let k = 0; k < nDns; k++) { writeU32(buf, i, repr.dnsServers[k]); i += 4; }
  }
  if (host) {
    buf[i] = OPT_HOSTNAME; buf[i + 1] = host.length; i += 2;
    for (let k = 0; k < host.length; k++) buf[i++] = host.charCodeAt(k) & 255;
  }
  if (prl.length) {
    buf[i] = OPT_PARAM_REQUEST; buf[i + 1] = prl.length; i += 2;
    buf.set(prl, i); // option codes, each below 256
    i += prl.length;
  }
  buf[i] = OPT_END; // the rest, up to `need`, is the zero padding written above
  return need;
}
