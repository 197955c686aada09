// What a board's firmware holds in Espruino blocks, estimated from the live objects of the very code the
// board runs: firmware/device.ts (the Stack with the board's buffers and limits, and its apps) built from
// the board's preset, on a virtual wire with a second stack as the client. Code is not included (the
// size report adds it from the bundle). The cost model is tools/model/espruino-memory.ts.
import { Device } from '../../firmware/device';
import { boardConfig } from '../../firmware/boards';
import { BoardConfig } from '../../firmware/config';
import { Stack } from '../../tcp/stack';
import { TcpSocketApi } from '../../tcp/socket-api';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { estimateBlocks, byteArrayBlocks } from './espruino-memory';
import { openEchoConnection, openHttpConnection } from './memory-scenario';
import { HttpServer } from '../../firmware/http/server';

export interface BoardMemory {
  board: string;
  /** The Device idle: stack, apps, listeners, no connection (a static address). */
  idleBlocks: number;
  /** The DHCP client's own state, included in idleBlocks for a DHCP board (0 otherwise). */
  dhcpBlocks: number;
  /** Added by one established, idle connection to the echo app (both socket buffers included). */
  perTcpConnectionBlocks: number;
  /** Added by one idle keep-alive HTTP connection after a request. */
  perHttpConnectionBlocks: number;
  /** The two socket buffers of a connection at this board's sizes (part of the above). */
  bufferBlocks: number;
  /**
   * Added by one echo connection at its fullest: its client sent a whole receive buffer and stopped
   * reading, so both buffers are full, a write is held, and the echo app's copy of a chunk (held by its
   * closure, which the walk cannot see: added as a buffer of the receive size) exists.
   */
  busyEchoConnectionBlocks: number;
  /** Added by one HTTP connection that asked for the status page (`GET /`) and stopped reading. */
  busyHttpConnectionBlocks: number;
  /** The most one connection can hold (the larger of the two above): what every open connection may cost. */
  worstConnectionBlocks: number;
  maxConnections: number;
}

const DEVICE_IP = '10.9.0.2';

function rig(config: BoardConfig, seed: number) {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, {});
  const frames = new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 2]), wire.a);
  const random = new SeededRandom(seed);
  const device = new Device({ config, device: frames, random, nowMs: () => clock.nowMs() });
  const client = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 1]), wire.b), random: new SeededRandom(seed + 1),
    ipv4: { address: parseIpv4Address('10.9.0.1') as number, prefixLength: 24 },
  });
  const run = (done: () => boolean, maxSteps: number): void => {
    for (let i = 0; i < maxSteps && !done(); i++) {
      const now = clock.nowMs();
      const t = Math.min(device.poll(now), client.poll(now), wire.nextDeliveryMs(), now + 5);
      clock.advanceTo(t > now ? t : now + 0.01);
    }
  };
  return { device, client, run, exclude: [frames, random] as unknown[] };
}

export function boardMemory(board: string | BoardConfig, nameLength?: (name: string) => number): BoardMemory {
  const preset = typeof board === 'string' ? boardConfig(board) : board;
  if (!preset) throw new Error('unknown board ' + board);
  const walk = (root: unknown, exclude: unknown[], seen = new Set<unknown>()): number =>
    estimateBlocks(root, seen, { exclude, nameLength } as { exclude: unknown[] });
  // The DHCP client's state, from the board's own configuration (no server answers: it keeps trying).
  let dhcpBlocks = 0;
  if (preset.ipv4 === 'dhcp') {
    const d = rig(preset, 5);
    d.run(() => false, 200);
    dhcpBlocks = walk(d.device.stack.iface.dhcp, d.exclude.concat([d.device.stack.iface]));
  }
  const config: BoardConfig = Object.assign({}, preset, {
    ipv4: { address: DEVICE_IP, prefixLength: 24, gateway: '', dns: [] },
  });
  const r = rig(config, 7);
  // An HTTP connection's state is held only by its socket's listener closures, which a walk of the
  // objects cannot see into (closures count as 6 blocks each): collect it as a root of its own.
  // (The prototype is wrapped, not the instance, so that the walk sees the device's objects unchanged.)
  const held: object[] = [];
  const proto = HttpServer.prototype;
  const handle = proto.handle;
  proto.handle = function (this: HttpServer, sock: TcpSocketApi): object { const c = handle.call(this, sock); held.push(c); return c; };
  const measure = (): number => {
    const seen = new Set<unknown>();
    return walk(r.device, r.exclude, seen) + walk(held, r.exclude, seen) - 1 - held.length + dhcpBlocks; // not the array itself
  };
  let idle = 0;
  let oneTcp = 0;
  let plusHttp = 0;
  let busyEcho = 0;
  let busyHttp = 0;
  try {
    r.run(() => false, 50);
    idle = measure();
    const keep: TcpSocketApi[] = [];
    if (config.apps.echoPort) keep.push(openEchoConnection<TcpSocketApi>(r.client, DEVICE_IP, config.apps.echoPort, r.run));
    oneTcp = measure();
    if (config.apps.httpPort) keep.push(openHttpConnection<TcpSocketApi>(r.client, DEVICE_IP, config.apps.httpPort, r.run));
    plusHttp = measure();
    // Connections at their fullest, each measured on its own against the idle device.
    const stalled = (port: number, request: Uint8Array | string): TcpSocketApi => {
      const c = r.client.connect({ host: DEVICE_IP, port }, { rxBytes: 256 });
      c.on('connect', () => { c.pause(); c.write(request); });
      r.run(() => false, 4000);
      return c;
    };
    keep.forEach((c) => c.destroy());
    r.run(() => false, 4000);
    const base = measure();
    if (config.apps.echoPort) {
      const c = stalled(config.apps.echoPort, new Uint8Array(config.buffers.rxBytes));
      busyEcho = measure() - base + byteArrayBlocks(config.buffers.rxBytes);
      c.destroy();
      r.run(() => false, 4000);
    }
    if (config.apps.httpPort) {
      const base2 = measure();
      stalled(config.apps.httpPort, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      busyHttp = measure() - base2;
    }
  } finally {
    proto.handle = handle;
  }
  const b = config.buffers;
  return {
    board: preset.name,
    idleBlocks: idle,
    dhcpBlocks,
    perTcpConnectionBlocks: config.apps.echoPort ? oneTcp - idle : 0,
    perHttpConnectionBlocks: config.apps.httpPort ? plusHttp - oneTcp : 0,
    bufferBlocks: byteArrayBlocks(b.rxBytes) + byteArrayBlocks(b.txBytes),
    busyEchoConnectionBlocks: busyEcho,
    busyHttpConnectionBlocks: busyHttp,
    worstConnectionBlocks: Math.max(busyEcho, busyHttp, oneTcp - idle, plusHttp - oneTcp),
    maxConnections: b.maxConnections,
  };
}
