// The platform-free firmware: given a frame device, a random source, a clock and a board
// configuration, builds the Stack and starts the apps (echo, HTTP, optionally the NetworkJS driver).
// firmware/main.ts uses it on Espruino; the host simulator uses exactly the same code over a chip model.
import { FrameDevice, RandomSource, WordSum } from '../tcp/ports';
import { Stack, StackOptions } from '../tcp/stack';
import { parseIpv4Address, formatIpv4 } from '../tcp/wire/ipv4-address';
import { BoardConfig } from './config';
import { macText } from './mac';
import { startEcho, EchoService } from './apps/echo';
import { startHttp, HttpApp, DeviceStatus } from './apps/http-app';
import { NetworkJsDriver, udpOverInterface } from './networkjs-driver';
import { ServerHost } from './apps/types';

export interface DeviceOptions {
  config: BoardConfig;
  device: FrameDevice;
  random: RandomSource;
  /** The platform's native word sum for checksums (E.sum on Espruino), if it has one (tcp/ports.ts). */
  wordSum?: WordSum;
  /** Milliseconds, for the uptime shown on the status page. */
  nowMs: () => number;
  /** Espruino's variable pool (process.memory()), or null where there is none. */
  memory?: () => { free: number; total: number; blockSize: number } | null;
  /** Where the firmware's console lines go (Espruino's print); internal errors are reported here. */
  log?: (line: string) => void;
}

/** How often the link state is read for the console's "link up" / "link down" lines. */
const LINK_CHECK_MS = 1000;

/** At most one console line about internal errors per this many ms (the rest are counted in it). */
const ERROR_LOG_INTERVAL_MS = 10000;

export class Device {
  readonly stack: Stack;
  readonly echo: EchoService | null = null;
  readonly http: HttpApp | null = null;
  /** The NetworkJS driver when `apps.networkJs` is on (register it with require("NetworkJS").create). */
  readonly networkJs: NetworkJsDriver | null = null;
  private readonly startMs: number;

  constructor(private readonly o: DeviceOptions) {
    const c = o.config;
    this.startMs = o.nowMs();
    // An exception the stack caught (its own, or an app callback's) is counted, shown on the status page,
    // and printed, at most once per ERROR_LOG_INTERVAL_MS with the number that came since: visible,
    // without flooding a slow console.
    let lastLogAt = -Infinity;
    let unlogged = 0;
    const logError = function (line: string): void {
      if (!o.log) return;
      const now = o.nowMs();
      if (now - lastLogAt < ERROR_LOG_INTERVAL_MS) { unlogged++; return; }
      lastLogAt = now;
      o.log(line + (unlogged ? ' (' + unlogged + ' more errors since the last report)' : ''));
      unlogged = 0;
    };
    const onInternalError = function (description: string): void { logError('internal error in ' + description); };
    const onAppError = function (description: string): void { logError('app error in ' + description); };
    // What write() may hold beyond a full send buffer is bounded by what a board can spare: an app that
    // honours backpressure holds at most one chunk (≤ the receive buffer, for echo) on top of it.
    const tcp = {
      maxConnections: c.buffers.maxConnections, backlog: c.buffers.backlog, rxBytes: c.buffers.rxBytes, txBytes: c.buffers.txBytes,
      maxPendingWriteBytes: c.buffers.rxBytes + c.buffers.txBytes, maxPendingWrites: 8, maxBurst: c.buffers.maxBurst,
    };
    const so: StackOptions = { device: o.device, random: o.random, wordSum: o.wordSum, hostname: c.hostname, tcp, onInternalError, onAppError };
    if (c.ipv4 === 'dhcp') {
      so.dhcp = true;
    } else {
      const s = c.ipv4;
      const dns: number[] = [];
      for (let i = 0; i < s.dns.length; i++) dns.push(parseIpv4Address(s.dns[i]) as number);
      so.ipv4 = { address: parseIpv4Address(s.address) as number, prefixLength: s.prefixLength, gateway: s.gateway ? parseIpv4Address(s.gateway) as number : 0, dns };
    }
    this.stack = new Stack(so);
    // The board's buffer sizes reach TCP by one road, the stack's configuration above: the apps listen
    // and connect without buffers of their own, so each connection gets the stack's rxBytes, txBytes
    // and backlog (an app may still pass its own: tcp/socket-api.ts SocketBuffers).
    const host: ServerHost = this.stack;
    const self = this;
    if (c.apps.echoPort) this.echo = startEcho(host, c.apps.echoPort);
    if (c.apps.httpPort) {
      this.http = startHttp(host, function () { return self.status(); }, {
        port: c.apps.httpPort, maxHeadBytes: c.buffers.httpHead, idleTimeoutMs: c.apps.httpIdleMs,
        blockBytes: c.buffers.bytesBlock, // (the app keeps its 1 KB default when the preset sets none)
      });
    }
    if (c.apps.networkJs) {
      // Its receive ring holds what a paused socket's receive buffer can: the stack's rxBytes.
      this.networkJs = new NetworkJsDriver(this.stack, { rxBytes: this.stack.tcp.config.rxBytes, udp: udpOverInterface(this.stack.iface.udp) });
    }
    // The console says when the address changes (a DHCP lease, its loss); the link is reported in poll().
    const log = o.log;
    if (log && c.ipv4 === 'dhcp') {
      this.stack.iface.on('config', function (cfg: { address: number; prefixLength: number; gateway: number } | null) {
        log(cfg ? 'DHCP lease: address ' + formatIpv4(cfg.address) + '/' + cfg.prefixLength +
          (cfg.gateway ? ', gateway ' + formatIpv4(cfg.gateway) : '') + (c.apps.httpPort ? ', status page http://' + formatIpv4(cfg.address) + '/' : '')
          : 'DHCP lease lost (asking again)');
      });
    }
  }

