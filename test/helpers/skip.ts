// One way to skip a test that this machine cannot run: a marked line naming the test, why, and the one
// command that would let it run. tools/run-tests.js counts these lines: the closing line says how many
// were skipped and lists them. Under CI=true nothing may be skipped: skipTest throws instead.

/** The marker tools/run-tests.js looks for (keep the two in step). */
export const SKIP_MARK = 'ETCPIP-SKIPPED';

export function skipTest(what: string, why: string, toRun: string): void {
  if (process.env.CI === 'true') throw new Error(what + ': ' + why + ' — CI=true forbids skipping (' + toRun + ')');
  console.warn('\n*** ' + SKIP_MARK + ': ' + what + ' — ' + why + '; to run it: ' + toRun + ' ***\n');
}

/** What lets the root-only tests run. */
export const AS_ROOT = 'sudo npm test';
