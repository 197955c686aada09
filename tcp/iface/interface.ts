// The network interface: one Ethernet frame device, ARP, IPv4, ICMP, UDP, and the DHCP and DNS clients,
// driven from outside by `poll(nowMs)`. No clocks, timers or Math.random here: time comes in as `nowMs`,
// randomness from the RandomSource given.
//
// Design decisions (the cost of each is written next to it):
// - IPv4 fragments are NOT reassembled: they are dropped and counted (`ipv4-fragment`). A reassembly
//   buffer costs a full 1500-byte frame (119 JsVars on a Pico, ~2% of its heap) per datagram in
//   progress, and nothing we speak needs it: TCP announces an MSS that fits one frame, DNS answers
//   we ask for fit in 512 bytes (RFC 1035 §4.2.1), DHCP in 576 (RFC 2131 §2). Consequence: a UDP
//   application receiving datagrams larger than 1472 bytes gets nothing. We never fragment either:
//   a transport datagram must fit `maxTransportLength()`.
// - One transmit and one receive frame buffer, preallocated. Transports write straight into the
//   transmit buffer (transport.ts). Only an ARP miss copies a frame (into a bounded queue, let go once sent or failed; a full queue reuses the copy it drops).
// - Datagrams received with TTL 0 are dropped (`ipv4-ttl-zero`): no host may send one (RFC 1122
//   §3.2.1.7); any other TTL is accepted, as a host must (ibid.).
// - DF is set on TCP datagrams (they are sized to the MTU by the MSS) and clear on others; every
//   datagram gets the next value of one 16-bit Identification counter (RFC 791 §3.2, RFC 6864 §4.1).
import { describeError, tell } from '../errors';
import { FrameDevice, RandomSource } from '../ports';
import { Emitter } from '../events';
import {
  Ipv4Address, isWireError, ETHERTYPE_ARP, ETHERTYPE_IPV4, IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP,
} from '../wire/reprs';
import {
  emitEthernetHeader, isBroadcastMac, macEquals, BROADCAST_MAC, ETH_HEADER_LEN, ETH_MAX_FRAME,
} from '../wire/ethernet';
import { parseArp, emitArp, ArpRepr, ARP_OP_REQUEST, ARP_OP_REPLY, ARP_LEN } from '../wire/arp';
import {
  ipv4OptionsBad, newIpv4Repr, Ipv4Repr, IPV4_HEADER_LEN, IPV4_CHECKSUM, ipv4Version, ipv4HeaderLength, ipv4Protocol,
  ipv4Src, ipv4Dst,
} from '../wire/ipv4';
import {
  parseIcmp, emitIcmp, newIcmpRepr, IcmpRepr, ICMP_HEADER_LEN, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY,
  ICMP_DEST_UNREACHABLE, ICMP_UNREACH_PORT, ICMP_UNREACH_PROTOCOL, ICMP_UNREACH_HOST,
} from '../wire/icmp';
import { prefixToMask, sameSubnet } from '../wire/ipv4-address';
import { onesComplementSum } from '../wire/checksum';
import { IpSender, Transport } from './transport';
import { ArpCache, ArpEntry, ARP_PENDING, ARP_RESOLVED } from './arp-cache';
import { UdpLayer } from './udp';
import { DhcpClient } from './dhcp-client';
import { DnsClient } from './dns-client';
import { InterfaceLimits, DEFAULT_LIMITS, Ipv4Config } from './config';

export interface InterfaceOptions {
  device: FrameDevice;
  random: RandomSource;
  /** Static configuration. */
  ipv4?: Ipv4Config;
  /** Get the configuration by DHCP (ignored when `ipv4` is given). */
  dhcp?: boolean;
  /** Sent in DHCP requests (option 12). */
  hostname?: string;
  limits?: Partial<InterfaceLimits>;
  /**
   * Told of every exception caught inside poll (counted as `internal-errors`), as "where: message", where
   * names the part ("receive", "frame", "poll"). The stack never throws to its caller; this is how the
   * failure gets seen.
   */
  onInternalError?: (description: string) => void;
  /**
   * Told of every exception thrown by application code the interface called (a 'config' listener, a
   * UDP socket's message handler, a DNS callback), as "where: message"; counted as `app-errors`.
   */
  onAppError?: (description: string) => void;
}

/** Counters of the interface: a plain object of named numbers (drops are named by reason). */
export type InterfaceCounters = { [name: string]: number };


const BROADCAST: Ipv4Address = 0xffffffff;
const INTERNAL_ERRORS = 'internal-errors';
const ZERO_MAC = new Uint8Array(6);

/** Class D (multicast) and E (reserved) addresses: 224.0.0.0/3 (the limited broadcast address among them). */
function isMulticastOrReserved(a: Ipv4Address): boolean {
  return a >>> 29 === 7;
}

