// Network namespaces and TAP devices for tests against the real Linux network stack. Everything made
// here is named `etcpip-…`, recorded, and removed in `cleanup()`, which also runs from a process exit
// hook (so an assertion failure or a crash leaves nothing behind). Processes started with `spawn`
// are killed there too. Needs root (the tests skip without it: test/helpers/netns.ts needRoot; the
// bench says so).
import { execFileSync, spawn, ChildProcess } from 'child_process';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

/** A RunResult with its output as text (`Netns.exec`). */
export interface TextResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a command WITHOUT blocking the event loop (a stack under test in this process keeps moving
 * frames meanwhile); killed after `timeoutMs`. `input`, if given, is its standard input (otherwise it
 * has none). The one way the tests, the bench and tools/kernel-client.ts run a command.
 */
export function run(cmd: string, args: string[], timeoutMs: number, input?: Buffer): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => { if (err.length < 100000) err += b.toString(); });
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: Buffer.concat(out), stderr: err, timedOut }); });
    if (input) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10000 });
}

const namespaces: string[] = [];
const taps: string[] = [];
const children: ChildProcess[] = [];

/** Removes everything made by this module (idempotent, never throws). */
export function cleanup(): void {
  for (const c of children.splice(0)) {
    try { if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); } catch { /* gone */ }
  }
  for (const t of taps.splice(0)) {
    try { ip(['link', 'del', t]); } catch { /* moved into a namespace or gone */ }
  }
  for (const n of namespaces.splice(0)) {
    try { ip(['netns', 'del', n]); } catch { /* gone */ }
  }
}

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { cleanup(); process.exit(130); });
  }
}

/** A unique short suffix (interface names are limited to 15 characters). */
export function uniqueSuffix(): string {
  return (process.pid % 100000).toString(36) + Math.floor(Math.random() * 1296).toString(36);
}

export class Netns {
  private constructor(readonly name: string) {}

  /** Creates namespace `etcpip-<label>` (deleting a stale one of that name first), loopback up. */
  static create(label: string): Netns {
    hook();
    const name = 'etcpip-' + label;
    if (!/^etcpip-[A-Za-z0-9_-]{1,40}$/.test(name)) throw new Error('bad namespace name ' + name);
    try { ip(['netns', 'del', name]); } catch { /* none */ }
    ip(['netns', 'add', name]);
    namespaces.push(name);
    const ns = new Netns(name);
    ns.ip(['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** `ip -n NS ...` (synchronous; for configuration only). */
  ip(args: string[]): void {
    ip(['-n', this.name].concat(args));
  }

  /** Runs a command inside the namespace without blocking, killed after `timeoutMs`. */
  exec(cmd: string, args: string[], timeoutMs: number): Promise<TextResult> {
    return run('ip', ['netns', 'exec', this.name, cmd].concat(args), timeoutMs).then((r) =>
      ({ code: r.code, stdout: r.stdout.toString(), stderr: r.stderr, timedOut: r.timedOut }));
  }

  /** Starts a long-running process inside the namespace; it is killed by `cleanup()` at the latest. */
  spawn(cmd: string, args: string[]): ChildProcess {
    const c = spawn('ip', ['netns', 'exec', this.name, cmd].concat(args), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(c);
    return c;
  }

  /** Moves `tap` (opened already, in the root namespace) in here, gives it `cidr` and brings it up. */
  adoptTap(tap: string, cidr: string): void {
    ip(['link', 'set', tap, 'netns', this.name]);
    const i = taps.indexOf(tap);
    if (i >= 0) taps.splice(i, 1); // deleted with the namespace from now on
    this.ip(['addr', 'add', cidr, 'dev', tap]);
    this.ip(['link', 'set', tap, 'up']);
  }

  destroy(): void {
    const i = namespaces.indexOf(this.name);
    if (i >= 0) namespaces.splice(i, 1);
    try { ip(['netns', 'del', this.name]); } catch { /* gone */ }
  }
}

/** Creates TAP `name` in the root namespace (recorded for cleanup). */
export function createTap(name: string): void {
  hook();
  if (!/^etcpip-[A-Za-z0-9_-]{1,8}$/.test(name)) throw new Error('bad TAP name ' + name + ' (etcpip- + ≤ 8 characters)');
  try { ip(['link', 'del', name]); } catch { /* none */ }
  ip(['tuntap', 'add', name, 'mode', 'tap']);
  taps.push(name);
}

/** Kills a process started with Netns.spawn (and waits for it, bounded). */
export function stopChild(c: ChildProcess, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) { resolve(); return; }
    const t = setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } resolve(); }, timeoutMs);
    c.once('exit', () => { clearTimeout(t); resolve(); });
    c.kill('SIGTERM');
  });
}
