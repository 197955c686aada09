// The DHCP client (RFC 2131 §4.4, options RFC 2132): INIT → SELECTING → REQUESTING → BOUND, renewing
// at T1 by unicast to the server (RENEWING), rebinding at T2 by broadcast (REBINDING), restarting on
// NAK and deconfiguring when the lease expires. Driven by the interface's poll().
//
// Left out, with the reason: the random 1-10 s wait before the first DISCOVER (RFC 2131 §4.4.1, a
// SHOULD meant for many hosts booting at once; a device booting alone gains nothing but delay), the
// ARP check of the offered address and DECLINE (a SHOULD; a conflict shows up as `arp-address-conflict`),
// INIT-REBOOT (we keep no lease across restarts) and RELEASE.
import { Emitter } from '../events';
import { Ipv4Address } from '../wire/reprs';
import {
  parseDhcp, emitDhcp, newDhcpRepr, DhcpRepr, BOOTREPLY, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST,
  DHCPACK, DHCPNAK, DHCP_SERVER_PORT, DHCP_CLIENT_PORT, OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS,
  OPT_LEASE_TIME, OPT_RENEWAL_TIME, OPT_REBINDING_TIME,
} from '../wire/dhcp';
import { macEquals } from '../wire/ethernet';
import { UdpSocket, UdpRinfo } from './udp';
import { Ipv4Config } from './config';

export const DHCP_INIT = 'init';
export const DHCP_SELECTING = 'selecting';
export const DHCP_REQUESTING = 'requesting';
export const DHCP_BOUND = 'bound';
export const DHCP_RENEWING = 'renewing';
export const DHCP_REBINDING = 'rebinding';

/** RFC 2131 §4.1: first retransmission after 4 s, doubling up to 64 s, each ±1 s at random. */
const BACKOFF_FIRST_MS = 4000;
const BACKOFF_MAX_MS = 64000;
const JITTER_MS = 1000;
/** REQUESTs sent for one offer before starting over with DISCOVER. */
const REQUEST_TRIES = 4;
/** RFC 2131 §4.4.5: retransmissions in RENEWING/REBINDING no closer than 60 s. */
const RENEW_MIN_RETRY_MS = 60000;
/** Wait after the first NAK before starting over. */
const NAK_DELAY_MS = 2000;
const INFINITE_LEASE = 0xffffffff;
const BROADCAST = 0xffffffff;
/** Options asked for in every request (RFC 2132 §9.8). */
const PARAMETER_REQUEST_LIST = [OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_LEASE_TIME, OPT_RENEWAL_TIME, OPT_REBINDING_TIME];
/** A BOOTP message without options is 236 bytes; ours fit 548 (RFC 2131 §2: 576-byte datagrams). */
const MESSAGE_MAX = 548;

/** What the DHCP client needs from the interface. */
export interface DhcpHost {
  readonly mac: Uint8Array;
  readonly random: { nextU32(): number };
  readonly udp: { bind(port: number, onMessage: (data: Uint8Array, rinfo: UdpRinfo) => void): UdpSocket | null };
  readonly address: Ipv4Address;
  configure(cfg: Ipv4Config | null): void;
  count(reason: string): void;
}

export interface DhcpLease {
  address: Ipv4Address;
  prefixLength: number;
  gateway: Ipv4Address;
  dns: Ipv4Address[];
  server: Ipv4Address;
  /** Seconds, as granted (0xffffffff = infinite). */
  leaseTime: number;
  /** Absolute times (ms, the poll clock): T1, T2, expiry (Infinity for an infinite lease). */
  renewAt: number;
  rebindAt: number;
  expiresAt: number;
}

function maskToPrefix(mask: Ipv4Address): number {
  let n = 0;
  while (n < 32 && ((mask << n) & 0x80000000) !== 0) n++;
  return n;
}

/**
 * Events: 'state' (name) on every state change; 'bound' (lease) when a lease is obtained or renewed;
 * 'expired' () when the lease ran out; 'nak' () when the server refused. The interface's own 'config'
 * event reports the resulting address configuration.
 */
export class DhcpClient extends Emitter {
  state = DHCP_INIT;
  lease: DhcpLease | null = null;
  /** Transmissions of each kind, for status pages and tests. */
  readonly stats = { discovers: 0, requests: 0, offers: 0, acks: 0, naks: 0, restarts: 0 };

  private socket?: UdpSocket | null;
  private xid = 0;
  private startedAt!: number; // set before the first DISCOVER
  private nextSendAt = 0;
  private backoffMs = BACKOFF_FIRST_MS;
  private tries = 0;
  private offered: Ipv4Address = 0;
  private server: Ipv4Address = 0;
  private requestSentAt = 0;
  private now!: number; // set by poll(), which binds the socket replies come through
  private naksInARow = 0;

  constructor(private readonly host: DhcpHost, readonly hostname: string) {
    super();
  }