/**
 * Events: 'config' (cfg: Ipv4Config | null) whenever the address configuration changes (static, DHCP
 * bind, renew with a new address, lease expiry → null).
 */
export class Interface extends Emitter implements IpSender {
  readonly device: FrameDevice;
  readonly mac: Uint8Array;
  /**
   * Each reason appears when first counted (a counter that never moved is absent: read it as
   * `counters[name] || 0`); names held for counters that stay at zero would cost RAM on the device.
   * Only `internal-errors`, the health check tools and tests read, is there from the start.
   */
  readonly counters: InterfaceCounters = { 'internal-errors': 0 };
  readonly limits: InterfaceLimits;
  readonly txBuffer: Uint8Array = new Uint8Array(ETH_MAX_FRAME);
  readonly txView: DataView = new DataView(this.txBuffer.buffer);
  readonly rxBuffer: Uint8Array = new Uint8Array(ETH_MAX_FRAME);
  private readonly rxView: DataView = new DataView(this.rxBuffer.buffer);
  readonly arp: ArpCache;
  readonly udp: UdpLayer;
  readonly dns: DnsClient;
  /** Present when the interface was created with `dhcp: true` (and no static `ipv4`). */
  readonly dhcp: DhcpClient | null = null;
  readonly random: RandomSource;

  address: Ipv4Address = 0;
  prefixLength = 0;
  netmask: Ipv4Address = 0;
  private subnetBroadcast = -1;
  gateway: Ipv4Address = 0;
  dnsServers: Ipv4Address[] = [];

  /** The time given to the last poll() (what sends between polls use). */
  now = 0;
  private transports: Transport[] = [];
  private ipId: number;
  private icmpTokens: number;
  private icmpRefillAt = 0;
  private gratuitousDue?: boolean;
  private arpDue?: boolean;
  /**
   * When pollArp is next due: its last result, or 0 (at the next poll) once an entry's deadline may
   * have moved earlier (requestAddress, learn, a refresh asked for); a poll before then skips it.
   */
  private arpAt = 0;
  /** The same for the DNS client's timers (its queries'): a query sent or re-aimed sets it to 0 (DnsHost). */
  dnsAt = 0;

  // Reused representations (no allocation per packet). One of each kind serves receive and send: a
  // received header's fields are read before anything is emitted with the same object (an ICMP echo
  // reply or error copies what it needs first; a UDP callback that sends has no use for the datagram's
  // IPv4 header afterwards), and nothing reads a received header again after a send.
  private readonly rxDst: Uint8Array = this.rxBuffer.subarray(0, 6); // a received frame's destination MAC
  private readonly arpRepr: ArpRepr = { op: 0, senderMac: ZERO_MAC, senderIp: 0, targetMac: ZERO_MAC, targetIp: 0 };
  private readonly ipRepr: Ipv4Repr = newIpv4Repr();
  private readonly icmpRepr: IcmpRepr = newIcmpRepr();

  // The datagram begun by beginDatagram, until commitDatagram (which reads the other two only after it).
  private txDst!: Ipv4Address;
  private txProtocol = -1;
  private txNextHop!: Ipv4Address;
  // The IPv4 header in txBuffer[14, 34): to whom and for which protocol it was last written (-1: none,
  // or something else was written there since), and the sum of its fields but length and identification.
  private hdrProtocol = -1;
  private hdrDst = 0;
  private hdrSum = 0;
  /** The next hop of hdrDst (what route() said; a new configuration empties the cache). */
  private hdrHop = 0;
  /**
   * The next hop whose Ethernet header (its resolved MAC, ours, IPv4) is in txBuffer[0, 14), or -1:
   * an ARP packet was written there since, or an address was learnt (it may be this hop's new MAC).
   */
  private ethHop = -1;
  /**
   * Until when ethHop's entry needs no look in the ARP cache: its refresh time (expiry less
   * arpRefreshMs). Whatever changes that entry before then sets ethHop to -1: learn, configure's clear,
   * and sendArp (an eviction is for a request, sent at once).
   */
  private ethFresh = 0;

  constructor(o: InterfaceOptions) {
    super();
    this.device = o.device;
    this.mac = o.device.mac;
    this.random = o.random;
    // The defaults are the prototype: only the limits given are held per interface.
    const l: InterfaceLimits = Object.create(DEFAULT_LIMITS);
    if (o.limits) {
      const keys = Object.keys(o.limits) as Array<keyof InterfaceLimits>;
      for (let i = 0; i < keys.length; i++) {
        const v = o.limits[keys[i]];
        if (v !== undefined) l[keys[i]] = v;
      }
    }
    this.limits = l;
    this.onInternalError = o.onInternalError || null;
    this.onAppError = o.onAppError || null;
    this.icmpTokens = l.icmpErrorBurst;
    this.ipId = o.random.nextU32() & 0xffff;
    this.arp = new ArpCache(l.arpCacheSize, l.arpQueue);
    this.udp = new UdpLayer(this, l.udpSockets, l.udpRxQueue);
    this.dns = new DnsClient(this);
    if (o.ipv4) this.configure(o.ipv4);
    else if (o.dhcp) this.dhcp = new DhcpClient(this, o.hostname || '');
  }

