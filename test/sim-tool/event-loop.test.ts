import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { Scheduler, SimLoop } from '../../tools/sim/event-loop';

/** Timers on a virtual clock: nothing runs until the test says so. */
class FakeScheduler implements Scheduler {
  timers: Array<{ id: number; at: number; fn: () => void }> = [];
  immediates: Array<{ id: number; fn: () => void }> = [];
  private nextId = 1;
  /** Timer operations (set and clear of timeouts and immediates), each ~15 µs on an idle Node process. */
  timerOps = 0;
  constructor(private readonly clock: VirtualClock) {}
  setTimeout(fn: () => void, ms: number): unknown {
    this.timerOps++;
    const t = { id: this.nextId++, at: this.clock.nowMs() + ms, fn };
    this.timers.push(t);
    return t.id;
  }
  clearTimeout(h: unknown): void {
    this.timerOps++;
    this.timers = this.timers.filter((t) => t.id !== h);
  }
  setImmediate(fn: () => void): unknown {
    this.timerOps++;
    const i = { id: this.nextId++, fn };
    this.immediates.push(i);
    return i.id;
  }
  clearImmediate(h: unknown): void {
    this.timerOps++;
    this.immediates = this.immediates.filter((i) => i.id !== h);
  }
  spins: number[] = [];
  spinUntil(clock: VirtualClock, untilMs: number): void {
    this.spins.push(untilMs - clock.nowMs());
    clock.advanceTo(untilMs);
  }
  /** Runs queued immediates (at most `max` rounds); returns how many ran. */
  runImmediates(max = 1000): number {
    let n = 0;
    while (this.immediates.length && n < max) {
      const i = this.immediates.shift()!;
      i.fn();
      n++;
    }
    return n;
  }
  /** Advances the clock to the next timer and runs it. */
  runNextTimer(): boolean {
    if (!this.timers.length) return false;
    this.timers.sort((a, b) => a.at - b.at);
    const t = this.timers.shift()!;
    this.clock.advanceTo(t.at);
    t.fn();
    return true;
  }
}

function setup(step: (now: number) => number, busy: () => boolean = () => false) {
  const clock = new VirtualClock(1000);
  const sched = new FakeScheduler(clock);
  const errors: unknown[] = [];
  const steps: number[] = [];
  const loop = new SimLoop(clock, {
    step: (now) => {
      steps.push(now);
      return step(now);
    },
    busy,
    onError: (e) => errors.push(e),
  }, sched);
  return { clock, sched, loop, errors, steps };
}

test('idle: one step, then it sleeps on a timer (no busy loop), at most a second', () => {
  const { sched, loop, steps } = setup(() => Infinity);
  loop.start();
  assert.is(sched.runImmediates(), 1);
  assert.is(steps.length, 1);
  assert.is(sched.immediates.length, 0);
  assert.is(sched.timers.length, 1);
  assert.is(sched.timers[0].at, 2000);
});

test('it wakes exactly at the deadline the step returned', () => {
  const { clock, sched, loop, steps } = setup((now) => (now < 1030 ? 1030 : Infinity));
  loop.start();
  sched.runImmediates();
  assert.is(sched.timers[0].at, 1030);
  sched.runNextTimer();
  assert.equal(steps, [1000, 1030]);
  assert.is(clock.nowMs(), 1030);
});

test('while work is pending it steps again through setImmediate; then it sleeps', () => {
  let pending = 5;
  const { sched, loop, steps } = setup(() => { if (pending > 0) pending--; return Infinity; }, () => pending > 0);
  loop.start();
  assert.is(sched.runImmediates(), 5);
  assert.is(steps.length, 5);
  assert.is(sched.timers.length, 1);
});

test('kick() during a sleep steps at the next turn and leaves the sleep\'s timer armed; repeated kicks queue one step', () => {
  const { sched, loop, steps } = setup(() => Infinity);
  loop.start();
  sched.runImmediates();
  assert.is(sched.timers.length, 1);
  const armed = sched.timers[0];
  loop.kick();
  loop.kick();
  assert.is(sched.immediates.length, 1);
  sched.runImmediates();
  assert.is(steps.length, 2);
  assert.equal(sched.timers, [armed], 'the same wake-up still serves: no clear and set again');
  sched.runNextTimer();
  assert.is(steps.length, 3);
  assert.is(sched.timers.length, 1);
});

