// The gate's real-interpreter half: every shipped bundle (the firmware for pico, wifi, esp32 and linux,
// and the device smoke bundle) runs in Espruino 2v29's Linux build (tools/gate/espruino.ts) for a
// bounded time. Without the interpreter each test prints a SKIPPED line and returns; with CI=true it fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle, SMOKE_ENTRY } from '../../tools/build/bundle';
import { runUnderDuk } from '../../tools/gate/duk';
import { interpreterOrSkip } from '../helpers/espruino-real';
import {
  runFirmwareUnderEspruino, runUnderEspruino, SHIPPED_BOARDS, smokePassedReal,
} from '../../tools/gate/espruino';

/** True when the interpreter runs here; otherwise skips loudly (or fails under CI=true). */
function haveInterpreter(what: string): boolean {
  return interpreterOrSkip('linux', what) !== null;
}

const smoke = buildBundle({ entry: SMOKE_ENTRY });

test('the smoke bundle prints its pass marker in real Espruino, with the same count as under Duktape', () => {
  if (!haveInterpreter('the smoke bundle')) return;
  const t0 = Date.now();
  const r = runUnderEspruino(smoke.code, { timeoutMs: 20000 });
  assert.ok(Date.now() - t0 < 25000);
  assert.ok(smokePassedReal(r), (r.problem || '') + '\n' + r.output);
  assert.match(r.output, /^SMOKE ok native\/frame-udp-checksum/m); // E.sum exists there: the device path ran
  const duk = runUnderDuk(smoke.code);
  const count = (s: string) => (s.match(/^SMOKE PASS (\d+)/m) || [])[1];
  assert.is(count(r.output), count(duk.output));
});

for (const board of SHIPPED_BOARDS) {
  test('the firmware bundle for ' + board + ' loads in real Espruino without an uncaught error', () => {
    if (!haveInterpreter('the ' + board + ' firmware')) return;
    const b = buildBundle({ entry: 'firmware/main.ts', board });
    const t0 = Date.now();
    const r = runFirmwareUnderEspruino(b.code, board, 3000);
    assert.ok(Date.now() - t0 < 10000, 'bounded');
    assert.ok(r.ok, board + ': ' + r.problem + '\n' + r.output);
    assert.ok(r.timedOut, 'the firmware keeps running (timers) until the limit');
    if (board === 'linux') assert.match(r.output, /^\[etcpip\] Espruino Linux build.*: w5500, MAC /m);
    else assert.match(r.output, /^\[etcpip\] .*; retrying in 30 s/m);
  });
}

test('the runner fails a bundle that throws at load, one that does not parse, and a length assignment', () => {
  if (!haveInterpreter('the runner checks')) return;
  const thrown = runUnderEspruino(smoke.code.replace('{', '{throw new Error("planted");'));
  assert.not.ok(thrown.ok);
  assert.match(thrown.problem || '', /Uncaught Error: planted/);
  assert.not.ok(smokePassedReal(thrown));
  const syntax = runUnderEspruino('var x = ;');
  assert.not.ok(syntax.ok);
  assert.match(syntax.problem || '', /SyntaxError/);
  // What the length-assignment rule is for: Duktape accepts it, Espruino throws.
  const length = runUnderEspruino('var a = [1, 2]; a.length = 0; print("after");');
  assert.not.ok(length.ok);
  assert.match(length.output, /Assignment to a constant/);
  assert.ok(runUnderDuk('var a = [1, 2]; a.length = 0; print("after");').ok);
  // A timer error is reported as uncaught too (the interpreter itself exits 0 there).
  const late = runUnderEspruino('setTimeout(function () { null.x; }, 10);');
  assert.not.ok(late.ok);
});

test('the runner stops a bundle that never ends at its limit, and passes one that prints nothing fatal', () => {
  if (!haveInterpreter('the runner time limit')) return;
  const t0 = Date.now();
  const r = runUnderEspruino('setInterval(function () {}, 100); print("alive");', { timeoutMs: 1500 });
  const took = Date.now() - t0;
  assert.ok(r.timedOut && r.ok, r.problem);
  assert.ok(took < 6000, 'took ' + took + ' ms');
  assert.match(r.output, /^alive/m);
  const quick = runUnderEspruino('print("done");');
  assert.ok(quick.ok && !quick.timedOut, quick.problem);
});

test.run();
