// The stack facade: one Interface (Ethernet, ARP, IPv4, ICMP, UDP, DHCP, DNS) with TCP plugged in,
// and the Node-like entry points applications use. Driven by poll(nowMs) like every layer below.
//
//   const stack = new Stack({ device, random, ipv4: { address, prefixLength: 24, gateway } });
//   stack.createServer(80, (sock) => sock.on('data', (d) => sock.write(d)));
//   const c = stack.connect({ host: 'example.com', port: 80 });
//   loop: next = stack.poll(nowMs) — call again by `next` (ms), or sooner when the chip signals a frame.
import { Interface, InterfaceOptions, InterfaceCounters } from './iface/interface';
import { Tcp } from './tcp/tcp';
import { TcpConfig } from './tcp/config';
import { TcpSocket } from './tcp/socket';
import { TcpListener } from './tcp/listener';
import { TcpCounters } from './tcp/hosts';
import { SocketBuffers } from './socket-api';
import { parseIpv4Address } from './wire/ipv4-address';
import { setNativeWordSum } from './wire/checksum';
import { WordSum } from './ports';

/** The interface's options (device, random, ipv4 | dhcp, hostname, limits) plus TCP's. */
export interface StackOptions extends InterfaceOptions {
  tcp?: Partial<TcpConfig>;
  /**
   * The platform's native word sum for checksums (`E.sum` on Espruino, tcp/ports.ts); without it they
   * sum in JavaScript. Installed for every checksum in the process (tcp/wire/checksum.ts keeps one).
   */
  wordSum?: WordSum;
}

export interface ConnectTarget {
  /** A dotted quad, or a name resolved through the interface's DNS client. */
  host: string;
  port: number;
  localPort?: number;
}

export interface ServerOptions extends SocketBuffers {
  backlog?: number;
}

export class Stack {
  readonly iface: Interface;
  readonly tcp: Tcp;

  constructor(o: StackOptions) {
    if (o.wordSum) setNativeWordSum(o.wordSum);
    this.iface = new Interface({
      device: o.device, random: o.random, ipv4: o.ipv4, dhcp: o.dhcp, hostname: o.hostname, limits: o.limits,
      onInternalError: o.onInternalError, onAppError: o.onAppError,
    });
    this.tcp = new Tcp(o.random, o.tcp);
    this.tcp.onAppError = o.onAppError || null;
    this.iface.addTransport(this.tcp);
  }

  /** Runs everything that is due; returns when (ms) to call again at the latest. */
  poll(nowMs: number): number {
    return this.iface.poll(nowMs);
  }

  /** Listens on `port`; 'connection' gets each established socket. */
  createServer(port: number, onConnection?: (sock: TcpSocket) => void, opts?: ServerOptions): TcpListener {
    return this.tcp.listen(port, onConnection, opts);
  }

  /**
   * Opens a connection. The socket is returned at once; 'connect' follows, or 'error' (a name that
   * does not resolve is reported as EHOSTUNREACH).
   */
  connect(target: ConnectTarget, opts?: SocketBuffers): TcpSocket {
    const quad = parseIpv4Address(target.host);
    if (quad !== -1) return this.tcp.connect(quad, target.port, { rxBytes: opts && opts.rxBytes, txBytes: opts && opts.txBytes, localPort: target.localPort });
    const sock = this.tcp.createSocket(opts);
    const tcp = this.tcp;
    this.iface.dns.resolve(target.host, function (err: Error | null, address: number): void {
      if (sock.closed) return;
      if (err) tcp.fail(sock, 'EHOSTUNREACH');
      else tcp.open(sock, address, target.port, target.localPort);
    });
    return sock;
  }

  /** Counters of both layers, for a status page. */
  counters(): { iface: InterfaceCounters; tcp: TcpCounters } {
    return { iface: this.iface.counters, tcp: this.tcp.counters };
  }
}
