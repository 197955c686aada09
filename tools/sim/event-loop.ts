// Drives the simulated board on the real clock without a busy loop: one `step(now)` runs everything
// (chip model, device stack, peer stack) and returns the next deadline; the loop sleeps with setTimeout
// until then, or yields with setImmediate while work is pending (frames waiting, deadlines already due).
// Outside events (a host socket wrote, a TAP frame arrived) call `kick()` to run a step soon.
import { Clock } from '../../hal/interfaces';

export interface LoopHooks {
  /** Runs one round of everything at `nowMs`; returns the earliest time anything needs running again. */
  step(nowMs: number): number;
  /** True while frames or work are waiting that another step would move forward. */
  busy(): boolean;
  /** A step threw: the loop stops and reports here. */
  onError(err: unknown): void;
}

/** The timer functions the loop uses (Node's by default; tests pass a fake one). */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate(fn: () => void): unknown;
  clearImmediate(handle: unknown): void;
  /**
   * Busy-waits until `clock` reads `untilMs` (at most a few tens of µs are ever asked for; bounded).
   * Without it the loop never steps inside the caller's turn (runNow acts as kick).
   */
  spinUntil?(clock: Clock, untilMs: number): void;
}

export const nodeScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
  spinUntil: (clock, untilMs) => {
    for (let i = 0; i < 1e6 && clock.nowMs() < untilMs; i++) { /* a few µs: cheaper than a turn of the event loop */ }
  },
};

export interface LoopStats {
  steps: number;
  immediates: number;
  timers: number;
}

/** Longest sleep even when nothing is due (keeps the loop observable; costs nothing measurable). */
const MAX_SLEEP_MS = 1000;
/** Deadlines closer than this are waited for by yielding (setImmediate), not with a timer. */
const MIN_TIMER_MS = 1;
/** Steps in a row that reported "due now" without any sign of progress before the loop backs off to 1 ms. */
const MAX_IDLE_SPINS = 64;
/**
 * Yields spent waiting for one deadline under a millisecond away before the loop sleeps 1 ms instead (a
 * clock that stands still, as in tests). A yield costs a few µs, so a real deadline comes long before.
 */
const MAX_WAIT_YIELDS = 2000;
/** Near deadlines waited for in a row, with no frame or kick in between, before the loop sleeps 1 ms. */
const MAX_NEAR_WAITS = 1024;
/**
 * runNow: deadlines at most this close are waited for by spinning, inside the caller's turn (a small
 * frame's serialisation on the W5500's 100 Mb/s line is 7-10 µs), at most SYNC_STEPS steps in a row.
 */
const SPIN_MS = 0.02;
const SYNC_STEPS = 4;

export class SimLoop {
  readonly stats: LoopStats = { steps: 0, immediates: 0, timers: 0 };
  private timer: unknown = null;
  /** When `timer` fires (clock ms), while it is armed. */
  private timerAt = 0;
  private immediate: unknown = null;
  private running = false;
  private stepping = false;
  private kicked = false;
  private idleSpins = 0;
  /** While yielding for a near deadline: when it is, and whether a kick came meanwhile. */
  private waitUntil = 0;
  private waitYields = 0;
  private nearWaits = 0;
  private wakeEarly = false;
  /** The last kick woke the loop from a sleep on a timer (nothing was going on). */
  private wokeFromSleep = false;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: LoopHooks,
    private readonly sched: Scheduler = nodeScheduler,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleImmediate();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.sched.clearTimeout(this.timer);
    if (this.immediate !== null) this.sched.clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Something outside changed (host data queued, a frame arrived): run a step as soon as possible. */
  kick(): void {
    if (!this.running) return;
    if (this.stepping) {
      this.kicked = true; // the step in progress reschedules immediately
      return;
    }
    this.idleSpins = 0;
    this.nearWaits = 0;
    if (this.immediate !== null) {
      this.wakeEarly = true; // a yield for a near deadline is under way: it steps at once instead
      return;
    }
    // Asleep: step at the next turn. The sleep's timer stays armed (run() keeps it when it is not
    // later than the next deadline): a cold clearTimeout and setTimeout cost ~15 µs each (§1b).
    this.wokeFromSleep = true;
    this.scheduleImmediate();
  }

