// Client commands for checks against the device from the Linux side: run on the host or inside a
// network namespace (`ip netns exec`), without blocking the event loop; and the bytes /bytes/N serves.
// Used by the tests (test/sim-tool/contract.ts) and the bench. Commands run through tools/netns.ts `run`.
import { BYTES_PATTERN } from '../firmware/apps/http-app';
import { run, RunResult } from './netns';

export { run };
export type { RunResult };

/** How a client command is run: directly on the host, or inside a namespace (`ip netns exec NS`). */
export type Runner = (cmd: string, args: string[], timeoutMs: number, input?: Buffer) => Promise<RunResult>;

export const hostRunner: Runner = run;

export function netnsRunner(ns: string): Runner {
  return (cmd, args, timeoutMs, input) => run('ip', ['netns', 'exec', ns, cmd].concat(args), timeoutMs, input);
}

/** What /bytes/N serves: byte i is BYTES_PATTERN[i % 64]. */
export function expectedBytes(n: number): Buffer {
  const block = Buffer.from(BYTES_PATTERN.repeat(Math.ceil(n / 64) || 1), 'latin1');
  return block.subarray(0, n);
}

