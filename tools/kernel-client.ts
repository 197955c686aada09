// Client commands for checks against the device from the Linux side: run on the host or inside a
// network namespace (`ip netns exec`), without blocking the event loop; and the bytes /bytes/N serves.
// Used by the tests (test/sim-tool/contract.ts) and the bench.
import { spawn } from 'child_process';
import { BYTES_PATTERN } from '../firmware/apps/http-app';

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a command WITHOUT blocking the event loop (the simulator runs in this process and must keep
 * moving frames while the client runs). Killed after `timeoutMs`.
 */
export function run(cmd: string, args: string[], timeoutMs: number, input?: Buffer): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => { if (err.length < 20000) err += b.toString(); });
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err, timedOut });
    });
    child.stdin.on('error', () => undefined);
    if (input) child.stdin.end(input);
    else child.stdin.end();
  });
}

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

