// The emitter calls listeners as plain functions (tcp/events.ts): in Espruino 2v29, calls made with an
// object as explicit `this` that re-enter its methods three deep leak a lock on it, and an object with a
// lock is never freed (every closed echo connection that had paused stayed in memory). Run in the real
// interpreter: 40 emitters with events nested five deep leave nothing behind; the call(this) pattern,
// as a control, does leave its objects behind (if a later Espruino fixes that, this test says so).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { runUnderEspruino } from '../../tools/gate/espruino';
import { interpreterOrSkip } from '../helpers/espruino-real';
import { Emitter } from '../../tcp/events';

test('listeners are plain calls: nested emits leave no object behind in Espruino', () => {
  if (!interpreterOrSkip('linux', 'emitter re-entry in the real interpreter')) return;
  const b = buildBundle({ entry: 'test/tcp/fixtures/emitter-reentry.ts' });
  const r = runUnderEspruino(b.code, { timeoutMs: 20000 });
  assert.ok(r.ok, (r.problem || '') + '\n' + r.output);
  const ours = /EMITTER-GROWTH (-?\d+)/.exec(r.output);
  const control = /CALL-THIS-GROWTH (-?\d+)/.exec(r.output);
  assert.ok(ours && control, r.output);
  assert.ok(Number(ours![1]) <= 2, 'the emitters were freed: growth ' + ours![1] + ' blocks');
  assert.ok(Number(control![1]) >= 40, 'control: Espruino keeps objects whose methods re-entered through call(this) (' + control![1] + ' blocks)');
});

test('on Node too: listeners get their arguments, once() fires once, nesting works', () => {
  const e = new Emitter();
  const seen: Array<[unknown, unknown]> = [];
  e.once('x', (a: unknown, b: unknown) => seen.push([a, b]));
  e.emit('x', 1, 2);
  e.emit('x', 3, 4);
  assert.equal(seen, [[1, 2]]);
  let depth = 0;
  e.on('d', (k: number) => { depth = k; if (k < 5) e.emit('d', k + 1); });
  e.emit('d', 0);
  assert.is(depth, 5);
});

test.run();
