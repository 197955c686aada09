// When the real-interpreter tests run, and how they skip (the rig itself: tools/espruino-real.ts).
// Without an interpreter, `interpreterOrSkip` skips the test (counted by the runner), except under
// CI=true, where it throws.
import { InterpreterName, Runnable } from '../../tools/espruino-bin';
import { espruinoInterpreter, missingIsFailure } from '../../tools/gate/espruino';
import { skipTest } from './skip';
import { needRoot } from './netns';

/** The interpreter, ready to run; null (the test skipped: test/helpers/skip.ts) when there is none outside CI. */
export function interpreterOrSkip(name: InterpreterName, what: string): Runnable | null {
  const run = espruinoInterpreter(name);
  if (typeof run !== 'string') return run;
  if (missingIsFailure()) throw new Error(what + ': ' + run + ' (CI=true: a missing interpreter is a failure)');
  skipTest(what + ' in the real Espruino interpreter', run, 'ESPRUINO_BIN=/path/to/espruino-' + name + ' npm test (or put the interpreters in ../shared/espruino/bin/)');
  return null;
}

/** True when the real-interpreter network tests can run here (root for TAP and namespaces). */
export function canRunOnTap(what: string): boolean {
  if (process.env.CI === 'true' && !(typeof process.getuid === 'function' && process.getuid() === 0)) {
    throw new Error(what + ': needs root (TAP devices, network namespaces) and CI=true forbids skipping');
  }
  return needRoot(what);
}
