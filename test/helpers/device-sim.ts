// The firmware (firmware/device.ts) with a board preset's whole configuration (apps, buffers,
// connection limit, backlog) on a chip model or a plain frame device, and on the other end of a
// VirtualWire a hub with two hosts: the client (the users, CLIENT_IP) and an attacker (ATTACKER_IP),
// each a full Stack, all on one virtual clock. Raw frames can be put on the wire from that side too.
// For tests of what the device does under hostile traffic.
import { Stack } from '../../tcp/stack';
import { TcpSocketApi } from '../../tcp/socket-api';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { newFrameDeviceCounters } from '../../hal/interfaces';
import { FrameDevice, FrameDeviceCounters } from '../../tcp/ports';
import { WirePort } from '../../hal/sim/virtual-wire';
import { createSimChip } from '../../tools/sim/chip';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { Device } from '../../firmware/device';
import { boardConfig } from '../../firmware/boards';
import { BoardConfig } from '../../firmware/config';

export type SimChip = 'none' | 'w5500' | 'enc28j60';

export const DEVICE_IP = '10.0.2.15';
export const CLIENT_IP = '10.0.2.2';
export const DEVICE_MAC = new Uint8Array([2, 0, 0, 0, 0, 0x15]);
export const CLIENT_MAC = new Uint8Array([2, 0, 0, 0, 0, 2]);
export const ATTACKER_IP = '10.0.2.66';
export const ATTACKER_MAC = new Uint8Array([2, 0, 0, 0, 0, 0x66]);

/** One host's plug into a hub on a wire port: every frame that arrives is seen by every host. */
class HubFrameDevice implements FrameDevice {
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  readonly queue: Uint8Array[] = [];

  constructor(readonly mac: Uint8Array, private readonly port: WirePort) {}

  receive(buf: Uint8Array): number {
    const f = this.queue.shift();
    if (!f) return 0;
    buf.set(f, 0);
    this.counters.rxFrames++;
    return f.length;
  }

  send(frame: Uint8Array): boolean {
    this.port.send(frame);
    this.counters.txFrames++;
    return true;
  }

  linkUp(): boolean {
    return true;
  }
}

export interface DeviceSim {
  clock: VirtualClock;
  wire: VirtualWire;
  device: Device;
  config: BoardConfig;
  client: Stack;
  attacker: Stack;
  /** Connects the client to the device's `port`. */
  connect(port: number, opts?: { rxBytes?: number; txBytes?: number }): TcpSocketApi;
  /** Connects the attacker to the device's `port`. */
  attack(port: number, opts?: { rxBytes?: number; txBytes?: number }): TcpSocketApi;
  /** Puts a raw frame on the wire from the client's side (towards the device), padded to 60 bytes. */
  inject(frame: Uint8Array): void;
  /** Runs everything until `done()` or `ms` of virtual time have passed; true if `done()`. */
  run(ms: number, done?: () => boolean): boolean;
}

/**
 * `preset` as configured (apps, buffers, limits), on a static DEVICE_IP/24 (a DHCP preset would first
 * need a server), on `chip` (a driver over its register model) or `none` (a plain frame device).
 */
