// The stack against the real Linux kernel: our Interface on a VirtualWire whose other end is a TAP
// device (through hal/sim/tap-bridge.ts), the TAP moved into a fresh network namespace where the
// kernel side (ping, dnsmasq) lives. Real clock, polled every few ms. Root only (see test/helpers/netns.ts).
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { RealClock } from '../../hal/sim/virtual-clock';
import { SeededRandom } from '../../hal/sim/random';
import { TapBridge } from '../../hal/sim/tap-bridge';
import { Interface, InterfaceOptions } from '../../tcp/iface/interface';
import { Netns, createTap, uniqueSuffix } from '../helpers/netns';
import { OUR_MAC } from './rig';

export interface RealRig {
  iface: Interface;
  ns: Netns;
  tap: string;
  bridge: TapBridge;
  wire: VirtualWire;
  /** Resolves when `pred` holds (checked every poll), or rejects after `ms`. */
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

/** Kernel side gets `kernelCidr` on the TAP inside the namespace. */
/** `prepare` runs after the kernel side is configured and before the stack is first polled. */
export async function startRealRig(kernelCidr: string, o: Partial<InterfaceOptions>,
                                   prepare?: (ns: Netns, tap: string) => Promise<void>): Promise<RealRig> {
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create('if-' + sfx);
  createTap(tap);
  const clock = new RealClock();
  const wire = new VirtualWire(clock);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const iface = new Interface(Object.assign({ device: new WireFrameDevice(OUR_MAC, wire.a), random: new SeededRandom(42) }, o));
  const checks: Array<() => void> = [];
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    wire.deliverDue();
    const now = clock.nowMs();
    const next = iface.poll(now);
    for (const c of checks.slice()) c();
    const delay = Math.max(0, Math.min(5, next - clock.nowMs()));
    timer = setTimeout(tick, delay);
  };
  const bridge = await TapBridge.open({
    name: tap, port: wire.b,
    onFrame: () => { if (timer) { clearTimeout(timer); timer = setTimeout(tick, 0); } },
  });
  ns.adoptTap(tap, kernelCidr);
  if (prepare) await prepare(ns, tap);
  tick();
  return {
    iface, ns, tap, bridge, wire,
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