  /** A random unsigned 32-bit integer (UdpHost). */
  randomU32(): number {
    return this.random.nextU32();
  }

  /** Counts one event or drop under `reason`. */
  count(reason: string): void {
    const c = this.counters;
    c[reason] = (c[reason] || 0) + 1;
  }

  // ---- configuration -------------------------------------------------------------------------------

  /** Sets (or with null, removes) the IPv4 configuration; announces a new address by gratuitous ARP. */
  configure(cfg: Ipv4Config | null): void {
    const old = this.address;
    this.hdrProtocol = -1; // a new source address
    const c = cfg || { address: 0, prefixLength: 0 }; // null: unconfigured
    this.address = c.address >>> 0;
    this.prefixLength = c.prefixLength;
    this.netmask = prefixToMask(c.prefixLength);
    // Our subnet's directed broadcast address; none (-1, no address equals it) unconfigured or on a /32.
    this.subnetBroadcast = this.address !== 0 && this.netmask !== BROADCAST ? (this.address | ~this.netmask) >>> 0 : -1;
    this.gateway = (c.gateway || 0) >>> 0;
    this.dnsServers = c.dns ? c.dns.slice(0) : [];
    if (old !== this.address) {
      // Mappings learnt under the old address may be for another subnet: start afresh.
      this.failAllWaiting();
      this.arp.clear();
      this.ethHop = -1;
      // RFC 5227 §3 / RFC 826: announce the new mapping so neighbours update their caches.
      if (this.address !== 0) this.gratuitousDue = true;
    }
    this.emit('config', cfg ? this.config() : null);
  }

  /** The current configuration, or null while unconfigured. */
  config(): Ipv4Config | null {
    if (this.address === 0) return null;
    return { address: this.address, prefixLength: this.prefixLength, gateway: this.gateway, dns: this.dnsServers.slice(0) };
  }

  addTransport(t: Transport): void {
    if (this.transports.indexOf(t) < 0) this.transports.push(t);
  }

  // ---- the poll loop -------------------------------------------------------------------------------

  /**
   * Reads up to `limits.rxFramesPerPoll` frames, runs what is due (ARP retries, DHCP, DNS, transports)
   * and returns the time (ms) it next needs to be called (`nowMs` itself when frames are still waiting).
   * Never throws: an exception from a handler is caught and counted as `internal-errors`.
   */
  poll(nowMs: number): number {
    this.now = nowMs;
    let next = Infinity;
    let n = 0;
    const max = this.limits.rxFramesPerPoll;
    for (; n < max; n++) {
      let len = 0;
      try {
        len = this.device.receive(this.rxBuffer);
      } catch (e) {
        this.internalError('receive', e);
        break;
      }
      if (!(len > 0)) break;
      this.count('rx-frames');
      try {
        this.handleFrame(len);
      } catch (e) {
        this.internalError('frame', e);
      }
    }
    if (n >= max) next = nowMs; // more may be waiting
    // Each part on its own, so one that throws (counted) does not starve the others: `part` says which
    // comes next, and after an exception the loop goes on from there. One try and no call per part (the
    // interpreter scans each branch it does not take, token by token: pollPart's chain of parts was
    // scanned up to the part asked for, five times a poll).
    let part = 0;
    while (part < 5) {
      try {
        if (part === 0) {
          part = 1;
          if (this.gratuitousDue) {
            this.gratuitousDue = false;
            this.sendArp(ARP_OP_REQUEST, BROADCAST_MAC, this.address, null);
          }
          if (nowMs >= this.arpAt) this.arpAt = this.pollArp(nowMs);
          if (this.arpAt < next) next = this.arpAt; // (a comparison: a third of Math.min's cost)
        }
        if (part === 1) {
          part = 2;
          if (this.dhcp) next = Math.min(next, this.dhcp.poll(nowMs));
        }
        if (part === 2) {
          part = 3;
          if (nowMs >= this.dnsAt) this.dnsAt = this.dns.poll(nowMs);
          if (this.dnsAt < next) next = this.dnsAt;
        }
        if (part === 3) {
          part = 4;
          for (let i = 0; i < this.transports.length; i++) {
            const t = this.transports[i].poll(nowMs, this);
            if (t < next) next = t;
          }
        }
        part = 5;
        if (this.arpDue) {
          // A refresh was asked for while the transmit buffer was busy: send it now.
          this.arpDue = false;
          this.arpAt = this.pollArp(nowMs);
          if (this.arpAt < next) next = this.arpAt;
        }
      } catch (e) {
        this.internalError('poll', e);
      }
    }
    return next;
  }

