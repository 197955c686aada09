// UDP sockets (RFC 768) over the interface, small and Node-dgram-like:
//
//   const s = iface.udp.bind(5000, (data, rinfo) => { ... });   // or bind(0, ...) for an ephemeral port
//   s.send(bytesOrString, port, address);  // address: uint32 (tcp/wire/ipv4-address parseIpv4Address)
//   s.close();
//
// Receiving: with a callback, each datagram is delivered during `iface.poll()` as a VIEW into the
// receive frame buffer (`data`, valid only during the callback: copy to keep) and a reused `rinfo`
// object `{ address, port, size }` (also valid only during the callback). Without a callback,
// datagrams are COPIED into a bounded per-socket queue (`limits.udpRxQueue`; further ones are dropped
// and counted as `udp-rx-queue-full`) and read with `s.recv()` → `{ data, address, port } | null`.
import { Ipv4Address, IP_PROTO_UDP } from '../wire/reprs';
import { parseUdp, emitUdpHeader, newUdpRepr, UDP_HEADER_LEN, UdpRepr } from '../wire/udp';
import { IpSender } from './transport';

export interface UdpRinfo {
  address: Ipv4Address;
  port: number;
  size: number;
}

export interface UdpDatagram {
  data: Uint8Array;
  address: Ipv4Address;
  port: number;
}

export type UdpOnMessage = (data: Uint8Array, rinfo: UdpRinfo) => void;

/** What the UDP layer needs from the interface: its send path, a drop counter, randomness. */
export interface UdpHost extends IpSender {
  count(reason: string): void;
  randomU32(): number;
  /** A socket's message handler threw (counted as an app error). */
  appError(where: string, e: unknown): void;
}

export class UdpSocket {
  /** Bounded receive queue (used when there is no callback). */
  readonly queue: UdpDatagram[] = [];
  closed = false;

  constructor(private readonly layer: UdpLayer, readonly port: number, public onMessage: UdpOnMessage | null,
              readonly queueLimit: number) {}

  /** Sends `data` to `address:port`. True if it was sent or is waiting for ARP; false if dropped (counted). */
  send(data: Uint8Array | string, port: number, address: Ipv4Address): boolean {
    if (this.closed) return false;
    return this.layer.sendFrom(this.port, data, port, address);
  }

  /** The oldest queued datagram, or null. */
  recv(): UdpDatagram | null {
    return this.queue.length ? (this.queue.shift() as UdpDatagram) : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.layer.unbind(this);
  }
}

export class UdpLayer {
  readonly sockets: UdpSocket[] = [];
  // Reused for every datagram; made with the first one (a device with a static address and no name
  // lookups may never receive UDP).
  private repr: UdpRepr | null = null;
  private rinfo: UdpRinfo | null = null;

  constructor(private readonly host: UdpHost, readonly maxSockets: number, readonly queueLimit: number) {}

  /**
   * Opens a socket on `port` (0: a random free port in 49152..65535, RFC 6335 §6). Returns null when the
   * port is taken or the socket table is full (`limits.udpSockets`).
   */
  bind(port: number, onMessage?: UdpOnMessage | null): UdpSocket | null {
    if (this.sockets.length >= this.maxSockets) {
      this.host.count('udp-socket-table-full');
      return null;
    }
    if (port === 0) {
      // Random start, then a linear walk: bounded by the range size.
      const start = this.host.randomU32() % 16384;
      for (let k = 0; k < 16384; k++) {
        const p = 49152 + ((start + k) % 16384);
        if (!this.find(p)) { port = p; break; }
      }
      if (port === 0) return null;
    } else if (!(port > 0 && port < 65536) || this.find(port)) {
      return null;
    }
    const s = new UdpSocket(this, port, onMessage || null, this.queueLimit);
    this.sockets.push(s);
    return s;
  }

  find(port: number): UdpSocket | null {
    for (let i = 0; i < this.sockets.length; i++) if (this.sockets[i].port === port) return this.sockets[i];
    return null;
  }

  /** @internal */
  unbind(s: UdpSocket): void {
    const i = this.sockets.indexOf(s);
    if (i >= 0) this.sockets.splice(i, 1);
  }

  /** @internal Builds the datagram straight in the interface's transmit buffer. */
  sendFrom(srcPort: number, data: Uint8Array | string, dstPort: number, dst: Ipv4Address): boolean {
    const ip = this.host;
    const n = data.length;
    if (UDP_HEADER_LEN + n > ip.maxTransportLength()) {
      // We do not fragment (see interface.ts): the datagram must fit one packet.
      this.host.count('udp-tx-too-big');
      return false;
    }
    if (!(dstPort > 0 && dstPort < 65536)) {
      this.host.count('udp-tx-bad-port');
      return false;
    }
    const off = ip.beginDatagram(dst, IP_PROTO_UDP);
    if (off < 0) return false; // counted by the interface
    const buf = ip.txBuffer;
    if (typeof data === 'string') {
      // Strings go out one byte per char code (as the socket API does); not a data-path hot spot.
      for (let i = 0; i < n; i++) buf[off + UDP_HEADER_LEN + i] = data.charCodeAt(i) & 255;
    } else {
      buf.set(data, off + UDP_HEADER_LEN);
    }
    emitUdpHeader(buf, off, srcPort, dstPort, n, ip.localAddress(), dst);
    return ip.commitDatagram(UDP_HEADER_LEN + n);
  }

  /**
   * A UDP datagram for us (the IP payload at buf[off .. off+len)). Returns false when no socket is bound
   * to its port (the interface then answers with ICMP port unreachable), true otherwise.
   */
  deliver(src: Ipv4Address, dst: Ipv4Address, buf: Uint8Array, off: number, len: number): boolean {
    const r = parseUdp(buf, off, len, src, dst, this.repr || (this.repr = newUdpRepr()));
    if (typeof r === 'string') {
      this.host.count(r);
      return true;
    }
    if (r.srcPort === 0) {
      // Replies could not be sent to port 0; such datagrams are malformed for our purposes.
      this.host.count('udp-src-port-zero');
      return true;
    }
    const s = this.find(r.dstPort);
    if (!s) {
      this.host.count('udp-no-socket');
      return false;
    }
    this.host.count('udp-rx');
    if (s.onMessage) {
      const ri = this.rinfo || (this.rinfo = { address: 0, port: 0, size: 0 });
      ri.address = src;
      ri.port = r.srcPort;
      ri.size = r.payloadLength;
      try {
        s.onMessage(buf.subarray(r.payloadOffset, r.payloadOffset + r.payloadLength), ri);
      } catch (e) {
        this.host.appError('udp :' + r.dstPort, e); // counted; the datagram was delivered once, as it came
      }
      return true;
    }
    if (s.queue.length >= s.queueLimit) {
      this.host.count('udp-rx-queue-full');
      return true;
    }
    s.queue.push({ data: new Uint8Array(buf.subarray(r.payloadOffset, r.payloadOffset + r.payloadLength)), address: src, port: r.srcPort });
    return true;
  }
}
