// Runs a built firmware bundle as the device runs it: in a `vm` sandbox that exposes only Espruino's
// globals — SPI1, digitalWrite, setWatch, getTime, E, timers (setTimeout, setInterval), print, process.memory, getSerial, and the
// language's own typed arrays; none of Node's — with SPI1 backed by a simulated chip
// (hal/sim/w5500-model.ts or enc28j60-model.ts) on a VirtualWire, Espruino's timers on the virtual
// clock, and a second Stack (10.0.2.2) on the wire as the client.
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import { Stack } from '../../tcp/stack';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { W5500Model } from '../../hal/sim/w5500-model';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

/** A Pin as Espruino's `Pin(name)` makes it: what SPI.write recognises as its chip select. */
class SandboxPin {
  constructor(readonly name: string) {}
  toString(): string { return this.name; }
}

export type Chip = 'w5500' | 'enc28j60';

export function bootBundle(bundle: string, chip: Chip = 'w5500') {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, { delayMs: 0.2 });
  const model = chip === 'w5500' ? new W5500Model({ clock, port: wire.a }) : new Enc28j60Model({ clock, port: wire.a });
  const rand = new SeededRandom(11);
  // Espruino's timers on the virtual clock.
  let nextId = 1;
  const timers: Array<{ id: number; at: number; fn: () => void }> = [];
  const printed: string[] = [];
  const watches: Array<() => void> = [];
  const sandbox: { [k: string]: unknown } = {
    SPI1: {
      setup() {},
      send(data: Uint8Array) {
        if (!ArrayBuffer.isView(data)) throw new Error('SPI1.send: expected a Uint8Array (one call per SPI frame)');
        return model.spi.transfer(new Uint8Array(data)); // a Uint8Array back for a Uint8Array, like Espruino
      },
      // Espruino's SPI.write: every argument in turn under one chip select, the last taken for chip
      // select only when it is a Pin (src/jswrap_spi_i2c.c); nothing comes back.
      write(...items: unknown[]) {
        if (items.length > 0 && items[items.length - 1] instanceof SandboxPin) items.pop();
        else throw new Error('SPI1.write: the last argument is not a Pin: it would be sent as data');
        if (items.length < 1 || items.length > 2 || !items.every((x) => ArrayBuffer.isView(x))) {
          throw new Error('SPI1.write: expected a head and a body (Uint8Arrays)');
        }
        model.spi.write(items[0] as Uint8Array, items[1] as Uint8Array | undefined);
      },
    },
    Pin(name: string) { return new SandboxPin(name); },
    digitalWrite() {},
    digitalRead() { return 1; },
    pinMode() {},
    setWatch(fn: () => void) { watches.push(fn); return watches.length; },
    clearWatch(id: number) { if (id === undefined) throw new Error('clearWatch() would clear every watch'); },
    // Time passes while code runs (1 µs per call), so busy-waits end as on a board.
    getTime() { clock.advance(0.001); return clock.nowMs() / 1000; },
    setTimeout(fn: () => void, ms: number) {
      const id = nextId++;
      timers.push({ id, at: clock.nowMs() + (ms || 0), fn });
      return id;
    },
    setInterval(fn: () => void, ms: number) {
      const id = nextId++;
      const period = ms > 0 ? ms : 1;
      const arm = (at: number): void => { timers.push({ id, at, fn: () => { arm(at + period); fn(); } }); };
      arm(clock.nowMs() + period);
      return id;
    },
    clearInterval(id?: number) {
      if (id === undefined) throw new Error('clearInterval(undefined) throws on Espruino');
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    clearTimeout(id?: number) {
      if (id === undefined) throw new Error('clearTimeout(undefined) throws on Espruino');
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    print(s: string) { printed.push(String(s)); },
    getSerial() { return '33ffd605-41573033-15720843'; },
    process: { memory() { return { free: 3000, usage: 2100, total: 5100, blocksize: 13 }; } },
    E: {
      sum(a: ArrayLike<number>) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; },
      toString(u8: Uint8Array) { let s = ''; for (let i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]); return s; },
      toUint8Array(s: string) { const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255; return u; },
      hwRand() { return rand.nextU32(); },
      getSizeOf() { return 1; },
    },
  };
  const ctx = vm.createContext(sandbox);
  for (const name of ['require', 'process', 'Buffer', 'module', 'exports', 'global', 'setImmediate']) {
    if (name !== 'process') assert.is(vm.runInContext('typeof ' + name, ctx), 'undefined', name + ' must not exist');
  }
  vm.runInContext(bundle, ctx, { filename: 'dist/firmware.js' });
  const client = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 2]), wire.b),
    random: new SeededRandom(12),
    ipv4: { address: parseIpv4Address('10.0.2.2') as number, prefixLength: 24 },
  });
  const run = (done: () => boolean, maxSteps = 3000000): void => {
    for (let i = 0; i < maxSteps && !done(); i++) {
      model.service();
      const now = clock.nowMs();
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      while (timers.length && timers[0].at <= clock.nowMs()) {
        const t = timers.shift()!;
        t.fn();
        model.service();
      }
      const next = Math.min(client.poll(now), timers.length ? timers[0].at : Infinity, wire.nextDeliveryMs(), now + 1);
      clock.advanceTo(next > now ? next : now + 0.01);
    }
  };
  return { clock, wire, model, client, run, printed, timers };
}

