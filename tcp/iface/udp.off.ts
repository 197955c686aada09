// Built in place of udp.ts on a board where nothing uses UDP — a static address (no DHCP client), no
// name lookups and no NetworkJS (tools/build/profile.ts). No socket can be opened, so every datagram
// for us is answered with ICMP port unreachable by the interface (RFC 1122 §4.1.3.1), as udp.ts does for
// a port with no socket. Same exports as udp.ts.
import { Ipv4Address } from '../wire/reprs';
import type { UdpDatagram, UdpOnMessage, UdpHost } from './udp';

// The types are udp.ts's own (a type-only import: nothing of udp.ts is in the bundle).
export type { UdpRinfo, UdpDatagram, UdpOnMessage, UdpHost } from './udp';

/** Never made in this build (bind() always fails); here for the same exports. */
export class UdpSocket {
  constructor(readonly port: number) {}
  send(_data: Uint8Array | string, _port: number, _address: Ipv4Address): boolean { return false; }
  recv(): UdpDatagram | null { return null; }
  close(): void {}
}

export class UdpLayer {
  readonly sockets: UdpSocket[] = [];

  constructor(private readonly host: UdpHost, readonly maxSockets: number, readonly queueLimit: number) {}

  bind(_port: number, _onMessage?: UdpOnMessage | null): UdpSocket | null {
    this.host.count('udp-not-in-build');
    return null;
  }

  find(_port: number): UdpSocket | null {
    return null;
  }

  /** No socket to deliver to: false, so the interface answers with port unreachable. */
  deliver(_src: Ipv4Address, _dst: Ipv4Address, _buf: Uint8Array, _off: number, _len: number): boolean {
    this.host.count('udp-no-socket');
    return false;
  }
}
