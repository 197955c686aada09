// The seam between the IP layer (tcp/iface/) and transport protocols (UDP, TCP in tcp/tcp/).
// The interface owns one transmit frame buffer; a transport writes its header and data straight into
// it (no copies, no allocation per segment) and commits.
import { Ipv4Address } from '../wire/reprs';

export interface IpSender {
  /** Our address (0 while unconfigured). */
  localAddress(): Ipv4Address;
  /** Largest transport datagram (header + data) that fits in one IP packet without fragmenting. */
  maxTransportLength(): number;
  /**
   * Starts an IPv4 datagram to `dst` with protocol `protocol`. Returns the offset in `txBuffer` where
   * the transport header must be written, or -1 if nothing can be sent to `dst` now (e.g. no route,
   * ARP queue full; the reason is counted by the interface).
   */
  beginDatagram(dst: Ipv4Address, protocol: number): number;
  /** The buffer `beginDatagram` returned an offset into; valid until `commitDatagram`. */
  readonly txBuffer: Uint8Array;
  /**
   * A DataView of `txBuffer` (made once), for writing header fields natively. Espruino compares typed
   * arrays by content, so a view cannot be looked up by its buffer cheaply: it is handed over with it.
   */
  readonly txView: DataView;
  /** Finishes the datagram begun last with `length` transport bytes (header + data) and sends it. */
  commitDatagram(length: number): boolean;
}

/** A transport protocol handler registered with the interface. */
export interface Transport {
  readonly protocol: number;
  /**
   * A datagram for us. `buf[off .. off+len)` is the transport header and data (a view valid only
   * during this call). `src`/`dst` come from the validated IPv4 header (pseudo-header checksum).
   */
  receive(src: Ipv4Address, dst: Ipv4Address, buf: Uint8Array, off: number, len: number, nowMs: number): void;
  /** An ICMP destination-unreachable for a datagram we sent (`code` per RFC 792), optional. */
  unreachable?(dst: Ipv4Address, code: number, original: Uint8Array, off: number, len: number): void;
  /** Sends whatever is due. Returns the next time (ms) it needs polling, or Infinity. */
  poll(nowMs: number, ip: IpSender): number;
}
