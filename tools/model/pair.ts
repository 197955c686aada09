// Two full stacks (Ethernet, ARP, IPv4, TCP: tcp/stack.ts) joined by a VirtualWire, driven on a
// virtual clock as fast as the host runs. Used by every in-memory benchmark.
import { Stack } from '../../tcp/stack';
import { TcpConfig } from '../../tcp/tcp/config';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { SpiDevice } from '../../hal/interfaces';
import { FrameDevice } from '../../tcp/ports';
import { createSimChip, SimChip } from '../../tools/sim/chip';

/** 'wire': frames straight onto the wire (no driver); otherwise each stack runs the real driver over a
 * register-level chip model (hal/sim/), as in the simulator. */
export type PairChip = 'wire' | 'w5500' | 'enc28j60';

/**
 * SPI frames and bytes the drivers clocked (both sides; the work counter reads them per side), and the
 * bytes of what `transfer` handed back: on Espruino `SPI.send` allocates its result, `SPI.write` nothing.
 */
export interface SpiCount { frames: number; bytes: number; returned: number }

export const A_ADDR = '10.9.0.1';
export const B_ADDR = '10.9.0.2';

export interface Pair {
  clock: VirtualClock;
  wire: VirtualWire;
  a: Stack;
  b: Stack;
  /** The chip models (empty for 'wire'). */
  chips: SimChip[];
  /** SPI traffic per side (zero for 'wire'). */
  spi: { a: SpiCount; b: SpiCount };
  /** Optional hooks around each stack's poll (the work counter switches counting on and off there). */
  beforePoll: ((side: 'a' | 'b') => void) | null;
  afterPoll: ((side: 'a' | 'b') => void) | null;
  /** Steps until `done()` or `maxSteps`; returns the steps taken. Time jumps to the next event. */
  run(done: () => boolean, maxSteps: number, maxStepMs?: number): number;
}

export function makePair(imp: WireImpairments, seed = 1, tcp: Partial<TcpConfig> = {}, chip: PairChip = 'wire'): Pair {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, imp);
  const chips: SimChip[] = [];
  const spi = { a: { frames: 0, bytes: 0, returned: 0 }, b: { frames: 0, bytes: 0, returned: 0 } };
  const countSpi = (model: { spi: SpiDevice }, c: SpiCount): void => {
    const inner = model.spi;
    const transfer = inner.transfer.bind(inner);
    const write = inner.write.bind(inner);
    inner.transfer = (tx: Uint8Array): Uint8Array => { c.frames++; c.bytes += tx.length; c.returned += tx.length; return transfer(tx); };
    inner.write = (head: Uint8Array, body?: Uint8Array): void => { c.frames++; c.bytes += head.length + (body ? body.length : 0); write(head, body); };
  };
  const mk = (port: typeof wire.a, mac: number, ip: string, s: number, c: SpiCount): Stack => {
    const macBytes = new Uint8Array([2, 0, 0, 0, 0, mac]);
    let device: FrameDevice;
    if (chip === 'wire') device = new WireFrameDevice(macBytes, port);
    else {
      const sc = createSimChip(chip, clock, port, macBytes);
      chips.push(sc);
      device = sc.device;
      // The drivers keep the SpiDevice they were given as `spi`: count its frames.
      const d = device as unknown as { spi?: SpiDevice };
      if (d.spi) countSpi(d as { spi: SpiDevice }, c);
    }
    return new Stack({ device, random: new SeededRandom(s), ipv4: { address: parseIpv4Address(ip) as number, prefixLength: 24 }, tcp });
  };
  const p: Pair = {
    clock, wire, chips, spi,
    a: mk(wire.a, 1, A_ADDR, seed * 2 + 1, spi.a),
    b: mk(wire.b, 2, B_ADDR, seed * 2 + 2, spi.b),
    beforePoll: null,
    afterPoll: null,
    run(done, maxSteps, maxStepMs = 1) {
      let i = 0;
      for (; i < maxSteps && !done(); i++) {
        const now = clock.nowMs();
        for (let k = 0; k < chips.length; k++) chips[k].service();
        if (p.beforePoll) p.beforePoll('a');
        const na = p.a.poll(now);
        if (p.afterPoll) p.afterPoll('a');
        if (p.beforePoll) p.beforePoll('b');
        const nb = p.b.poll(now);
        if (p.afterPoll) p.afterPoll('b');
        const t = Math.min(na, nb, wire.nextDeliveryMs(), now + maxStepMs);
        clock.advanceTo(t > now ? t : now + 0.01);
      }
      return i;
    },
  };
  return p;
}

/** One shared block written over and over: the sender never allocates, the bytes do not matter. */
export const FILL_BLOCK = new Uint8Array(4096).fill(0x5a);