test('a sleep re-arms only for an earlier deadline; a timer that fires early is one idle step', () => {
  let deadline = Infinity;
  const { clock, sched, loop, steps } = setup(() => deadline);
  loop.start();
  sched.runImmediates();
  assert.is(sched.timers[0].at, 2000, 'nothing due: a second at most');
  deadline = 1010;
  loop.kick();
  sched.runImmediates();
  assert.is(sched.timers.length, 1);
  assert.is(sched.timers[0].at, 1010, 'an earlier deadline: re-armed');
  deadline = 1500;
  loop.kick();
  sched.runImmediates();
  assert.is(sched.timers[0].at, 1010, 'a later one: the armed timer is kept');
  sched.runNextTimer();
  assert.is(clock.nowMs(), 1010);
  assert.is(steps.length, 4, 'the early wake steps once');
  assert.is(sched.timers[0].at, 1500, 'and sleeps to the deadline');
  loop.stop();
});

test('a timer that fires while a step is already scheduled adds no step', () => {
  const { sched, loop, steps } = setup((now) => now + 500);
  loop.start();
  sched.runImmediates();
  loop.kick();
  assert.is(sched.immediates.length, 1);
  sched.runNextTimer();
  assert.is(steps.length, 1, 'the timer left it to the scheduled step');
  sched.runImmediates();
  assert.is(steps.length, 2);
  loop.stop();
});

test('a kick from inside a step makes the loop step again', () => {
  let kicks = 2;
  // eslint-disable-next-line prefer-const
  let loopRef: SimLoop;
  const { sched, loop, steps } = setup(() => { if (kicks-- > 0) loopRef.kick(); return Infinity; });
  loopRef = loop;
  loop.start();
  sched.runImmediates();
  assert.is(steps.length, 3);
});

test('a deadline less than a millisecond away is waited for by yielding, not with a whole-millisecond timer, and without steps in between', () => {
  const { clock, sched, loop, steps } = setup((now) => now + 0.007);
  loop.start();
  sched.runImmediates(5);
  assert.is(steps.length, 1, 'yields until the deadline without stepping');
  assert.is(sched.timers.length, 0, 'no timer: Node\'s would round 7 µs up to 1 ms');
  clock.advance(0.007);
  sched.runImmediates(1);
  assert.is(steps.length, 2, 'steps once the deadline has come');
  // On this clock time stands still now, so the deadline never comes: the yields are bounded, then it sleeps 1 ms.
  sched.runImmediates(100000);
  assert.is(steps.length, 2);
  assert.is(sched.timers.length, 1);
  assert.is(sched.timers[0].at, clock.nowMs() + 1);
  loop.stop();
});

test('a kick while yielding for a near deadline steps at once', () => {
  const { clock, sched, loop, steps } = setup((now) => now + 0.5);
  loop.start();
  sched.runImmediates(3);
  assert.is(steps.length, 1);
  loop.kick();
  sched.runImmediates(1);
  assert.is(steps.length, 2);
  loop.stop();
});

test('a deadline that keeps moving ahead with nothing happening is not chased for ever', () => {
  const { clock, sched, loop, steps } = setup((now) => now + 0.001);
  loop.start();
  for (let i = 0; i < 5000 && sched.immediates.length; i++) { clock.advance(0.001); sched.runImmediates(1); }
  assert.ok(steps.length > 100 && steps.length <= 1100, 'steps ' + steps.length);
  assert.is(sched.immediates.length, 0);
  assert.is(sched.timers.length, 1, 'then a 1 ms sleep');
  loop.stop();
});

test('a deadline stuck in the past does not spin for ever: it backs off to 1 ms timers', () => {
  const { clock, sched, loop, steps } = setup((now) => now - 5);
  loop.start();
  const ran = sched.runImmediates(10000);
  assert.ok(ran < 100, 'spun ' + ran + ' times');
  assert.is(sched.immediates.length, 0);
  assert.is(sched.timers.length, 1);
  assert.is(sched.timers[0].at, clock.nowMs() + 1);
  const before = steps.length;
  sched.runNextTimer();
  assert.is(steps.length, before + 1);
});

