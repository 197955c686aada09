import { Clock } from '../interfaces';
import { SeededRandom } from './random';

/** Impairments applied to every frame crossing the wire in either direction. */
export interface WireImpairments {
  /** Probability 0..1 that a frame is lost. */
  loss?: number;
  /** One-way delay in ms added to every frame. */
  delayMs?: number;
  /** Extra uniformly random delay 0..jitterMs per frame (reorders frames when > spacing). */
  jitterMs?: number;
  /** Probability 0..1 that a frame is held back by `reorderMs` extra, letting later frames overtake it. */
  reorder?: number;
  reorderMs?: number;
  /** Probability 0..1 that a frame is delivered twice. */
  duplicate?: number;
  /** Link rate in bits per second (serialisation delay and queueing); 0 or undefined = infinite. */
  bitsPerSecond?: number;
  /** Frames that may be in flight per direction before further ones are tail-dropped. */
  queueLimit?: number;
  /** Seed for the impairment decisions. */
  seed?: number;
}

export interface WireCounters {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  queueDrops: number;
}

interface InFlight {
  at: number;
  seq: number;
  frame: Uint8Array;
}

/** One end of a virtual wire: what a chip model (or a host-side peer) plugs into. */
export class WirePort {
  /** Called for each frame as it arrives, if set; otherwise frames wait in `arrived` for `take()`. */
  onFrame: ((frame: Uint8Array) => void) | null = null;
  private arrived: Uint8Array[] = [];
  private readonly maxArrived: number;

  constructor(private readonly wire: VirtualWire, readonly side: 0 | 1, maxArrived: number) {
    this.maxArrived = maxArrived;
  }

  /** Puts a frame on the wire towards the other end. The frame is copied. */
  send(frame: Uint8Array): void {
    this.wire.transmit(this.side, frame);
  }

  /** Next frame that has arrived at this end, or null. */
  take(): Uint8Array | null {
    this.wire.deliverDue();
    return this.arrived.length ? (this.arrived.shift() as Uint8Array) : null;
  }

  pending(): number {
    this.wire.deliverDue();
    return this.arrived.length;
  }

  /** @internal */
  arrive(frame: Uint8Array): boolean {
    if (this.onFrame) {
      this.onFrame(frame);
      return true;
    }
    if (this.arrived.length >= this.maxArrived) return false;
    this.arrived.push(frame);
    return true;
  }
}

/**
 * A point-to-point Ethernet cable with seeded loss, delay, jitter, reordering, duplication and a rate
 * limit. Time comes from the clock given; call `deliverDue()` (ports do it on take) to move frames
 * whose time has come to the receiving end. `nextDeliveryMs()` tells a scheduler when that is.
 */
export class VirtualWire {
  readonly a: WirePort;
  readonly b: WirePort;
  readonly counters: WireCounters = { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, queueDrops: 0 };
  /** Taps see every frame put on the wire (e.g. a pcap writer), with the time it was sent. */
  readonly taps: Array<(frame: Uint8Array, atMs: number, fromSide: 0 | 1) => void> = [];
  private flights: InFlight[][] = [[], []];
  private lineFreeAt = [0, 0];
  private seq = 0;
  private readonly rnd: SeededRandom;
  private imp: WireImpairments;
  connected = true;

  constructor(private readonly clock: Clock, impairments: WireImpairments = {}, arrivedLimit = 4096) {
    this.imp = impairments;
    this.rnd = new SeededRandom(impairments.seed ?? 1);
    this.a = new WirePort(this, 0, arrivedLimit);
    this.b = new WirePort(this, 1, arrivedLimit);
  }

  setImpairments(imp: WireImpairments): void {
    this.imp = imp;
  }

  /** @internal Frame from `side` towards the other side. */
  transmit(side: 0 | 1, frame: Uint8Array): void {
    this.deliverDue();
    const now = this.clock.nowMs();
    const copy = new Uint8Array(frame);
    for (const tap of this.taps) tap(copy, now, side);
    this.counters.sent++;
    if (!this.connected) {
      this.counters.lost++;
      return;
    }
    const imp = this.imp;
    const queue = this.flights[side];
    if (queue.length >= (imp.queueLimit ?? 1024)) {
      this.counters.queueDrops++;
      return;
    }
    // Serialisation on a rate-limited line: frames leave one after another.
    let departs = now;
    if (imp.bitsPerSecond && imp.bitsPerSecond > 0) {
      const start = Math.max(now, this.lineFreeAt[side]);
      departs = start + ((copy.length + 24) * 8 * 1000) / imp.bitsPerSecond; // + preamble, FCS, IFG
      this.lineFreeAt[side] = departs;
    }
    if (imp.loss && this.rnd.nextFloat() < imp.loss) {
      this.counters.lost++;
      return;
    }
    let at = departs + (imp.delayMs ?? 0);
    if (imp.jitterMs) at += this.rnd.nextFloat() * imp.jitterMs;
    if (imp.reorder && this.rnd.nextFloat() < imp.reorder) {
      at += imp.reorderMs ?? Math.max(1, imp.delayMs ?? 1);
      this.counters.reordered++;
    }
    this.enqueue(side, at, copy);
    if (imp.duplicate && this.rnd.nextFloat() < imp.duplicate) {
      this.counters.duplicated++;
      this.enqueue(side, at + this.rnd.nextFloat(), new Uint8Array(copy));
    }
  }

  private enqueue(side: 0 | 1, at: number, frame: Uint8Array): void {
    const q = this.flights[side];
    const item = { at, seq: this.seq++, frame };
    // Keep each direction sorted by delivery time (stable for equal times).
    let i = q.length;
    while (i > 0 && q[i - 1].at > at) i--;
    q.splice(i, 0, item);
  }

  /** Moves every frame whose delivery time has come to its receiving port. */
  deliverDue(): void {
    const now = this.clock.nowMs();
    for (let side = 0; side < 2; side++) {
      const q = this.flights[side];
      const to = side === 0 ? this.b : this.a;
      while (q.length && q[0].at <= now) {
        const item = q.shift() as InFlight;
        if (to.arrive(item.frame)) this.counters.delivered++;
        else this.counters.queueDrops++;
      }
    }
  }

  /** The earliest time a frame in flight will arrive, or Infinity. */
  nextDeliveryMs(): number {
    let t = Infinity;
    for (const q of this.flights) if (q.length && q[0].at < t) t = q[0].at;
    return t;
  }

  inFlight(): number {
    return this.flights[0].length + this.flights[1].length;
  }
}
