// The interface's configuration, shared by tcp/iface/interface.ts and the DHCP and DNS clients it runs:
// every tunable with its default (InterfaceLimits, DEFAULT_LIMITS) and an IPv4 configuration (static, or
// a DHCP lease). Its own file so that the clients need not import the interface that imports them.
import { Ipv4Address } from '../wire/reprs';

/** Every tunable of the interface, with its default. */
export interface InterfaceLimits {
  /** Frames read from the device per poll() call (the rest wait for the next call, which is due at once). */
  rxFramesPerPoll: number;
  /** ARP cache entries. */
  arpCacheSize: number;
  /** How long a resolved entry is used (ms); RFC 1122 §2.3.2.1 wants a timeout, Linux uses ~60 s. */
  arpEntryTtlMs: number;
  /** A used entry this close to expiry is refreshed by a unicast request (RFC 1122 §2.3.2.1 "unicast poll"). */
  arpRefreshMs: number;
  /** Interval between requests while resolving (RFC 1122 §2.3.2.1: at most one per second per address). */
  arpRetryMs: number;
  /** Requests sent before giving up on an address. */
  arpRequests: number;
  /** Datagrams (in total) waiting for address resolution. */
  arpQueue: number;
  /** ICMP error messages: burst size, and one more token every `icmpErrorIntervalMs` (RFC 1812 §4.3.2.8). */
  icmpErrorBurst: number;
  icmpErrorIntervalMs: number;
  /** TTL of datagrams we send (RFC 1700 recommends 64). */
  ttl: number;
  /** UDP sockets at once, and datagrams queued per socket without a callback. */
  udpSockets: number;
  udpRxQueue: number;
  /** DNS: cache entries, queries in progress, per-try timeout, tries per server, longest TTL honoured (s). */
  dnsCacheSize: number;
  dnsPending: number;
  dnsTimeoutMs: number;
  dnsTries: number;
  dnsMaxTtlS: number;
}

export const DEFAULT_LIMITS: InterfaceLimits = {
  rxFramesPerPoll: 8,
  arpCacheSize: 8,
  arpEntryTtlMs: 60000,
  arpRefreshMs: 5000,
  arpRetryMs: 1000,
  arpRequests: 3,
  arpQueue: 4,
  icmpErrorBurst: 10,
  icmpErrorIntervalMs: 100,
  ttl: 64,
  udpSockets: 8,
  udpRxQueue: 4,
  dnsCacheSize: 8,
  dnsPending: 4,
  dnsTimeoutMs: 2000,
  dnsTries: 3,
  dnsMaxTtlS: 3600,
};

export interface Ipv4Config {
  address: Ipv4Address;
  prefixLength: number;
  gateway?: Ipv4Address;
  dns?: Ipv4Address[];
}