test('runNow() while asleep steps in the caller\'s turn and spins through a deadline µs away (a lone ping on a TAP)', () => {
  // The wire delivers the frame 9.76 µs after it was put on (100 Mb/s); then the reply is due as long after.
  let frameAt = Infinity;
  const { clock, sched, loop, steps } = setup((now) => (now >= frameAt ? Infinity : frameAt));
  loop.start();
  sched.runImmediates();
  assert.is(sched.timers.length, 1, 'asleep');
  frameAt = clock.nowMs() + 0.00976;
  sched.timerOps = 0;
  loop.runNow(); // the TAP's frame (the simulator does not kick for it: tools/sim/simulator.ts)
  assert.is(steps.length, 3, 'the step now, and the one at the frame\'s deadline, without a turn of the event loop');
  assert.equal(sched.spins.map((d) => Math.round(d * 1e5) / 1e5), [0.00976]);
  assert.is(steps[2], frameAt);
  assert.is(sched.immediates.length, 0);
  assert.is(sched.timers.length, 1, 'asleep again');
  assert.is(sched.timerOps, 0, 'on the timer it slept on: no timer set or cleared for a ping');
});

test('runNow() after a kick in the same turn steps at once and drops the kick\'s step', () => {
  const { sched, loop, steps } = setup(() => Infinity);
  loop.start();
  sched.runImmediates();
  loop.kick();
  loop.runNow();
  assert.is(steps.length, 2);
  assert.is(sched.immediates.length, 0);
  assert.is(sched.timers.length, 1);
});

test('runNow() while the loop is busy is a kick: no step per frame in a burst', () => {
  let pending = 3;
  const { sched, loop, steps } = setup(() => { if (pending > 0) pending--; return Infinity; }, () => pending > 0);
  loop.start();
  sched.runImmediates(1);
  assert.is(steps.length, 1);
  loop.runNow();
  loop.runNow();
  assert.is(steps.length, 1, 'no step inside the caller\'s turn');
  assert.is(sched.immediates.length, 1);
  sched.runImmediates();
  assert.is(sched.spins.length, 0);
});

test('runNow() spins only for deadlines a few µs away and stops after a few steps', () => {
  // A loop asleep on a timer, then runNow with a deadline that keeps coming 5 µs later: bounded.
  const near = setup((now) => (now < 1000.0001 ? Infinity : now + 0.005));
  near.loop.start();
  near.sched.runImmediates(1);
  near.clock.advance(0.001);
  near.loop.runNow();
  assert.ok(near.steps.length <= 5, 'steps ' + near.steps.length);
  assert.ok(near.sched.spins.length <= 3);
  assert.is(near.sched.immediates.length, 1, 'then back to the loop\'s own scheduling');
  near.loop.stop();
  // A deadline half a millisecond away is never spun for.
  const half = setup((now) => (now < 1000.0001 ? Infinity : now + 0.5));
  half.loop.start();
  half.sched.runImmediates(1);
  half.clock.advance(0.001);
  half.loop.runNow();
  assert.is(half.sched.spins.length, 0);
  assert.is(half.steps.length, 2);
  half.loop.stop();
});

test('a step that throws stops the loop and reports the error', () => {
  const { sched, loop, errors } = setup(() => { throw new Error('boom'); });
  loop.start();
  sched.runImmediates();
  assert.is(errors.length, 1);
  assert.is((errors[0] as Error).message, 'boom');
  assert.is(loop.isRunning(), false);
  assert.is(sched.timers.length + sched.immediates.length, 0);
  loop.kick();
  assert.is(sched.immediates.length, 0, 'a stopped loop ignores kicks');
});

test('stop() cancels whatever is scheduled', () => {
  const { sched, loop } = setup(() => 5000);
  loop.start();
  sched.runImmediates();
  assert.is(sched.timers.length, 1);
  loop.stop();
  assert.is(sched.timers.length + sched.immediates.length, 0);
});

test.run();
