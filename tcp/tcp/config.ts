// TCP configuration: every tunable in one place, with defaults sized for a small device.
import { SocketBuffers } from '../socket-api';

export interface TcpConfig extends SocketBuffers {
  /** Receive buffer per connection (bytes). The advertised window follows its free space. */
  rxBytes: number;
  /** Send buffer per connection (bytes). */
  txBytes: number;
  /** Upper bound on the MSS we announce and use (the MTU bounds it too). */
  mss: number;
  /**
   * Maximum segment lifetime in ms. TIME_WAIT lasts 2×MSL (RFC 9293 §3.4.2). RFC 793 suggested
   * 2 minutes; a device with a handful of connection slots cannot hold one that long, so the default
   * is 5 s (TIME_WAIT 10 s). Old duplicates from a previous incarnation are still rejected by the
   * ISN generator's clock component (RFC 6528) for reconnects within that time.
   */
  mslMs: number;
  /** RFC 6298 §2.1 initial RTO, §2.4 minimum, §2.5 maximum (ms). */
  initialRtoMs: number;
  minRtoMs: number;
  maxRtoMs: number;
  /** Retransmissions of a data segment or FIN (or zero-window probes without answer) before ETIMEDOUT. */
  maxRetries: number;
  /** Retransmissions of a SYN or SYN|ACK before giving up. */
  synRetries: number;
  /** Connections (all states but TIME_WAIT) at once. */
  maxConnections: number;
  /** Per listener: half-open (SYN_RECEIVED) connections, and accepted ones not yet taken. */
  backlog: number;
  /** Compact TIME_WAIT entries kept; the oldest is reclaimed when full. */
  timeWaitSlots: number;
  /** Out-of-order ranges held per connection. */
  reassemblyRanges: number;
  /** FIN_WAIT_2 lasts at most this long (ms) before the connection is dropped; 0 = forever. */
  finWait2TimeoutMs: number;
  /**
   * Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2): a lone in-order segment is acknowledged within
   * this many ms (or with the next segment we send); every second segment is acknowledged at once.
   * 0 acknowledges every segment immediately.
   */
  delayedAckMs: number;
  /**
   * Keep-alive (off unless the application calls setKeepAlive(true, delay)): idle time before the
   * first probe when no delay is given (RFC 1122 §4.2.3.6: at least two hours by default), interval
   * between unanswered probes, and how many go unanswered before ETIMEDOUT.
   */
  keepAliveIdleMs: number;
  keepAliveIntervalMs: number;
  keepAliveProbes: number;
  /**
   * Pacing: at most `maxBurst` segments per connection in each `burstIntervalMs`. A burst lands in
   * the receiver's frame buffer back to back: an ENC28J60 has about 6 KB of receive ring, a W5500 in
   * MACRAW mode 16 KB, so 4 full-sized frames (6 KB) do not overrun the smaller one; the interval
   * gives the receiver time to drain its ring over SPI before the next burst (poll() returns when
   * that is due, so a fast host does not send everything back to back). 4 per 2 ms is ~2.9 MB/s per
   * connection, above what either chip moves. burstIntervalMs 0: the next burst at the next poll.
   */
  maxBurst: number;
  burstIntervalMs: number;
  /**
   * Bound on what write() holds by reference beyond a full send buffer, once a chunk is already held:
   * bytes, and separate chunks (each costs an object besides its bytes). The first held chunk is
   * always taken, whatever its size, so writers that wait for 'drain' after write() returned false
   * never hit the bound. A write that would pass either is refused whole: it returns false and emits
   * 'error' ENOBUFS; the connection and the data accepted before go on. 64 KB suits hosts; a device
   * configuration may lower it to what its heap can spare.
   */
  maxPendingWriteBytes: number;
  maxPendingWrites: number;
  /** Answer SYNs with SYN cookies when a listener's half-open backlog is full (syn-cookies.ts). */
  synCookies: boolean;
  /**
   * A connection the application marked evictable (setEvictable) may be ended for a new one only after
   * this long without a segment from its peer: a client that is working (sending, or acknowledging a
   * download) is never pushed out, while one that trickles a header line every few seconds (slowloris)
   * or reads a response at a crawl is.
   */
  evictQuietMs: number;
  /** Offer/accept window scaling (RFC 7323 §2); it only matters for buffers above 64 KB. */
  windowScaling: boolean;
  /** Offer/accept SACK-permitted and send SACK blocks for held out-of-order data (RFC 2018). */
  sack: boolean;
  /** Ephemeral port range for active opens (RFC 6335 §6). */
  ephemeralLow: number;
  ephemeralHigh: number;
}

export const TCP_DEFAULTS: TcpConfig = {
  rxBytes: 2048,
  txBytes: 2048,
  mss: 1460,
  mslMs: 5000,
  initialRtoMs: 1000,
  minRtoMs: 200,
  maxRtoMs: 60000,
  maxRetries: 8,
  synRetries: 5,
  maxConnections: 8,
  backlog: 4,
  timeWaitSlots: 8,
  reassemblyRanges: 4,
  finWait2TimeoutMs: 60000,
  delayedAckMs: 40,
  keepAliveIdleMs: 7200000,
  keepAliveIntervalMs: 10000,
  keepAliveProbes: 5,
  maxBurst: 4,
  burstIntervalMs: 2,
  maxPendingWriteBytes: 65536,
  maxPendingWrites: 64,
  synCookies: true,
  evictQuietMs: 2000,
  windowScaling: true,
  sack: true,
  ephemeralLow: 49152,
  ephemeralHigh: 65535,
};

/**
 * `base` with the fields given in `over` replacing its own. The result inherits from `base` (its
 * prototype) and holds only the overrides: every stack shares the one defaults object instead of
 * holding a copy of all its fields (a block per field name on Espruino). Nothing enumerates it.
 */
export function withConfig<T extends object>(base: T, over?: Partial<T>): T {
  const out = Object.create(base) as T;
  if (over) {
    const ok = Object.keys(over) as Array<keyof T>;
    for (let i = 0; i < ok.length; i++) if (over[ok[i]] !== undefined) out[ok[i]] = over[ok[i]] as T[keyof T];
  }
  return out;
}
