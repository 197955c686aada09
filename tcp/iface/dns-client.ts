// The DNS stub resolver (RFC 1035; RFC 1123 §6.1.3): A lookups over UDP to the configured servers,
// with retries across servers, a per-try timeout, a small cache honouring TTLs (RFC 1035 §3.2.1), and
// CNAME chains followed (RFC 1034 §3.6.2; a chain that ends without an address is queried again for
// its last name, at most MAX_CNAME_REQUERIES times). Compression pointers are parsed by
// tcp/wire/dns.ts (backward only, bounded).
//
//   iface.dns.resolve('example.com', (err, address) => { ... });
//
// `address` is a uint32 (tcp/wire/ipv4-address formatIpv4 prints it). A dotted quad, or a cached
// name, is answered at once (synchronously). Errors are `new Error(code)` with code one of:
// 'EBADNAME' (not encodable), 'ENOSERVER' (no DNS server configured), 'EBUSY' (too many lookups in
// progress, `limits.dnsPending`), 'ENOTFOUND' (NXDOMAIN or no address), 'ESERVFAIL' (other server
// errors or a truncated answer without an address), 'ETIMEOUT' (no answer after every try).
import { Ipv4Address } from '../wire/reprs';
import { parseIpv4Address } from '../wire/ipv4-address';
import { emitDnsQuery, parseDnsResponse, DNS_PORT, DNS_TYPE_A, DNS_TYPE_CNAME, DnsResponse } from '../wire/dns';
import { udpSrcPort, udpDstPort } from '../wire/udp';
import { emptyArray } from '../wire/bytes';
import { UdpSocket, UdpRinfo } from './udp';
import { InterfaceLimits } from './config';

export type DnsCallback = (err: Error | null, address: Ipv4Address) => void;

const MAX_CNAME_REQUERIES = 4;
const MAX_CHAIN = 8;

interface CacheEntry {
  name: string;
  address: Ipv4Address;
  expiresAt: number;
}

interface Query {
  /** The name asked for by the application (lower case, no trailing dot). */
  name: string;
  /** The name in the current question (differs after following a CNAME). */
  qname: string;
  id: number;
  tries: number;
  server: Ipv4Address;
  deadline: number;
  requeries: number;
  callbacks: DnsCallback[];
}

/** What the resolver needs from the interface. */
export interface DnsHost {
  readonly limits: InterfaceLimits;
  readonly dnsServers: Ipv4Address[];
  readonly now: number;
  /** When the interface next polls the client (Interface.dnsAt): set to 0 when a query's deadline moves. */
  dnsAt: number;
  readonly random: { nextU32(): number };
  readonly udp: { bind(port: number, onMessage: (data: Uint8Array, rinfo: UdpRinfo) => void): UdpSocket | null };
  count(reason: string): void;
  /** An application callback threw (counted as an app error; the other callbacks still run). */
  appError(where: string, e: unknown): void;
}

function normalize(name: string): string {
  let n = name.toLowerCase();
  if (n.length > 0 && n.charAt(n.length - 1) === '.') n = n.substring(0, n.length - 1);
  return n;
}

export class DnsClient {
  readonly cache: CacheEntry[] = [];
  readonly pending: Query[] = [];
  private socket: UdpSocket | null = null;
  /** Query buffer while lookups are in progress (none is held between them: lookups are rare). */
  private scratchBuf: Uint8Array | null = null;

  constructor(private readonly host: DnsHost) {}

  private get scratch(): Uint8Array {
    if (!this.scratchBuf) this.scratchBuf = new Uint8Array(300);
    return this.scratchBuf;
  }

  /** Looks `name` up (A record). See the top of this file for the errors. */
  resolve(name: string, cb: DnsCallback): void {
    const quad = parseIpv4Address(name);
    if (quad !== -1) { cb(null, quad); return; }
    const n = normalize(name);
    const now = this.host.now;
    const hit = this.lookupCache(n, now);
    if (hit !== -1) { cb(null, hit); return; }
    for (let i = 0; i < this.pending.length; i++) {
      if (this.pending[i].name === n) { this.pending[i].callbacks.push(cb); return; }
    }
    let err = '';
    if (typeof emitDnsQuery(this.scratch, 0, 0, n, DNS_TYPE_A) === 'string') err = 'EBADNAME';
    else if (this.host.dnsServers.length === 0) err = 'ENOSERVER';
    else if (this.pending.length >= this.host.limits.dnsPending) { this.host.count('dns-busy'); err = 'EBUSY'; }
    else if (!this.ensureSocket()) err = 'EBUSY';
    else {
      const q: Query = { name: n, qname: n, id: 0, tries: 0, server: 0, deadline: 0, requeries: 0, callbacks: [cb] };
      if (this.send(q, now)) {
        this.pending.push(q);
        return;
      }
      err = 'EBADNAME';
    }
    if (this.pending.length === 0) this.scratchBuf = null;
    cb(new Error(err), 0);
  }

  /** The cached address for `name`, or -1. */
  lookupCache(name: string, now: number): number {
    const c = this.cache;
    for (let i = 0; i < c.length; i++) {
      if (c[i].name === name) {
        if (now < c[i].expiresAt) return c[i].address;
        c.splice(i, 1);
        return -1;
      }
    }
    return -1;
  }

  /** Forgets every cached answer. */
  flush(): void {
    emptyArray(this.cache);
  }

  private ensureSocket(): boolean {
    if (this.socket) return true;
    const self = this;
    this.socket = this.host.udp.bind(0, function (data: Uint8Array, rinfo: UdpRinfo): void { self.receive(data, rinfo); });
    return this.socket !== null;
  }