export function deviceSim(preset: string, chip: SimChip, seed = 1, imp: WireImpairments = { delayMs: 0.2 }): DeviceSim {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, imp);
  let dev: FrameDevice;
  let service = (): void => {};
  if (chip === 'none') {
    dev = new WireFrameDevice(DEVICE_MAC, wire.a);
  } else {
    const c = createSimChip(chip, clock, wire.a, DEVICE_MAC); // the simulator's own model + driver pairing
    dev = c.device;
    service = c.service;
  }
  const config = boardConfig(preset);
  if (!config) throw new Error('no preset ' + preset);
  config.ipv4 = { address: DEVICE_IP, prefixLength: 24, gateway: CLIENT_IP, dns: [] };
  const device = new Device({ config, device: dev, random: new SeededRandom(seed), nowMs: () => clock.nowMs() });
  const hosts = [new HubFrameDevice(CLIENT_MAC, wire.b), new HubFrameDevice(ATTACKER_MAC, wire.b)];
  wire.b.onFrame = (f: Uint8Array) => { for (const h of hosts) if (h.queue.length < 4096) h.queue.push(f); };
  const tcp = { maxConnections: 256, backlog: 16, rxBytes: 4096, txBytes: 4096, timeWaitSlots: 256 };
  const client = new Stack({ device: hosts[0], random: new SeededRandom(seed + 100), ipv4: { address: parseIpv4Address(CLIENT_IP) as number, prefixLength: 24 }, tcp });
  const attacker = new Stack({ device: hosts[1], random: new SeededRandom(seed + 200), ipv4: { address: parseIpv4Address(ATTACKER_IP) as number, prefixLength: 24 }, tcp });
  const run = (ms: number, done?: () => boolean): boolean => {
    const end = clock.nowMs() + ms;
    // Bounded in steps as well as in virtual time: a loop that stops advancing the clock ends too.
    for (let steps = 0; steps < 50_000_000; steps++) {
      if (done && done()) return true;
      const now = clock.nowMs();
      if (now >= end) return false;
      service();
      const t = Math.min(device.poll(now), client.poll(now), attacker.poll(now), wire.nextDeliveryMs(), now + 1, end);
      service();
      clock.advanceTo(t > now ? t : now + 0.01);
    }
    throw new Error('deviceSim.run: too many steps');
  };
  return {
    clock, wire, device, config, client, attacker, run,
    connect: (port, opts) => client.connect({ host: DEVICE_IP, port }, opts),
    attack: (port, opts) => attacker.connect({ host: DEVICE_IP, port }, opts),
    inject: (frame) => {
      // As a sending NIC does: pad to the 60-byte minimum (IEEE 802.3 §4.2.3.3); a W5500 drops runts.
      if (frame.length < 60) {
        const padded = new Uint8Array(60);
        padded.set(frame, 0);
        frame = padded;
      }
      wire.b.send(frame);
    },
  };
}

/** One probe of a service: a fresh connection, one exchange, closed; `ok` once the whole answer came. */
export interface Probe {
  ok: boolean;
  done: boolean;
  startedMs: number;
  finishedMs: number;
  detail: string;
}

/** A fresh `GET /` (Connection: close): ok when a 200 response has come whole and the device closed. */
export function probeHttp(sim: DeviceSim, port: number): Probe {
  const p: Probe = { ok: false, done: false, startedMs: sim.clock.nowMs(), finishedMs: 0, detail: '' };
  const s = sim.connect(port);
  let got = '';
  s.on('connect', () => { s.write('GET / HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n'); });
  s.on('data', (d: Uint8Array) => { if (got.length < 64) got += String.fromCharCode.apply(null, Array.prototype.slice.call(d.subarray(0, 64)) as number[]); });
  s.on('end', () => { s.end(); });
  s.on('error', (e: Error) => { p.detail = e.message; });
  s.on('close', () => {
    p.done = true;
    p.finishedMs = sim.clock.nowMs();
    p.ok = /^HTTP\/1\.1 200/.test(got);
    if (!p.ok && !p.detail) p.detail = JSON.stringify(got.slice(0, 40));
  });
  return p;
}

/** A fresh echo connection: sends a line, ok when the same line came back and the connection closed. */
export function probeEcho(sim: DeviceSim, port: number): Probe {
  const p: Probe = { ok: false, done: false, startedMs: sim.clock.nowMs(), finishedMs: 0, detail: '' };
  const s = sim.connect(port);
  const line = 'ping ' + Math.floor(p.startedMs) + '\n';
  let got = '';
  s.on('connect', () => { s.write(line); });
  s.on('data', (d: Uint8Array) => {
    got += String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]);
    if (got.length >= line.length) s.end();
  });
  s.on('end', () => { s.end(); });
  s.on('error', (e: Error) => { p.detail = e.message; });
  s.on('close', () => {
    p.done = true;
    p.finishedMs = sim.clock.nowMs();
    p.ok = got === line;
    if (!p.ok && !p.detail) p.detail = JSON.stringify(got);
  });
  return p;
}

/** Share of probes that finished ok within `withinMs` of their start, and a summary of the others. */
export function served(probes: Probe[], withinMs: number): { ratio: number; failures: string[] } {
  let ok = 0;
  const failures: string[] = [];
  for (const p of probes) {
    if (p.ok && p.finishedMs - p.startedMs <= withinMs) ok++;
    else if (failures.length < 8) {
      failures.push('@' + Math.round(p.startedMs) + ': ' + (p.done ? (p.ok ? 'slow ' + Math.round(p.finishedMs - p.startedMs) + ' ms' : p.detail) : 'unfinished'));
    }
  }
  return { ratio: probes.length ? ok / probes.length : 0, failures };
}
