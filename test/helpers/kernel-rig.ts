// The one kernel-peer rig: our stack (an Interface or a whole Stack) on a VirtualWire whose other end is
// a TAP device (hal/sim/tap-bridge.ts) moved into a fresh network namespace (test/helpers/netns.ts),
// where the kernel side (ping, dnsmasq, curl, python, hping3) lives. Real clock, polled every few ms,
// at once when the TAP delivers a frame. Root only; the caller bounds every wait through `until`;
// traffic stays inside the namespace made here.
import { Netns, createTap, uniqueSuffix } from './netns';
import { VirtualWire, WireImpairments, WirePort } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { RealClock } from '../../hal/sim/virtual-clock';
import { SeededRandom } from '../../hal/sim/random';
import { TapBridge } from '../../hal/sim/tap-bridge';
import { Interface, InterfaceOptions } from '../../tcp/iface/interface';
import { Stack } from '../../tcp/stack';
import { TcpConfig } from '../../tcp/tcp/config';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { OUR_MAC } from '../iface/rig';

export interface KernelRig<T> {
  /** What runs on our end of the wire (an Interface or a Stack). */
  node: T;
  ns: Netns;
  /** The TAP's name (inside `ns` once started). */
  tap: string;
  bridge: TapBridge;
  wire: VirtualWire;
  /** Resolves when `pred` holds (checked after every poll round), or rejects after `ms`. */
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

/** How the rig drives the node on each timer tick. */
export interface Pacing {
  /** deliverDue + poll rounds per tick. */
  rounds: number;
  /** Longest wait between ticks (ms). */
  maxDelayMs: number;
  /** 'poll': wait until the time the last poll asked for; 'wire': until the wire's next delivery. */
  next: 'poll' | 'wire';
}

export interface KernelRigOptions<T> {
  /** Namespace name prefix (the namespace is `etcpip-<prefix>-<suffix>`). */
  nsPrefix: string;
  /** Address/prefix the kernel side gets on the TAP inside the namespace. */
  kernelCidr: string;
  impairments?: WireImpairments;
  pacing: Pacing;
  /** Builds the node on our end of the wire. */
  build(port: WirePort): T;
  poll(node: T, nowMs: number): number;
  /** Runs after the kernel side is configured and before the node is first polled. */
  prepare?: (ns: Netns, tap: string) => Promise<void>;
}

export async function startKernelRig<T>(o: KernelRigOptions<T>): Promise<KernelRig<T>> {
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create(o.nsPrefix + '-' + sfx);
  createTap(tap);
  const clock = new RealClock();
  const wire = o.impairments ? new VirtualWire(clock, o.impairments) : new VirtualWire(clock);
  const node = o.build(wire.a);
  const p = o.pacing;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const checks: Array<() => void> = [];
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    let next = 0;
    for (let i = 0; i < p.rounds; i++) {
      wire.deliverDue();
      next = o.poll(node, clock.nowMs());
    }
    for (const c of checks.slice()) c();
    const due = p.next === 'poll' ? next : wire.nextDeliveryMs();
    const delay = Math.max(0, Math.min(p.maxDelayMs, due - clock.nowMs()));
    timer = setTimeout(tick, delay);
  };
  const bridge = await TapBridge.open({
    name: tap, port: wire.b,
    onFrame: () => { if (timer) { clearTimeout(timer); timer = setTimeout(tick, 0); } },
  });
  ns.adoptTap(tap, o.kernelCidr);
  if (o.prepare) await o.prepare(ns, tap);
  tick();
  return {
    node, ns, tap, bridge, wire,
    until(pred, ms, what) {
      return new Promise((resolve, reject) => {
        if (pred()) { resolve(); return; }
        const t = setTimeout(() => { remove(); reject(new Error('timed out after ' + ms + ' ms waiting for ' + what)); }, ms);
        const check = (): void => { if (pred()) { clearTimeout(t); remove(); resolve(); } };
        const remove = (): void => { const i = checks.indexOf(check); if (i >= 0) checks.splice(i, 1); };
        checks.push(check);
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await bridge.stop();
      ns.destroy();
    },
  };
}

// ---- An Interface against the kernel (test/iface: ping, dnsmasq) ----

export interface InterfaceRig extends KernelRig<Interface> {
  iface: Interface;
}

/** Kernel side gets `kernelCidr`; `o` overrides the Interface options (device and seed are the rig's). */
export async function startInterfaceRig(kernelCidr: string, o: Partial<InterfaceOptions>,
                                        prepare?: (ns: Netns, tap: string) => Promise<void>): Promise<InterfaceRig> {
  const rig = await startKernelRig<Interface>({
    nsPrefix: 'if', kernelCidr, prepare,
    pacing: { rounds: 1, maxDelayMs: 5, next: 'poll' },
    build: (port) => new Interface(Object.assign({ device: new WireFrameDevice(OUR_MAC, port), random: new SeededRandom(42) }, o)),
    poll: (iface, now) => iface.poll(now),
  });
  return Object.assign(rig, { iface: rig.node });
}

// ---- A whole Stack (with TCP) against the kernel (test/tcp, test/tcp2) ----

/** Our MACs in test/tcp/real-kernel.test.ts and in test/tcp2's TAP tests (distinct, locally administered). */
export const TCP_MAC = new Uint8Array([2, 0, 0, 0x78, 1, 2]);
export const TCP2_MAC = new Uint8Array([2, 0, 0, 0x79, 1, 2]);

export interface StackRigOptions {
  nsPrefix: string;
  /** The kernel's address on a /24 shared with ours. */
  kernelIp: string;
  ourIp: string;
  mac: Uint8Array;
  seed: number;
  impairments: WireImpairments;
  tcp?: Partial<TcpConfig>;
  gateway?: string;
}

export interface StackRig extends KernelRig<Stack> {
  stack: Stack;
}

export async function startStackRig(s: StackRigOptions): Promise<StackRig> {
  const rig = await startKernelRig<Stack>({
    nsPrefix: s.nsPrefix, kernelCidr: s.kernelIp + '/24', impairments: s.impairments,
    pacing: { rounds: 4, maxDelayMs: 2, next: 'wire' },
    build: (port) => new Stack({
      device: new WireFrameDevice(s.mac, port),
      random: new SeededRandom(s.seed),
      ipv4: { address: parseIpv4Address(s.ourIp) as number, prefixLength: 24, gateway: s.gateway ? parseIpv4Address(s.gateway) as number : undefined },
      tcp: s.tcp,
    }),
    poll: (stack, now) => stack.poll(now),
  });
  return Object.assign(rig, { stack: rig.node });
}