  /** Sends the next try of `q` (server chosen round-robin by try). False if the name cannot be encoded. */
  private send(q: Query, now: number): boolean {
    const servers = this.host.dnsServers;
    if (servers.length === 0 || !this.socket) return false;
    q.id = this.host.random.nextU32() & 0xffff;
    q.server = servers[q.tries % servers.length];
    q.tries++;
    q.deadline = now + this.host.limits.dnsTimeoutMs;
    this.host.dnsAt = 0; // (poll, when it is the caller, sets it after)
    const n = emitDnsQuery(this.scratch, 0, q.id, q.qname, DNS_TYPE_A);
    if (typeof n === 'string') return false;
    this.host.count('dns-queries-sent');
    this.socket.send(this.scratch.subarray(0, n), DNS_PORT, q.server);
    return true;
  }

  private finish(q: Query, err: Error | null, address: Ipv4Address): void {
    const i = this.pending.indexOf(q);
    if (i >= 0) this.pending.splice(i, 1);
    if (this.pending.length === 0) this.scratchBuf = null;
    for (let k = 0; k < q.callbacks.length; k++) {
      try {
        q.callbacks[k](err, address);
      } catch (e) {
        this.host.appError('dns', e);
      }
    }
  }

  /** Retries and timeouts. Returns the next deadline. */
  poll(now: number): number {
    let next = Infinity;
    const l = this.host.limits;
    for (let i = 0; i < this.pending.length;) {
      const q = this.pending[i];
      if (now >= q.deadline) {
        const servers = this.host.dnsServers.length;
        if (servers === 0 || q.tries >= l.dnsTries * servers) {
          this.host.count('dns-timeouts');
          this.finish(q, new Error('ETIMEOUT'), 0);
          continue; // finish removed it
        }
        this.send(q, now);
      }
      if (q.deadline < next) next = q.deadline;
      i++;
    }
    return next;
  }

  /** ICMP port/host unreachable for a datagram we sent to `dst`: try the next server at once. */
  unreachable(dst: Ipv4Address, buf: Uint8Array, off: number, len: number): void {
    if (!this.socket || len < 8) return;
    if (udpSrcPort(buf, off) !== this.socket.port || udpDstPort(buf, off) !== DNS_PORT) return;
    for (let i = 0; i < this.pending.length; i++) if (this.pending[i].server === dst) this.pending[i].deadline = this.host.dnsAt = 0;
  }

  private receive(data: Uint8Array, rinfo: UdpRinfo): void {
    if (rinfo.port !== DNS_PORT) { this.host.count('dns-bad-port'); return; }
    const r = parseDnsResponse(data, 0, data.length);
    if (typeof r === 'string') { this.host.count(r); return; }
    let q: Query | null = null;
    for (let i = 0; i < this.pending.length; i++) {
      // RFC 5452 §9.1: accept only the ID we sent, from the server we sent it to.
      if (this.pending[i].id === r.id && this.pending[i].server === rinfo.address) { q = this.pending[i]; break; }
    }
    if (!q) { this.host.count('dns-unexpected'); return; }
    this.answer(q, r);
  }

  private answer(q: Query, r: DnsResponse): void {
    const now = this.host.now;
    if (r.rcode === 3) { this.finish(q, new Error('ENOTFOUND'), 0); return; }
    if (r.rcode !== 0) { this.finish(q, new Error('ESERVFAIL'), 0); return; }
    // Follow the chain from the question's name: A for it, or a CNAME to the next name.
    let cur = q.qname;
    let ttl = this.host.limits.dnsMaxTtlS;
    let address = -1;
    for (let hop = 0; hop < MAX_CHAIN && address === -1; hop++) {
      let next: string | null = null;
      for (let i = 0; i < r.answers.length; i++) {
        const a = r.answers[i];
        if (a.name.toLowerCase() !== cur) continue;
        if (a.type === DNS_TYPE_A && a.address !== undefined) {
          address = a.address;
          ttl = Math.min(ttl, a.ttl);
          break;
        }
        if (a.type === DNS_TYPE_CNAME && a.target !== undefined && next === null) {
          next = a.target.toLowerCase();
          ttl = Math.min(ttl, a.ttl);
        }
      }
      if (address !== -1 || next === null) break;
      cur = next;
    }
    if (address !== -1) {
      this.store(q.name, address >>> 0, now + ttl * 1000);
      this.finish(q, null, address >>> 0);
      return;
    }
    if (cur !== q.qname && q.requeries < MAX_CNAME_REQUERIES && !r.truncated) {
      // The server gave the alias but not the address: ask for the canonical name.
      q.requeries++;
      q.qname = cur;
      q.tries = 0;
      if (this.send(q, now)) return;
    }
    this.finish(q, new Error(r.truncated ? 'ESERVFAIL' : 'ENOTFOUND'), 0);
  }

  private store(name: string, address: Ipv4Address, expiresAt: number): void {
    if (!(expiresAt > this.host.now)) return; // TTL 0: use once, do not cache (RFC 1035 §3.2.1)
    const c = this.cache;
    for (let i = 0; i < c.length; i++) if (c[i].name === name) { c.splice(i, 1); break; }
    if (c.length >= this.host.limits.dnsCacheSize) {
      // Evict the entry that expires first.
      let v = 0;
      for (let i = 1; i < c.length; i++) if (c[i].expiresAt < c[v].expiresAt) v = i;
      c.splice(v, 1);
    }
    c.push({ name, address, expiresAt });
  }
}
