// Shared set-up for the W5500 tests: a virtual clock, a wire, the chip model on one end and a peer on
// the other, and frame builders with recognisable contents.
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WirePort } from '../../hal/sim/virtual-wire';
import { W5500Model, W5500ModelOptions } from '../../hal/sim/w5500-model';
import { W5500, W5500Options } from '../../hal/drivers/w5500';
import { SeededRandom } from '../../hal/sim/random';

export const OUR_MAC = new Uint8Array([0x02, 0x55, 0x00, 0x00, 0x00, 0x01]);
export const PEER_MAC = new Uint8Array([0x02, 0x55, 0x00, 0x00, 0x00, 0x02]);
export const OTHER_MAC = new Uint8Array([0x02, 0x55, 0x00, 0x00, 0x00, 0x09]);
export const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export interface Rig {
  clock: VirtualClock;
  wire: VirtualWire;
  model: W5500Model;
  peer: WirePort;
  driver: W5500;
}

export function makeRig(modelOpts: Partial<W5500ModelOptions> = {}, driverOpts: Partial<W5500Options> = {}, init = true): Rig {
  const clock = new VirtualClock(1000);
  const wire = new VirtualWire(clock);
  const model = new W5500Model(Object.assign({ clock, port: wire.a }, modelOpts));
  const driver = new W5500(Object.assign({ spi: model.spi, clock, mac: OUR_MAC, resetPin: model.resetPin, intPin: model.intPin }, driverOpts));
  if (init) driver.init();
  return { clock, wire, model, peer: wire.b, driver };
}

/** A frame of `len` bytes: dst, src, EtherType 0x88B5 (local experimental), then a seeded pattern. */
export function makeFrame(len: number, dst: Uint8Array, src: Uint8Array, seed: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88; f[13] = 0xb5;
  const r = new SeededRandom(seed);
  for (let i = 14; i < len; i++) f[i] = r.nextU32() & 0xff;
  return f;
}

export function sameBytes(a: Uint8Array, b: Uint8Array, n = Math.max(a.length, b.length)): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hex(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) out.push((bytes[i] < 16 ? '0' : '') + bytes[i].toString(16));
  return out.join(' ');
}