  private setState(s: string): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** ±1 s of jitter from the random source (RFC 2131 §4.1). */
  private jitter(): number {
    return (this.host.random.nextU32() % (2 * JITTER_MS + 1)) - JITTER_MS;
  }

  /**
   * The next retransmission: after the backoff (doubled first when `grow`, up to 64 s) with ±1 s of
   * jitter (RFC 2131 §4.1). Returns when it is due.
   */
  private retryAfterBackoff(now: number, grow: boolean): number {
    if (grow) this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    return (this.nextSendAt = now + this.backoffMs + this.jitter());
  }

  /** Back to INIT; the next DISCOVER goes out after `delayMs`. */
  private restart(now: number, delayMs: number = 0): void {
    this.stats.restarts++;
    this.offered = 0;
    this.server = 0;
    this.setState(DHCP_INIT);
    this.nextSendAt = now + delayMs;
  }

  poll(now: number): number {
    this.now = now;
    if (!this.socket) {
      const self = this;
      this.socket = this.host.udp.bind(DHCP_CLIENT_PORT, function (data: Uint8Array, rinfo: UdpRinfo): void {
        self.receive(data, rinfo);
      });
      if (!this.socket) {
        this.host.count('dhcp-no-socket');
        return now + 1000;
      }
    }
    const lease = this.lease;
    // Lease timers first (RFC 2131 §4.4.5).
    if (lease && (this.state === DHCP_BOUND || this.state === DHCP_RENEWING || this.state === DHCP_REBINDING)) {
      if (now >= lease.expiresAt) {
        this.lease = null;
        this.host.configure(null);
        this.emit('expired');
        this.restart(now);
      } else if (this.state === DHCP_BOUND && now >= lease.renewAt) {
        this.startRenewing(now);
      } else if (this.state === DHCP_RENEWING && now >= lease.rebindAt) {
        this.setState(DHCP_REBINDING);
        this.nextSendAt = now;
      }
    }
    if (this.state === DHCP_INIT) {
      if (now < this.nextSendAt) return this.nextSendAt;
      this.xid = this.host.random.nextU32();
      this.startedAt = now;
      this.backoffMs = BACKOFF_FIRST_MS / 2; // SELECTING doubles it: the first retransmission is after 4 s
      this.setState(DHCP_SELECTING); // which sends the first DISCOVER now
    }
    switch (this.state) {
      case DHCP_SELECTING:
        if (now >= this.nextSendAt) {
          this.send(DHCPDISCOVER, now);
          this.stats.discovers++;
          this.retryAfterBackoff(now, true);
        }
        return this.nextSendAt;
      case DHCP_REQUESTING:
        if (now >= this.nextSendAt) {
          if (this.tries >= REQUEST_TRIES) {
            this.restart(now);
            return now;
          }
          this.sendRequest(now);
          this.retryAfterBackoff(now, true);
        }
        return this.nextSendAt;
      case DHCP_BOUND:
        return lease ? lease.renewAt : Infinity;
      case DHCP_RENEWING:
      case DHCP_REBINDING: {
        if (!lease) return Infinity;
        const until = this.state === DHCP_RENEWING ? lease.rebindAt : lease.expiresAt;
        if (now >= this.nextSendAt) {
          this.sendRequest(now);
          // Half the time left until T2 (renewing) or expiry (rebinding), at least 60 s (RFC 2131 §4.4.5).
          this.nextSendAt = now + Math.max(RENEW_MIN_RETRY_MS, (until - now) / 2);
        }
        return Math.min(this.nextSendAt, until);
      }
      default:
        return Infinity;
    }
  }

  /** BOUND → RENEWING (RFC 2131 §4.4.5): a new transaction, the first REQUEST due at `at`. */
  private startRenewing(at: number): void {
    this.setState(DHCP_RENEWING);
    this.xid = this.host.random.nextU32();
    this.nextSendAt = at;
  }

  private sendRequest(now: number): void {
    this.tries++;
    this.requestSentAt = now;
    this.send(DHCPREQUEST, now);
    this.stats.requests++;
  }

  /**
   * Builds and sends one message of `type` for the current state (RFC 2131 §4.4.1 table 5). The message
   * and its buffer are made per message and let go after: a client sends a handful per lease, and a
   * bound client holding a 548-byte buffer and a message object all the time would cost ~80 blocks.
   */
  private send(type: number, now: number): void {
    const r = newDhcpRepr(); // a BOOTREQUEST, every other field zero or empty
    const st = this.state;
    r.xid = this.xid;
    r.secs = Math.min(0xffff, Math.floor((now - this.startedAt) / 1000));
    r.chaddr = this.host.mac;
    r.messageType = type;
    r.hostname = this.hostname;
    r.parameterRequestList = PARAMETER_REQUEST_LIST;
    let dst = BROADCAST;
    if (type === DHCPREQUEST) {
      if (st === DHCP_REQUESTING) {
        // SELECTING → REQUESTING: name the chosen server and the offered address.
        r.serverId = this.server;
        r.requestedIp = this.offered;
      } else {
        // RENEWING (unicast to the server) / REBINDING (broadcast): ciaddr set, no server id.
        r.ciaddr = this.host.address;
        if (st === DHCP_RENEWING && this.lease) dst = this.lease.server;
      }
    }
    const buf = new Uint8Array(MESSAGE_MAX);
    const n = emitDhcp(r, buf, 0);
    if (this.socket) this.socket.send(buf.subarray(0, n), DHCP_SERVER_PORT, dst);
  }