  /** The last exception caught inside poll, as "where: message" ('' when none yet). */
  lastInternalError = '';
  private readonly onInternalError: ((description: string) => void) | null;

  private internalError(where: string, e: unknown): void {
    this.count(INTERNAL_ERRORS);
    this.lastInternalError = describeError(where, e);
    tell(this.onInternalError, this.lastInternalError);
  }

  /** The last exception from application code the interface called, as "where: message" ('' when none yet). */
  lastAppError = '';
  private readonly onAppError: ((description: string) => void) | null;

  /** Application code the interface called threw `e`: counted as `app-errors`, reported; the stack goes on. */
  appError(where: string, e: unknown): void {
    this.count('app-errors');
    this.lastAppError = describeError(where, e);
    tell(this.onAppError, this.lastAppError);
  }

  /** A 'config' listener threw. */
  protected listenerThrew(event: string, e: unknown): void {
    this.appError(event, e);
  }

  private handleFrame(len: number): void {
    const buf = this.rxBuffer;
    // parseEthernet's checks in line, on the one receive buffer (its destination view made once).
    if (len > buf.length) { this.count('eth-bad-range'); return; }
    if (len < ETH_HEADER_LEN) { this.count('eth-truncated'); return; }
    const type = (buf[12] << 8) | buf[13];
    if (type < 0x0600) { this.count('eth-not-ethernet-ii'); return; }
    // Our own address first, as nearly every frame is to it; any other must be the broadcast address.
    const linkBroadcast = !macEquals(this.rxDst, this.mac);
    if (linkBroadcast && !isBroadcastMac(this.rxDst)) { this.count('eth-not-for-us'); return; }
    if (type === ETHERTYPE_IPV4) this.handleIpv4(ETH_HEADER_LEN, len - ETH_HEADER_LEN, linkBroadcast);
    else if (type === ETHERTYPE_ARP) this.handleArp(ETH_HEADER_LEN, len - ETH_HEADER_LEN);
    else this.count('eth-unknown-type');
  }

  // ---- ARP -----------------------------------------------------------------------------------------

  private handleArp(off: number, len: number): void {
    const a = parseArp(this.rxBuffer, off, len, this.arpRepr);
    if (isWireError(a)) { this.count(a); return; }
    this.count('arp-rx');
    if (this.address !== 0 && a.senderIp === this.address) {
      // Someone else claims our address (RFC 5227 §2.4): count it, never learn it.
      if (!macEquals(a.senderMac, this.mac)) this.count('arp-address-conflict');
      return;
    }
    if (a.senderIp === 0 || isMulticastOrReserved(a.senderIp) || (a.senderMac[0] & 1) === 1) { // (a broadcast MAC is a group one)
      // Probes (sender 0, RFC 5227 §2.1.1) and nonsense senders teach us nothing. A probe for our
      // address is answered, so the prober sees the address is taken (RFC 5227 §2.1.1).
      if (a.op === ARP_OP_REQUEST && a.senderIp === 0) {
        if (this.address !== 0 && a.targetIp === this.address && (a.senderMac[0] & 1) === 0) {
          this.sendArp(ARP_OP_REPLY, a.senderMac, 0, a.senderMac);
        }
        return;
      }
      this.count('arp-bad-sender');
      return;
    }
    // RFC 826 "Packet Reception": if the sender is in the table, update it (merge)...
    const e = this.arp.find(a.senderIp);
    if (e) this.learn(e, a.senderMac);
    const forUs = this.address !== 0 && a.targetIp === this.address;
    // ...and if we are the target and it was not there, add it (the requester will talk to us next);
    // a reply we never asked for (no entry) may not create one.
    if (!e && (!forUs || a.op === ARP_OP_REPLY)) {
      this.count('arp-unsolicited-ignored');
      return;
    }
    if (!forUs) return;
    if (!e) this.learn(this.arp.allocate(a.senderIp, this.now), a.senderMac);
    if (a.op === ARP_OP_REQUEST) this.sendArp(ARP_OP_REPLY, a.senderMac, a.senderIp, a.senderMac);
  }