  /** When the link is next checked (at most once a second: on a W5500 it is an SPI read), and what it was. */
  private linkCheckAt = 0;
  private linkWas = -1;

  /** Runs the stack; returns the time (ms) by which it must run again. */
  poll(nowMs: number): number {
    if (nowMs >= this.linkCheckAt && this.o.log) {
      this.linkCheckAt = nowMs + LINK_CHECK_MS;
      const up = this.o.device.linkUp() ? 1 : 0;
      if (up !== this.linkWas) {
        // The first check reports only a link that is down (a cable not plugged in is the usual first problem).
        if (this.linkWas >= 0 || !up) this.o.log(up ? 'link up' : 'link down: check the Ethernet cable');
        this.linkWas = up;
      }
    }
    return this.stack.poll(nowMs);
  }

  status(): DeviceStatus {
    const c = this.o.config;
    const cfg = this.stack.iface.config();
    const counters: { [group: string]: { [name: string]: number } } = {};
    counters.device = this.o.device.counters as unknown as { [name: string]: number }; // FrameDeviceCounters
    counters.tcp = this.stack.tcp.counters as unknown as { [name: string]: number };
    // Only the interface counters that moved, so the page stays short.
    const ic = this.stack.iface.counters;
    const iface: { [name: string]: number } = {};
    const keys = Object.keys(ic);
    for (let i = 0; i < keys.length; i++) if (ic[keys[i]]) iface[keys[i]] = ic[keys[i]];
    counters.iface = iface;
    if (this.http) counters.http = this.http.http.counters as unknown as { [name: string]: number };
    if (this.echo) counters.echo = this.echo.counters as unknown as { [name: string]: number };
    return {
      board: c.description,
      chip: c.chip,
      uptimeMs: this.o.nowMs() - this.startMs,
      address: cfg ? formatIpv4(cfg.address) + '/' + cfg.prefixLength : '',
      gateway: cfg && cfg.gateway ? formatIpv4(cfg.gateway) : '',
      mac: macText(this.o.device.mac),
      dhcp: c.ipv4 === 'dhcp',
      link: this.o.device.linkUp(),
      connections: this.stack.tcp.sockets.length,
      counters,
      memory: this.o.memory ? this.o.memory() : null,
      internalErrors: this.stack.iface.counters['internal-errors'] || 0,
      lastInternalError: this.stack.iface.lastInternalError,
      appErrors: this.stack.tcp.counters.appErrors + (this.stack.iface.counters['app-errors'] || 0),
      lastAppError: this.stack.tcp.lastAppError || this.stack.iface.lastAppError,
    };
  }
}