  private receive(data: Uint8Array, rinfo: UdpRinfo): void {
    if (rinfo.port !== DHCP_SERVER_PORT) { this.host.count('dhcp-bad-port'); return; }
    const m = parseDhcp(data, 0, data.length);
    if (typeof m === 'string') { this.host.count(m); return; }
    if (m.op !== BOOTREPLY || m.xid !== this.xid || !macEquals(m.chaddr, this.host.mac)) {
      this.host.count('dhcp-not-ours');
      return;
    }
    const now = this.now;
    const st = this.state;
    if (m.messageType === DHCPOFFER) {
      if (st !== DHCP_SELECTING || m.yiaddr === 0 || m.serverId === 0) { this.host.count('dhcp-unexpected'); return; }
      // RFC 2131 §4.4.1: the first acceptable offer is taken.
      this.stats.offers++;
      this.offered = m.yiaddr;
      this.server = m.serverId;
      this.tries = 0;
      this.backoffMs = BACKOFF_FIRST_MS;
      this.setState(DHCP_REQUESTING);
      this.sendRequest(now);
      this.retryAfterBackoff(now, false);
      return;
    }
    // NAK and ACK answer a REQUEST: only expected while one is outstanding.
    if (m.messageType !== DHCPNAK && m.messageType !== DHCPACK ||
        st !== DHCP_REQUESTING && st !== DHCP_RENEWING && st !== DHCP_REBINDING) {
      this.host.count('dhcp-unexpected');
      return;
    }
    if (m.messageType === DHCPNAK) {
      // RFC 2131 §4.4.1/§4.4.5: on DHCPNAK the client restarts the configuration process. A server
      // that keeps refusing would make that a tight loop: wait 2 s, doubling per NAK in a row, ≤ 64 s.
      this.stats.naks++;
      this.naksInARow++;
      this.emit('nak');
      if (this.lease) {
        this.lease = null;
        this.host.configure(null);
      }
      this.restart(now, Math.min(BACKOFF_MAX_MS, NAK_DELAY_MS * (1 << Math.min(this.naksInARow - 1, 20))));
      return;
    }
    // DHCPACK
    if (m.yiaddr === 0 || (st === DHCP_REQUESTING && m.yiaddr !== this.offered)) { this.host.count('dhcp-bad-ack'); return; }
    this.stats.acks++;
    this.bind(m, this.requestSentAt);
  }

  /** Takes the lease in `m`; times count from when the request was sent (RFC 2131 §4.4.1). */
  private bind(m: DhcpRepr, t0: number): void {
    const leaseS = m.leaseTime || 3600;
    let renewAt = Infinity;
    let rebindAt = Infinity;
    let expiresAt = Infinity;
    if (leaseS !== INFINITE_LEASE) {
      // RFC 2131 §4.4.5: T1 defaults to 0.5 × lease, T2 to 0.875 × lease.
      const t1 = m.renewalTime && m.renewalTime < leaseS ? m.renewalTime : leaseS * 0.5;
      const t2 = m.rebindingTime && m.rebindingTime < leaseS && m.rebindingTime >= t1 ? m.rebindingTime : leaseS * 0.875;
      renewAt = t0 + t1 * 1000;
      rebindAt = t0 + Math.max(t1, t2) * 1000;
      expiresAt = t0 + leaseS * 1000;
    }
    const prefix = m.subnetMask ? maskToPrefix(m.subnetMask) : 24;
    const server = m.serverId || (this.lease ? this.lease.server : this.server);
    const old = this.lease;
    const lease: DhcpLease = {
      address: m.yiaddr, prefixLength: prefix, gateway: m.router, dns: m.dnsServers.slice(0), server,
      leaseTime: leaseS, renewAt, rebindAt, expiresAt,
    };
    this.lease = lease;
    this.tries = 0;
    this.naksInARow = 0;
    this.setState(DHCP_BOUND);
    if (!old || old.address !== lease.address || old.prefixLength !== lease.prefixLength || old.gateway !== lease.gateway ||
        old.dns.join(',') !== lease.dns.join(',')) {
      this.host.configure(lease); // (an Ipv4Config: configure reads those fields and copies the DNS list)
    }
    this.emit('bound', lease);
  }
}
