// DHCP messages (RFC 2131 §2 "Format of a DHCP message", options RFC 2132). Not on the hot path:
// parse allocates a fresh representation (a handful of leases per day).
import { WireError, Ipv4Address } from './reprs';
import { readIpv4, writeIpv4 } from './ipv4-address';

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;

/** Message types, option 53 (RFC 2132 §9.6). */
export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPDECLINE = 4;
export const DHCPACK = 5;
export const DHCPNAK = 6;
export const DHCPRELEASE = 7;
export const DHCPINFORM = 8;

/** Broadcast bit of the flags field (RFC 2131 §2, figure 2). */
export const DHCP_FLAG_BROADCAST = 0x8000;

// Fixed-format fields (RFC 2131 §2, table 1).
export const DHCP_OP = 0;
export const DHCP_HTYPE = 1;
export const DHCP_HLEN = 2;
export const DHCP_HOPS = 3;
export const DHCP_XID = 4;
export const DHCP_SECS = 8;
export const DHCP_FLAGS = 10;
export const DHCP_CIADDR = 12;
export const DHCP_YIADDR = 16;
export const DHCP_SIADDR = 20;
export const DHCP_GIADDR = 24;
export const DHCP_CHADDR = 28;
export const DHCP_SNAME = 44;
export const DHCP_FILE = 108;
export const DHCP_COOKIE = 236;
export const DHCP_OPTIONS = 240;
/** Messages are padded to the BOOTP minimum of 300 bytes (RFC 1542 §2.1) for old relays and servers. */
export const DHCP_MIN_LEN = 300;
/** The magic cookie 99.130.83.99 (RFC 2131 §3, RFC 2132 §2). */
export const DHCP_MAGIC = 0x63825363;

// Options (RFC 2132).
export const OPT_PAD = 0;
export const OPT_SUBNET_MASK = 1;     // §3.3
export const OPT_ROUTER = 3;          // §3.5
export const OPT_DNS = 6;             // §3.8
export const OPT_HOSTNAME = 12;       // §3.14
export const OPT_REQUESTED_IP = 50;   // §9.1
export const OPT_LEASE_TIME = 51;     // §9.2
export const OPT_MESSAGE_TYPE = 53;   // §9.6
export const OPT_SERVER_ID = 54;      // §9.7
export const OPT_PARAM_REQUEST = 55;  // §9.8
export const OPT_RENEWAL_TIME = 58;   // §9.11 (T1)
export const OPT_REBINDING_TIME = 59; // §9.12 (T2)
export const OPT_END = 255;

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

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}

function putU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >>> 24) & 255;
  buf[at + 1] = (v >>> 16) & 255;
  buf[at + 2] = (v >>> 8) & 255;
  buf[at + 3] = v & 255;
}

/**
 * Parses a DHCP message at `buf[off .. off+len)` (the UDP payload). Requires an Ethernet chaddr
 * (htype 1, hlen 6), the magic cookie, well-formed options and a message type. Option overload
 * (52: options in sname/file) is not followed: we never ask for it.
 */
