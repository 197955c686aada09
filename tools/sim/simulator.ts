// The host simulator: the default firmware on a simulated board (W5500 or ENC28J60 chip model at one end
// of a VirtualWire) on the real clock, with at the other end of the wire either a host-side peer stack
// serving port forwards from localhost (no root needed), or a Linux TAP device (the kernel's network).
// `startSimulator` runs it in-process and returns a handle; tools/sim.ts is the command line around it.
import { RealClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { SeededRandom } from '../../hal/sim/random';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { SimLoop } from './event-loop';
import { DEFAULT_PEER_MAC, defaultSimOptions, ForwardRule, SimOptions } from './options';
import { DevicePart, PcapPart, PeerPart, SimParts, TapPart } from './parts';
import { PortForwarder } from './port-forward';
import { emptySimStats, SimStats } from './status';

/** Bits per second of each chip's Ethernet PHY. */
const LINE_RATE: { [chip: string]: number } = { enc28j60: 10000000, w5500: 100000000 };

export interface ForwardInfo {
  rule: ForwardRule;
  hostPort: number;
  /** e.g. "http://127.0.0.1:8080/" for device port 80, "127.0.0.1:7007" otherwise. */
  url: string;
}

export interface SimHandle {
  readonly options: SimOptions;
  readonly wire: VirtualWire;
  readonly forwards: ForwardInfo[];
  /** The device's address as text ("10.0.0.2"), or null while it has none (DHCP pending). */
  deviceAddress(): string | null;
  stats(): SimStats;
  /** The device's counters by group (driver, chip model, interface, TCP): for diagnostics. */
  details(): { [group: string]: { [name: string]: number | string } };
  /** Resolves once the device has an address (immediately for a static one); rejects after `timeoutMs`. */
  waitForAddress(timeoutMs: number): Promise<string>;
  /** Errors that stopped the simulation loop (a throw escaping the firmware or the stacks). */
  readonly errors: unknown[];
  /** Stops everything: forwards, loop, TAP relay; flushes the pcap. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartHooks {
  log?(line: string): void;
  /** Called when the loop stopped on an error (after `errors` got it). */
  onFatal?(err: unknown): void;
}

function resolveParts(parts: SimParts | undefined): SimParts {
  if (parts) return parts;
  // Loaded lazily so that option parsing and --help work even if a part fails to load.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require('./default-parts') as { defaultParts: SimParts }).defaultParts;
}

export async function startSimulator(
  options: Partial<SimOptions> = {},
  hooks: StartHooks = {},
  partsOverride?: SimParts,
): Promise<SimHandle> {
  const o: SimOptions = Object.assign(defaultSimOptions(), options);
  const parts = resolveParts(partsOverride);
  const log = hooks.log || ((): void => undefined);
  const clock = new RealClock();
  const startedAt = clock.nowMs();
  const imp = o.impairments;
  // The line rate of the chip's PHY: the ENC28J60 is 10BASE-T only (datasheet §1, 10 Mb/s), the W5500
  // runs 100 Mb/s. Without it a burst the kernel writes to the TAP lands in the chip in one instant,
  // which no cable can do: the ENC28J60's 6.6 KB receive ring then overflows on every burst of the
  // 20-client echo test, and the losses (whole flights, so only RTO recovery) repeat until the
  // kernel's backed-off RTO outlasts the test (issue 7).
  const wire = new VirtualWire(clock, {
    loss: imp.loss, delayMs: imp.delayMs, jitterMs: imp.jitterMs, reorder: imp.reorder,
    reorderMs: Math.max(2, imp.delayMs), duplicate: imp.duplicate, seed: imp.seed,
    bitsPerSecond: LINE_RATE[o.chip] || 0,
  });
  const errors: unknown[] = [];
  let device: DevicePart | null = null;
  let peer: PeerPart | null = null;
  let tap: TapPart | null = null;
  let pcap: PcapPart | null = null;
  let forwarder: PortForwarder | null = null;
  let loop: SimLoop | null = null;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (forwarder) await forwarder.stop();
    if (loop) {
      // One last step so resets for the relayed connections go out (and into the pcap).
      try {
        if (loop.isRunning()) step(clock.nowMs());
      } catch (err) {
        errors.push(err);
      }
      loop.stop();
    }
    if (tap) await tap.stop();
    if (peer) peer.stop();
    if (device) device.stop();
    if (pcap) await pcap.close();
  };

  const step = (now: number): number => {
    wire.deliverDue();
    let next = Infinity;
    if (device) next = Math.min(next, device.poll(now));
    if (peer) next = Math.min(next, peer.poll(now));
    return Math.min(next, wire.nextDeliveryMs());
  };

  try {
    if (o.pcap) {
      pcap = parts.openPcap(o.pcap);
      const p = pcap;
      wire.taps.push((frame) => p.record(frame, Date.now()));
    }
    // A part that puts frames on the wire from outside a step wakes the loop itself: the TAP part calls
    // runNow (below), the port forwarder kicks. (A kick from the wire as well cost a TAP frame a step
    // scheduled and cancelled again: Node's timer bookkeeping, ~15 µs an operation on an idle process.)
    device = parts.createDevice({
      chip: o.chip, clock, port: wire.a, mac: o.mac, ip: o.dhcp ? null : o.ip, gateway: o.gateway,
      dhcp: o.dhcp, random: new SeededRandom(o.randomSeed), log,
    });
    if (o.link.kind === 'virtual') {
      const prefix = o.ip ? o.ip.prefix : 24;
      const p = parts.createPeer({
        clock, port: wire.b, mac: DEFAULT_PEER_MAC, address: o.peerIp, prefix,
        random: new SeededRandom((o.randomSeed ^ 0x5a5a5a5a) >>> 0),
      });
      peer = p;
      const deviceIp = o.ip ? formatIpv4(o.ip.address) : '';
      forwarder = new PortForwarder({
        connect: (port) => p.connect(deviceIp, port),
        kick: () => {
          if (loop) loop.kick();
        },
        log,
      });
    } else {
      tap = await parts.openTap({
        name: o.link.name, port: wire.b, log,
        // A frame from the kernel: answered in this turn when the loop was idle (event-loop.ts runNow).
        onFrame: () => {
          if (loop) loop.runNow();
        },
      });
    }
    loop = new SimLoop(clock, {
      step,
      busy: () =>
        wire.a.pending() > 0 || wire.b.pending() > 0 || (device !== null && device.busy()) ||
        (peer !== null && peer.busy()) || (tap !== null && tap.busy()),
      onError: (err) => {
        errors.push(err);
        log('simulation stopped: ' + ((err as Error).stack || String(err)));
        if (hooks.onFatal) hooks.onFatal(err);
      },
    });
    loop.start();
    if (forwarder) await forwarder.listen(o.forwards, o.bindHost);
  } catch (err) {
    await stop();
    throw err;
  }

  const forwards: ForwardInfo[] = (forwarder ? forwarder.forwards : []).map((f) => {
    const host = o.bindHost === '0.0.0.0' ? '127.0.0.1' : o.bindHost.indexOf(':') >= 0 ? '[' + o.bindHost + ']' : o.bindHost;
    const url = f.rule.devicePort === 80 ? 'http://' + host + ':' + f.hostPort + '/' : host + ':' + f.hostPort;
    return { rule: f.rule, hostPort: f.hostPort, url };
  });

  const deviceAddress = (): string | null => {
    if (!device) return null;
    const a = device.address();
    return a.address ? formatIpv4(a.address) : null;
  };

  const handle: SimHandle = {
    options: o,
    wire,
    forwards,
    errors,
    deviceAddress,
    details: () => (device ? device.details() : {}),
    stats: (): SimStats => {
      const s = emptySimStats();
      s.uptimeMs = clock.nowMs() - startedAt;
      if (forwarder) {
        s.forwardActive = forwarder.stats.active;
        s.forwardTotal = forwarder.stats.total;
        s.bytesToDevice = forwarder.stats.bytesToDevice;
        s.bytesFromDevice = forwarder.stats.bytesFromDevice;
      }
      if (device) {
        const c = device.counters();
        s.segmentsIn = c.segmentsIn;
        s.segmentsOut = c.segmentsOut;
        s.retransmits = c.retransmits;
        s.drops = c.drops;
        s.deviceOpen = c.connections;
        s.deviceAccepted = c.accepted;
      }
      s.wireFrames = wire.counters.sent;
      s.wireLost = wire.counters.lost + wire.counters.queueDrops;
      return s;
    },
    waitForAddress: (timeoutMs: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = (): void => {
          const a = deviceAddress();
          if (a) return resolve(a);
          if (stopped) return reject(new Error('the simulator stopped before the device got an address'));
          if (Date.now() - started >= timeoutMs) return reject(new Error('the device got no address within ' + timeoutMs + ' ms (is a DHCP server answering on the link?)'));
          setTimeout(check, 50);
        };
        check();
      }),
    stop,
  };
  return handle;
}
