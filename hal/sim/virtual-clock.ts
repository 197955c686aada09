import { Clock } from '../interfaces';

/** Simulated time: advances only when told to, so tests are deterministic and fast. */
export class VirtualClock implements Clock {
  private now: number;

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  delayMs(ms: number): void {
    this.advance(ms);
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('VirtualClock.advance: negative or NaN step ' + ms);
    this.now += ms;
  }

  /** Moves time forward to `ms` if it lies in the future. */
  advanceTo(ms: number): void {
    if (ms > this.now) this.now = ms;
  }
}

/**
 * Real time for the simulator on the host, in fractions of a millisecond (performance.now()). With
 * Date.now()'s whole milliseconds, a frame due on the wire in 7 µs waited for the next tick of the
 * clock, at every hop: most of a ping's 3 ms on a TAP.
 */
export class RealClock implements Clock {
  private readonly origin = performance.now();

  nowMs(): number {
    return performance.now() - this.origin;
  }

  delayMs(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* busy-wait: only used for sub-10 ms reset timings */ }
  }
}