export function parseDhcp(buf: Uint8Array, off: number, len: number): DhcpRepr | WireError {
  if (!(off >= 0) || !(len >= 0) || off + len > buf.length) return 'dhcp-bad-range';
  if (len < DHCP_OPTIONS) return 'dhcp-truncated';
  const op = buf[off + DHCP_OP];
  if (op !== BOOTREQUEST && op !== BOOTREPLY) return 'dhcp-bad-op';
  if (buf[off + DHCP_HTYPE] !== 1 || buf[off + DHCP_HLEN] !== 6) return 'dhcp-bad-htype';
  if (u32(buf, off + DHCP_COOKIE) !== DHCP_MAGIC) return 'dhcp-bad-cookie';
  const r = newDhcpRepr();
  r.op = op;
  r.xid = u32(buf, off + DHCP_XID);
  r.secs = (buf[off + DHCP_SECS] << 8) | buf[off + DHCP_SECS + 1];
  r.flags = (buf[off + DHCP_FLAGS] << 8) | buf[off + DHCP_FLAGS + 1];
  r.ciaddr = readIpv4(buf, off + DHCP_CIADDR);
  r.yiaddr = readIpv4(buf, off + DHCP_YIADDR);
  r.siaddr = readIpv4(buf, off + DHCP_SIADDR);
  r.giaddr = readIpv4(buf, off + DHCP_GIADDR);
  r.chaddr = buf.subarray(off + DHCP_CHADDR, off + DHCP_CHADDR + 6);
  const end = off + len;
  let i = off + DHCP_OPTIONS;
  // Each step advances i by at least 1, so the walk ends.
  while (i < end) {
    const code = buf[i];
    if (code === OPT_END) break;
    if (code === OPT_PAD) { i++; continue; }
    if (i + 1 >= end) return 'dhcp-bad-option';
    const n = buf[i + 1];
    const d = i + 2;
    if (d + n > end) return 'dhcp-bad-option';
    switch (code) {
      case OPT_MESSAGE_TYPE:
        if (n !== 1) return 'dhcp-bad-option';
        r.messageType = buf[d];
        break;
      case OPT_SERVER_ID: case OPT_REQUESTED_IP: case OPT_SUBNET_MASK:
      case OPT_LEASE_TIME: case OPT_RENEWAL_TIME: case OPT_REBINDING_TIME:
        if (n !== 4) return 'dhcp-bad-option';
        if (code === OPT_SERVER_ID) r.serverId = u32(buf, d);
        else if (code === OPT_REQUESTED_IP) r.requestedIp = u32(buf, d);
        else if (code === OPT_SUBNET_MASK) r.subnetMask = u32(buf, d);
        else if (code === OPT_LEASE_TIME) r.leaseTime = u32(buf, d);
        else if (code === OPT_RENEWAL_TIME) r.renewalTime = u32(buf, d);
        else r.rebindingTime = u32(buf, d);
        break;
      case OPT_ROUTER: case OPT_DNS:
        // RFC 2132 §3.5/§3.8: a list of addresses, minimum length 4, a multiple of 4.
        if (n < 4 || (n & 3) !== 0) return 'dhcp-bad-option';
        if (code === OPT_ROUTER) r.router = u32(buf, d);
        else for (let k = 0; k < n; k += 4) r.dnsServers.push(u32(buf, d + k));
        break;
      case OPT_HOSTNAME: {
        let s = '';
        for (let k = 0; k < n; k++) s += String.fromCharCode(buf[d + k]);
        r.hostname = s;
        break;
      }
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

function putU32Option(buf: Uint8Array, i: number, code: number, v: number): number {
  buf[i] = code;
  buf[i + 1] = 4;
  putU32(buf, i + 2, v);
  return i + 6;
}

/**
 * Writes the message at `off` and returns its length (at least 300, RFC 1542 §2.1), or 0 if it does
 * not fit in `buf` (nothing is written then). Options are written in a fixed order: 53, 50, 54, 51,
 * 58, 59, 1, 3, 6, 12, 55, then END and zero padding. Lists longer than an option holds (63 DNS
 * servers, 255 bytes) are cut.
 */
export function emitDhcp(repr: DhcpRepr, buf: Uint8Array, off: number): number {
  const nDns = repr.dnsServers.length > 63 ? 63 : repr.dnsServers.length;
  const nHost = repr.hostname.length > 255 ? 255 : repr.hostname.length;
  const nPrl = repr.parameterRequestList.length > 255 ? 255 : repr.parameterRequestList.length;
  let need = DHCP_OPTIONS + 3 + 1 + (nDns > 0 ? 2 + 4 * nDns : 0) + (nHost > 0 ? 2 + nHost : 0) + (nPrl > 0 ? 2 + nPrl : 0);
  if (repr.requestedIp) need += 6;
  if (repr.serverId) need += 6;
  if (repr.leaseTime) need += 6;
  if (repr.renewalTime) need += 6;
  if (repr.rebindingTime) need += 6;
  if (repr.subnetMask) need += 6;
  if (repr.router) need += 6;
  if (need < DHCP_MIN_LEN) need = DHCP_MIN_LEN;
  if (!(off >= 0) || off + need > buf.length) return 0;
  buf.fill(0, off, off + DHCP_OPTIONS);
  buf[off + DHCP_OP] = repr.op;
  buf[off + DHCP_HTYPE] = 1;
  buf[off + DHCP_HLEN] = 6;
  putU32(buf, off + DHCP_XID, repr.xid);
  buf[off + DHCP_SECS] = (repr.secs >> 8) & 255;
  buf[off + DHCP_SECS + 1] = repr.secs & 255;
  buf[off + DHCP_FLAGS] = (repr.flags >> 8) & 255;
  buf[off + DHCP_FLAGS + 1] = repr.flags & 255;
  writeIpv4(buf, off + DHCP_CIADDR, repr.ciaddr);
  writeIpv4(buf, off + DHCP_YIADDR, repr.yiaddr);
  writeIpv4(buf, off + DHCP_SIADDR, repr.siaddr);
  writeIpv4(buf, off + DHCP_GIADDR, repr.giaddr);
  buf.set(repr.chaddr.subarray(0, 6), off + DHCP_CHADDR);
  putU32(buf, off + DHCP_COOKIE, DHCP_MAGIC);
  let i = off + DHCP_OPTIONS;
  buf[i] = OPT_MESSAGE_TYPE; buf[i + 1] = 1; buf[i + 2] = repr.messageType; i += 3;
  if (repr.requestedIp) i = putU32Option(buf, i, OPT_REQUESTED_IP, repr.requestedIp);
  if (repr.serverId) i = putU32Option(buf, i, OPT_SERVER_ID, repr.serverId);
  if (repr.leaseTime) i = putU32Option(buf, i, OPT_LEASE_TIME, repr.leaseTime);
  if (repr.renewalTime) i = putU32Option(buf, i, OPT_RENEWAL_TIME, repr.renewalTime);
  if (repr.rebindingTime) i = putU32Option(buf, i, OPT_REBINDING_TIME, repr.rebindingTime);
  if (repr.subnetMask) i = putU32Option(buf, i, OPT_SUBNET_MASK, repr.subnetMask);
  if (repr.router) i = putU32Option(buf, i, OPT_ROUTER, repr.router);
  const dns = repr.dnsServers;
  if (nDns > 0) {
    const n = nDns;
    buf[i] = OPT_DNS; buf[i + 1] = n * 4; i += 2;
    for (let k = 0; k < n; k++) { putU32(buf, i, dns[k]); i += 4; }
  }
  const host = repr.hostname;
  if (nHost > 0) {
    const n = nHost;
    buf[i] = OPT_HOSTNAME; buf[i + 1] = n; i += 2;
    for (let k = 0; k < n; k++) buf[i + k] = host.charCodeAt(k) & 255;
    i += n;
  }
  const prl = repr.parameterRequestList;
  if (nPrl > 0) {
    const n = nPrl;
    buf[i] = OPT_PARAM_REQUEST; buf[i + 1] = n; i += 2;
    for (let k = 0; k < n; k++) buf[i + k] = prl[k] & 255;
    i += n;
  }
  buf[i++] = OPT_END;
  // i - off equals `need` when that is above the minimum; otherwise pad with zeros up to 300.
  if (off + need > i) buf.fill(0, i, off + need);
  return need;
}
