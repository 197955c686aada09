// Shared set-up for the ENC28J60 tests: a virtual clock, a wire, the chip model on side a, and a peer
// on side b that sends frames towards the chip and collects what the chip transmits.
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { Enc28j60Model, Enc28j60Errata } from '../../hal/sim/enc28j60-model';
import { Enc28j60, Enc28j60Options } from '../../hal/drivers/enc28j60';
import { SeededRandom } from '../../hal/sim/random';

export const CHIP_MAC = new Uint8Array([0x02, 0x04, 0xa3, 0x11, 0x22, 0x33]);
export const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc]);

export interface Rig {
  clock: VirtualClock;
  wire: VirtualWire;
  model: Enc28j60Model;
  drv: Enc28j60;
  rnd: SeededRandom;
}

export function makeRig(opts: {
  errata?: Partial<Enc28j60Errata>;
  driver?: Partial<Enc28j60Options>;
  usePins?: boolean;
  init?: boolean;
  seed?: number;
} = {}): Rig {
  const clock = new VirtualClock(1000);
  const wire = new VirtualWire(clock, {}, 100000);
  const model = new Enc28j60Model({ clock, port: wire.a, errata: opts.errata, seed: opts.seed });
  const base: Enc28j60Options = { spi: model.spi, clock, mac: CHIP_MAC };
  if (opts.usePins) {
    base.resetPin = model.resetPin;
    base.intPin = model.intPin;
  }
  const drv = new Enc28j60(Object.assign(base, opts.driver || {}));
  if (opts.init !== false) drv.init();
  return { clock, wire, model, drv, rnd: new SeededRandom(opts.seed === undefined ? 5 : opts.seed) };
}

/** A frame of `len` bytes from the peer to `dst` with a recognisable, seeded payload. */
export function makeFrame(rnd: SeededRandom, len: number, dst: Uint8Array = CHIP_MAC, src: Uint8Array = PEER_MAC): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst.subarray(0, Math.min(6, len)), 0);
  if (len > 6) f.set(src.subarray(0, Math.min(6, len - 6)), 6);
  if (len > 12) f[12] = 0x88;
  if (len > 13) f[13] = 0xb5; // local experimental EtherType
  for (let i = 14; i < len; i++) f[i] = rnd.nextU32() & 0xff;
  return f;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Drains the driver: every frame it returns, copied. Bounded. */
export function drain(drv: Enc28j60, max = 100000): Uint8Array[] {
  const buf = new Uint8Array(1514);
  const out: Uint8Array[] = [];
  for (let i = 0; i < max; i++) {
    const n = drv.receive(buf);
    if (n === 0) {
      // receive() returns 0 for "nothing now"; a few more calls let skipped packets and checks through
      let more = false;
      for (let k = 0; k < 3 && !more; k++) {
        const m = drv.receive(buf);
        if (m > 0) { out.push(new Uint8Array(buf.subarray(0, m))); more = true; }
      }
      if (!more) break;
      continue;
    }
    out.push(new Uint8Array(buf.subarray(0, n)));
  }
  return out;
}

/** Frames the chip put on the wire, as seen by the peer. */
export function peerFrames(rig: Rig): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let f = rig.wire.b.take(); f; f = rig.wire.b.take()) out.push(f);
  return out;
}