  /** Records `mac` for entry `e` and sends whatever waited for it. */
  private learn(e: ArpEntry, mac: Uint8Array): void {
    this.ethHop = -1;
    this.arpAt = 0; // a new expiry (perhaps of a new entry)
    this.arp.resolve(e, mac, this.now, this.limits.arpEntryTtlMs);
    if (this.arp.waiting.length === 0) return;
    const ws = this.arp.takeWaiting(e.ip);
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i];
      emitEthernetHeader(w.frame, 0, e.mac, this.mac, ETHERTYPE_IPV4);
      this.sendFrame(w.frame, w.length);
    }
  }

  /**
   * Sends an ARP packet from us. `dstMac` is the Ethernet destination; the target hardware address is
   * `targetMac` (zero for requests, RFC 826). A request with `targetIp` = our address is a gratuitous
   * announcement (RFC 5227 §3).
   */
  private sendArp(op: number, dstMac: Uint8Array, targetIp: Ipv4Address, targetMac: Uint8Array | null): void {
    const buf = this.txBuffer;
    const r = this.arpRepr;
    r.op = op;
    r.senderMac = this.mac;
    r.senderIp = this.address;
    r.targetMac = targetMac || ZERO_MAC;
    r.targetIp = targetIp;
    emitEthernetHeader(buf, 0, dstMac, this.mac, ETHERTYPE_ARP);
    emitArp(r, buf, ETH_HEADER_LEN);
    this.hdrProtocol = -1; // the IPv4 header there is gone
    this.ethHop = -1; // and the Ethernet header
    // Pad to the 60-byte Ethernet minimum (IEEE 802.3 §4.2.3.3) ourselves: not every chip does.
    buf.fill(0, ETH_HEADER_LEN + ARP_LEN, 60);
    this.count(op === ARP_OP_REQUEST ? 'arp-requests-sent' : 'arp-replies-sent');
    this.sendFrame(buf, 60);
  }

  private requestAddress(e: ArpEntry, unicast: boolean): void {
    e.requests++;
    e.nextRequestAt = this.now + this.limits.arpRetryMs;
    this.arpAt = 0; // (pollArp, when it is the caller, sets it after)
    this.sendArp(ARP_OP_REQUEST, unicast ? e.mac : BROADCAST_MAC, e.ip, null);
  }

  /** ARP timers: retries, failures, refreshes, expiry. Returns the next deadline. */
  private pollArp(now: number): number {
    let next = Infinity;
    const es = this.arp.entries;
    const l = this.limits;
    for (let i = 0; i < es.length; i++) {
      const e = es[i];
      if (e.state === ARP_PENDING) {
        if (now >= e.nextRequestAt) {
          if (e.requests >= l.arpRequests) {
            // RFC 1122 §2.3.2.1: give up; datagrams waiting fail with host unreachable.
            this.arp.free(e);
            this.failWaiting(e.ip);
            continue;
          }
          this.requestAddress(e, false);
        }
        next = Math.min(next, e.nextRequestAt);
      } else if (e.state === ARP_RESOLVED) {
        if (now >= e.expiresAt) {
          this.arp.free(e);
          continue;
        }
        if (now >= e.nextRequestAt) { // (never when Infinity: no refresh asked)
          if (e.requests < l.arpRequests) this.requestAddress(e, e.requests < l.arpRequests - 1);
          else e.nextRequestAt = Infinity;
        }
        if (e.expiresAt < next) next = e.expiresAt; // (comparisons: Math.min costs 2 iterations, each 0.4)
        if (e.nextRequestAt < next) next = e.nextRequestAt;
      }
    }
    // Datagrams whose entry was reused for another address (cache full) have nobody resolving them.
    const w = this.arp.waiting;
    for (let i = 0; i < w.length; i++) {
      const e = this.arp.find(w[i].nextHop);
      if (!e || e.state !== ARP_PENDING) {
        this.failWaiting(w[i].nextHop);
        i = -1; // the queue changed: scan again (it holds at most limits.arpQueue items)
      }
    }
    return next;
  }

  /** Drops every datagram waiting for `nextHop`, counting each and telling its transport. */
  private failWaiting(nextHop: Ipv4Address): void {
    const ws = this.arp.takeWaiting(nextHop);
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i];
      this.count('arp-resolution-failed');
      this.reportUnreachable(w.protocol, w.dst, ICMP_UNREACH_HOST, w.frame, w.transportOffset, w.length - w.transportOffset);
    }
  }

  private failAllWaiting(): void {
    while (this.arp.waiting.length) this.failWaiting(this.arp.waiting[0].nextHop);
  }

  // ---- IpSender (transports send through these) --------------------------------------------------

  localAddress(): Ipv4Address {
    return this.address;
  }

  maxTransportLength(): number {
    return ETH_MAX_FRAME - ETH_HEADER_LEN - IPV4_HEADER_LEN;
  }

  /** The next hop for `dst`: itself when on-link, the gateway otherwise; BROADCAST for broadcasts; -1 if no route. */
  private route(dst: Ipv4Address): number {
    if (dst === BROADCAST) return BROADCAST;
    if (this.address === 0) return -1; // only limited broadcast before configuration (DHCP)
    if (dst === this.subnetBroadcast) return BROADCAST;
    if (sameSubnet(dst, this.address, this.netmask)) return dst;
    return this.gateway !== 0 ? this.gateway : -1;
  }

  beginDatagram(dst: Ipv4Address, protocol: number): number {
    dst = dst >>> 0;
    this.txProtocol = -1;
    // The destination of the header in the buffer has been routed already (the usual case: one peer).
    const hop = dst === this.hdrDst && this.hdrProtocol >= 0 ? this.hdrHop
      : dst === 0 || (dst !== BROADCAST && isMulticastOrReserved(dst)) || (dst >>> 24) === 127 || dst === this.address ? -1 : this.route(dst);
    if (hop < 0) {
      this.count('ipv4-no-route');
      return -1;
    }
    this.txDst = dst;
    this.txProtocol = protocol;
    this.txNextHop = hop;
    return ETH_HEADER_LEN + IPV4_HEADER_LEN;
  }

  commitDatagram(length: number): boolean {
    if (this.txProtocol < 0) return false;
    const protocol = this.txProtocol;
    this.txProtocol = -1;
    if (!(length >= 0) || length > ETH_MAX_FRAME - ETH_HEADER_LEN - IPV4_HEADER_LEN) { // maxTransportLength()
      this.count('ipv4-tx-too-big');
      return false;
    }
    const buf = this.txBuffer;
    const id = this.ipId;
    this.ipId = (id + 1) & 0xffff;
    const total = IPV4_HEADER_LEN + length;
    const v = this.txView;
    if (protocol !== this.hdrProtocol || this.txDst !== this.hdrDst) this.newIpv4Header(protocol);
    // The header in the buffer is the last one to this destination and protocol: only Total Length,
    // Identification and the checksum change (RFC 1624: the sum of the rest is kept in hdrSum). The
    // sum folds to the 16 bits a sum of the whole header gives (both ≡ mod 0xffff, neither 0: folding is
    // the remainder, 0xffff for 0, as in checksum.ts onesComplementSum).
    const sum = this.hdrSum + total + id;
    v.setUint16(ETH_HEADER_LEN + 2, total);
    v.setUint16(ETH_HEADER_LEN + 4, id);
    v.setUint16(ETH_HEADER_LEN + IPV4_CHECKSUM, ~(sum % 0xffff || 0xffff) & 0xffff);
    let frameLen = ETH_HEADER_LEN + IPV4_HEADER_LEN + length;
    if (frameLen < 60) {
      buf.fill(0, frameLen, 60);
      frameLen = 60;
    }
    const hop = this.txNextHop;
    // The hop whose header is in the buffer, its entry resolved and not yet due a refresh: as below.
    if (hop === this.ethHop && this.now < this.ethFresh) return this.sendFrame(buf, frameLen);
    if (hop === BROADCAST) {
      emitEthernetHeader(buf, 0, BROADCAST_MAC, this.mac, ETHERTYPE_IPV4);
      this.ethHop = -1;
      return this.sendFrame(buf, frameLen);
    }
    let e = this.arp.find(hop);
    if (e && e.state === ARP_RESOLVED) {
      // Refresh an entry in use shortly before it expires (unicast first, RFC 1122 §2.3.2.1). The
      // request is sent by the next poll: the transmit buffer holds this datagram now.
      const fresh = e.expiresAt - this.limits.arpRefreshMs;
      if (e.nextRequestAt === Infinity && this.now >= fresh) {
        e.requests = 0;
        e.nextRequestAt = this.now;
        this.arpDue = true;
        this.arpAt = 0;
      }
      if (hop !== this.ethHop) {
        emitEthernetHeader(buf, 0, e.mac, this.mac, ETHERTYPE_IPV4);
        this.ethHop = hop;
      }
      this.ethFresh = fresh;
      return this.sendFrame(buf, frameLen);
    }
    return this.queueForArp(e, hop, frameLen, protocol);
  }

  /**
   * A new IPv4 header in txBuffer (RFC 791 §3.1): version 4, IHL 5, TOS 0; DF on TCP, no fragment; TTL,
   * protocol; our address and the destination. Total Length, Identification and the checksum are 0
   * here: the sum of the rest is kept (hdrSum), and commitDatagram fills those three in.
   */
  private newIpv4Header(protocol: number): void {
    const v = this.txView;
    v.setUint32(ETH_HEADER_LEN, 0x45000000);
    v.setUint32(ETH_HEADER_LEN + 4, protocol === IP_PROTO_TCP ? 0x4000 : 0);
    v.setUint32(ETH_HEADER_LEN + 8, ((this.limits.ttl & 255) << 24 | (protocol & 255) << 16) >>> 0);
    v.setUint32(ETH_HEADER_LEN + 12, this.address);
    v.setUint32(ETH_HEADER_LEN + 16, this.txDst);
    this.hdrSum = onesComplementSum(this.txBuffer, ETH_HEADER_LEN, IPV4_HEADER_LEN);
    this.hdrProtocol = protocol;
    this.hdrDst = this.txDst;
    this.hdrHop = this.txNextHop;
  }

  /** The datagram in txBuffer waits for `hop`'s address (`e`: its entry, if any). */
  private queueForArp(e: ArpEntry | null, hop: Ipv4Address, frameLen: number, protocol: number): boolean {
    // Not resolved: keep a copy and ask (RFC 1122 §2.3.2.2).
    // A full queue drops its oldest datagram for this one (arp-cache.ts enqueue).
    if (!this.arp.enqueue(hop, this.txBuffer, frameLen, protocol, this.txDst, ETH_HEADER_LEN + IPV4_HEADER_LEN)) this.count('arp-queue-full');
    if (!e) {
      e = this.arp.allocate(hop, this.now);
      e.state = ARP_PENDING;
      this.requestAddress(e, false);
    }
    return true;
  }

  private sendFrame(buf: Uint8Array, len: number): boolean {
    const ok = this.device.send(len === buf.length ? buf : buf.subarray(0, len));
    this.count(ok ? 'tx-frames' : 'tx-device-refused');
    return ok;
  }

  // ---- IPv4 receive ----------------------------------------------------------------------------------

  private handleIpv4(off: number, len: number, linkBroadcast: boolean): void {
    const buf = this.rxBuffer;
    // parseIpv4Header's checks in line, in its order (the frame is inside the buffer: handleFrame), and
    // only the fields read here and after into the repr.
    if (len < IPV4_HEADER_LEN) { this.count('ipv4-truncated'); return; }
    const verIhl = buf[off];
    if (verIhl >> 4 !== 4) { this.count('ipv4-bad-version'); return; }
    const hl = (verIhl & 15) * 4;
    // RFC 791 §3.1: "the minimum value for a correct header is 5".
    if (hl < IPV4_HEADER_LEN) { this.count('ipv4-bad-ihl'); return; }
    if (hl > len) { this.count('ipv4-truncated'); return; }
    const total = (buf[off + 2] << 8) | buf[off + 3];
    if (total < hl) { this.count('ipv4-bad-total-length'); return; }
    if (total > len) { this.count('ipv4-truncated'); return; }
    // A correct header sums to 0xffff including its own checksum field (RFC 1071 §1).
    if (onesComplementSum(buf, off, hl) !== 0xffff) { this.count('ipv4-bad-checksum'); return; }
    if (hl > IPV4_HEADER_LEN && ipv4OptionsBad(buf, off + IPV4_HEADER_LEN, off + hl)) { this.count('ipv4-bad-option'); return; }
    const src = this.rxView.getUint32(off + 12); // (one native read: fewer statements than four bytes)
    const dst = this.rxView.getUint32(off + 16);
    const protocol = buf[off + 9];
    const pOff = off + hl;
    const pLen = total - hl;
    const addr = this.address;
    // RFC 1122 §3.2.1.3: silently discard datagrams from broadcast, multicast or loopback sources
    // (`src >>> 29 === 7`: isMulticastOrReserved in line).
    if (src >>> 29 === 7 || (src >>> 24) === 127 || (addr !== 0 && src === addr) || src === this.subnetBroadcast) {
      this.count('ipv4-bad-src');
      return;
    }
    if (buf[off + 8] === 0) { this.count('ipv4-ttl-zero'); return; }
    const toUs = addr !== 0 && dst === addr;
    let broadcast = !toUs && (dst === BROADCAST || dst === this.subnetBroadcast);
    // Unconfigured, UDP unicast is taken too: a DHCP server may unicast the offer to the address it
    // offers (RFC 2131 §4.1).
    if (!toUs && !broadcast && (addr !== 0 || protocol !== IP_PROTO_UDP || isMulticastOrReserved(dst))) {
      this.count('ipv4-not-for-us');
      return;
    }
    // A unicast IP datagram in a link-layer broadcast (RFC 1122 §3.3.6): accept, but treat as broadcast
    // for replies so we never answer it with an ICMP error.
    if (linkBroadcast && addr !== 0) broadcast = true;
    // Fragments are dropped, not reassembled (see the top of this file): MF or a fragment offset.
    if (((buf[off + 6] & 0x3f) | buf[off + 7]) !== 0) { this.count('ipv4-fragment'); return; }
    this.count('ipv4-rx');
    if (protocol !== IP_PROTO_ICMP && protocol !== IP_PROTO_UDP) {
      for (let i = 0; i < this.transports.length; i++) {
        const t = this.transports[i];
        if (t.protocol === protocol) {
          if (broadcast) { this.count('ipv4-broadcast-to-transport'); return; } // TCP is unicast only
          t.receive(src, dst, buf, pOff, pLen, this.now);
          return;
        }
      }
    }
    // What an ICMP reply or error reads of the header (a transport's datagram above needs none of it).
    const ip = this.ipRepr;
    ip.src = src;
    ip.headerLength = hl;
    ip.totalLength = total;
    ip.payloadOffset = pOff;
    ip.payloadLength = pLen;
    if (protocol === IP_PROTO_ICMP) {
      this.handleIcmp(ip, broadcast);
      return;
    }
    if (protocol === IP_PROTO_UDP) {
      if (!this.udp.deliver(src, dst, buf, pOff, pLen) && !broadcast) {
        // RFC 1122 §4.1.3.1: SHOULD send ICMP Port Unreachable.
        this.sendIcmpError(ICMP_UNREACH_PORT, off, ip);
      }
      return;
    }
    this.count('ipv4-unknown-protocol');
    // RFC 1122 §3.2.2.1: protocol unreachable for a transport we do not implement.
    if (!broadcast) this.sendIcmpError(ICMP_UNREACH_PROTOCOL, off, ip);
  }

  // ---- ICMP ------------------------------------------------------------------------------------------

  private handleIcmp(ip: Ipv4Repr, broadcast: boolean): void {
    const buf = this.rxBuffer;
    const m = parseIcmp(buf, ip.payloadOffset, ip.payloadLength, this.icmpRepr);
    if (isWireError(m)) { this.count(m); return; }
    if (m.type === ICMP_ECHO_REQUEST) {
      // RFC 1122 §3.2.2.6 allows ignoring broadcast echo requests; we do (no smurf amplification).
      if (broadcast) { this.count('icmp-broadcast-ignored'); return; }
      // RFC 792: the reply carries the request's identifier, sequence and data unchanged.
      this.sendIcmp(ip.src, ICMP_ECHO_REPLY, 0, m.restOfHeader, m.payloadOffset, m.payloadLength, 'icmp-echo-replies');
      return;
    }
    if (m.type === ICMP_DEST_UNREACHABLE) {
      this.count('icmp-unreachable-rx');
      // The data holds the original IP header and at least 8 bytes of its payload (RFC 792).
      const inner = m.payloadOffset;
      const hl = ipv4HeaderLength(buf, inner); // (inside the receive buffer even when the data is short: checked next)
      if (m.payloadLength < IPV4_HEADER_LEN + 8 || ipv4Version(buf, inner) !== 4 || hl < IPV4_HEADER_LEN ||
          m.payloadLength < hl + 8 || ipv4Src(buf, inner) !== this.address) {
        this.count('icmp-bad-original');
        return;
      }
      this.reportUnreachable(ipv4Protocol(buf, inner), ipv4Dst(buf, inner), m.code, buf, inner + hl, m.payloadLength - hl);
      return;
    }
    this.count('icmp-ignored');
  }

  /** Tells the transport of `protocol` (if it listens for that) that `dst` is unreachable. */
  private reportUnreachable(protocol: number, dst: Ipv4Address, code: number, buf: Uint8Array, off: number, len: number): void {
    if (protocol === IP_PROTO_UDP) {
      this.dns.unreachable(dst, buf, off, len);
      return;
    }
    for (let i = 0; i < this.transports.length; i++) {
      const t = this.transports[i];
      if (t.protocol === protocol && t.unreachable) t.unreachable(dst, code, buf, off, len);
    }
  }

  /**
   * Sends destination unreachable `code` about the datagram whose IP header is at rxBuffer[ipOff],
   * rate-limited (RFC 1812 §4.3.2.8) and never about ICMP errors, broadcasts or fragments (RFC 1122
   * §3.2.2). The data is the original header and the first 8 bytes of its payload (RFC 792).
   */
  private sendIcmpError(code: number, ipOff: number, ip: Ipv4Repr): void {
    if (ip.src === 0 || this.address === 0) return;
    const now = this.now;
    const l = this.limits;
    if (now >= this.icmpRefillAt) {
      const steps = Math.floor((now - this.icmpRefillAt) / l.icmpErrorIntervalMs) + 1;
      this.icmpTokens = Math.min(l.icmpErrorBurst, this.icmpTokens + steps);
      this.icmpRefillAt = now + l.icmpErrorIntervalMs;
    }
    if (this.icmpTokens <= 0) { this.count('icmp-rate-limited'); return; }
    this.icmpTokens--;
    this.sendIcmp(ip.src, ICMP_DEST_UNREACHABLE, code, 0, ipOff, Math.min(ip.headerLength + 8, ip.totalLength), 'icmp-errors-sent');
  }

  /** Sends an ICMP message to `dst` whose data is rxBuffer[from, from + len); counts `sent` when it went. */
  private sendIcmp(dst: Ipv4Address, type: number, code: number, rest: number, from: number, len: number, sent: string): void {
    const off = this.beginDatagram(dst, IP_PROTO_ICMP);
    if (off < 0) return;
    const tx = this.txBuffer;
    tx.set(this.rxBuffer.subarray(from, from + len), off + ICMP_HEADER_LEN);
    const o = this.icmpRepr;
    o.type = type;
    o.code = code;
    o.restOfHeader = rest;
    o.payloadLength = len;
    if (this.commitDatagram(emitIcmp(o, tx, off))) this.count(sent);
  }
}
