// A Stack on a VirtualWire whose other end is a TAP device in a fresh network namespace, driven on the
// real clock (the pattern of test/tcp/real-kernel.test.ts, kept here so that file stays untouched).
// Root only; the caller bounds every wait; traffic stays inside the namespace made here.
import { Netns, createTap, uniqueSuffix } from '../helpers/netns';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { RealClock } from '../../hal/sim/virtual-clock';
import { SeededRandom } from '../../hal/sim/random';
import { TapBridge } from '../../hal/sim/tap-bridge';
import { Stack } from '../../tcp/stack';
import { TcpConfig } from '../../tcp/tcp/config';
import { parseIpv4 } from '../../tcp/wire/ipv4-address';

export interface TapRig {
  stack: Stack;
  ns: Netns;
  wire: VirtualWire;
  bridge: TapBridge;
  /** The TAP's name (inside `ns` once started). */
  tap: string;
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startTapRig(kernelIp: string, ourIp: string, imp: WireImpairments,
  tcp?: Partial<TcpConfig>, gateway?: string): Promise<TapRig> {
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create('tcp2-' + sfx);
  createTap(tap);
  const clock = new RealClock();
  const wire = new VirtualWire(clock, imp);
  const stack = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0x79, 1, 2]), wire.a),
    random: new SeededRandom(11),
    ipv4: { address: parseIpv4(ourIp) as number, prefixLength: 24, gateway: gateway ? parseIpv4(gateway) as number : undefined },
    tcp,
  });
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const checks: Array<() => void> = [];
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    for (let i = 0; i < 4; i++) {
      wire.deliverDue();
      stack.poll(clock.nowMs());
    }
    for (const c of checks.slice()) c();
    const delay = Math.max(0, Math.min(2, wire.nextDeliveryMs() - clock.nowMs()));
    timer = setTimeout(tick, delay);
  };
  const bridge = await TapBridge.open({
    name: tap, port: wire.b,
    onFrame: () => { if (timer) { clearTimeout(timer); timer = setTimeout(tick, 0); } },
  });
  ns.adoptTap(tap, kernelIp + '/24');
  tick();
  return {
    stack, ns, wire, bridge, tap,
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