  /**
   * A frame came in from outside (a TAP): if the loop was asleep, step now, in the caller's turn, and
   * spin through the next few µs of deadlines (the wire's serialisation), so a lone frame such as a
   * ping is answered before this turn of Node's event loop ends. Measured on a TAP, a ping waited
   * ~100-190 µs between the frame's read and the step the kick scheduled when the process had been idle
   * (BENCHMARKS.md §1b). When the loop is busy anyway (a burst), this is a kick: one step per frame
   * would cost more than it saves.
   */
  runNow(): void {
    if (!this.running || this.stepping || !this.sched.spinUntil) {
      this.kick();
      return;
    }
    // Asleep: nothing scheduled but the sleep's timer, or only the step a kick scheduled out of it.
    const asleep = this.immediate === null || this.wokeFromSleep;
    if (!asleep) {
      this.kick();
      return;
    }
    if (this.immediate !== null) this.sched.clearImmediate(this.immediate);
    this.immediate = null;
    this.idleSpins = 0;
    this.nearWaits = 0;
    this.run(SYNC_STEPS);
  }

  private scheduleImmediate(): void {
    this.stats.immediates++;
    this.immediate = this.sched.setImmediate(() => this.run());
  }

  /** Yields until `until` (less than a millisecond away) or a kick, then steps; no step in between. */
  private scheduleWait(until: number): void {
    this.waitUntil = until;
    this.waitYields = 0;
    this.wakeEarly = false;
    this.stats.immediates++;
    this.immediate = this.sched.setImmediate(() => this.checkWait());
  }

  private checkWait(): void {
    this.immediate = null;
    if (!this.running) return;
    if (this.wakeEarly || this.clock.nowMs() >= this.waitUntil) {
      this.run();
      return;
    }
    if (++this.waitYields > MAX_WAIT_YIELDS) {
      this.sleep(1);
      return;
    }
    this.immediate = this.sched.setImmediate(() => this.checkWait());
  }

  /** One step, then schedules the next; `syncSteps` > 0: near deadlines are spun for and stepped here. */
  private run(syncSteps = 0): void {
    this.immediate = null;
    this.wakeEarly = false;
    this.wokeFromSleep = false;
    if (!this.running) return;
    this.stepping = true;
    this.kicked = false;
    let next: number;
    let busy: boolean;
    try {
      next = this.hooks.step(this.clock.nowMs());
      busy = this.hooks.busy();
    } catch (err) {
      this.stepping = false;
      this.stop();
      this.hooks.onError(err);
      return;
    }
    this.stepping = false;
    this.stats.steps++;
    if (!this.running) return; // stopped from inside the step
    const now = this.clock.nowMs();
    if (busy || this.kicked) {
      if (syncSteps > 1) {
        this.run(syncSteps - 1);
        return;
      }
      this.idleSpins = 0;
      this.nearWaits = 0;
      this.scheduleImmediate();
      return;
    }
    let wait = next - now;
    if (!(wait > 0)) {
      // Due now: go again at once, but never spin for ever on a deadline that does not move.
      if (++this.idleSpins <= MAX_IDLE_SPINS) {
        this.scheduleImmediate();
        return;
      }
      wait = 1;
    } else if (syncSteps > 1 && wait <= SPIN_MS && this.sched.spinUntil) {
      this.sched.spinUntil(this.clock, next);
      this.run(syncSteps - 1);
      return;
    } else if (wait < MIN_TIMER_MS) {
      // Node's timers count whole milliseconds: a frame due on the wire in 7 µs would wait a full
      // millisecond, at every hop (with the millisecond clock, most of a ping's 3 ms on a TAP). Yield
      // until then without stepping: a whole step per yield cost ~9 steps per segment sent on a TAP.
      // A deadline that keeps moving ahead with nothing else happening is not chased for ever.
      if (++this.nearWaits <= MAX_NEAR_WAITS) {
        this.idleSpins = 0;
        this.scheduleWait(next);
        return;
      }
      wait = 1;
    } else {
      this.idleSpins = 0;
    }
    this.nearWaits = 0;
    if (wait > MAX_SLEEP_MS || wait !== wait) wait = MAX_SLEEP_MS;
    this.sleep(wait);
  }

  /**
   * Sleeps until `wait` ms from now: on the timer already armed when it fires no later (an early wake
   * is one idle step), else on a new one. A ping on an idle loop then costs no timer at all.
   */
  private sleep(wait: number): void {
    const at = this.clock.nowMs() + Math.ceil(wait);
    if (this.timer !== null) {
      if (this.timerAt <= at) return;
      this.sched.clearTimeout(this.timer);
    }
    this.stats.timers++;
    this.timerAt = at;
    this.timer = this.sched.setTimeout(() => this.timerFired(), Math.ceil(wait));
  }

  private timerFired(): void {
    this.timer = null;
    // A step is scheduled already (a kick, a burst): it runs; this wake-up has nothing to add.
    if (this.immediate !== null || this.stepping) return;
    this.run();
  }
}
