// The namespace and TAP rig (tools/netns.ts, which the bench uses too), and the tests' way to skip without root.
import { skipTest, AS_ROOT } from './skip';
import { isRoot } from '../../tools/netns';

export * from '../../tools/netns';

/** True when the test may run; otherwise the test is skipped (counted, named: test/helpers/skip.ts). */
export function needRoot(what: string): boolean {
  if (isRoot) return true;
  skipTest(what, 'needs root (network namespaces, TAP devices)', AS_ROOT);
  return false;
}
