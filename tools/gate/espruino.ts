// The gate's run in the REAL interpreter: a bundle in Espruino 2v29's Linux build (tools/espruino-bin.ts
// finds it: ESPRUINO_BIN or ../shared/espruino/bin/), beside the Duktape run (tools/gate/duk.ts). Espruino is right
// where the two disagree. File mode (`espruino-linux bundle.js`): the Linux build's pool grows, so the
// whole bundle fits. The firmware keeps timers for ever, so every run is cut at a hard time limit.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureRunnable, findInterpreter, InterpreterName, Runnable } from '../espruino-bin';
import { boardConfig } from '../../firmware/boards';

/** Board presets whose firmware ships to a device (sim runs only on the host). */
export const SHIPPED_BOARDS = ['pico', 'wifi', 'esp32', 'linux'];

export interface EspruinoResult {
  /** No fatal line in the output, and the interpreter exited 0 or was stopped by our time limit. */
  ok: boolean;
  /** Output after the banner, 0xF7 bytes removed. */
  output: string;
  status: number | null;
  signal: string | null;
  /** Stopped by the time limit (normal for the firmware, which keeps timers). */
  timedOut: boolean;
  /** Why it is not ok (first fatal line, crash, exit status), or undefined. */
  problem?: string;
}

/** How to run the named interpreter here, or a problem text saying what is missing. */
export function espruinoInterpreter(name: InterpreterName = 'linux', env: NodeJS.ProcessEnv = process.env): Runnable | string {
  const file = findInterpreter(name, env);
  if (!file) {
    return 'espruino-' + name + ' not found (set ESPRUINO_BIN to a directory holding the Espruino 2v29 Linux builds, ' +
      'or put them in ../shared/espruino/bin/)';
  }
  return ensureRunnable(file);
}

/** CI=true: a missing interpreter fails; otherwise it is skipped with a loud line. */
export function missingIsFailure(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true';
}

export function skippedLine(what: string, problem: string): string {
  return 'SKIPPED ' + what + ' in the real Espruino interpreter (' + problem + '; what to install/set: ESPRUINO_BIN)';
}

/** Lines that mean the bundle failed in Espruino, whatever else it printed. */
const FATAL = [
  /Uncaught/,
  /SyntaxError/,
  /OUT OF MEMORY/i,
  /LOW_MEMORY/,
  /ASSERT/,
  /INTERNAL ERROR/i,
  /Execution Interrupted/,
  /New interpreter error/,
  /^ERROR:/, // a jsError line; the SPI presets tolerate "No path defined for device" (no SPI on Linux)
];

/** The first line of `output` that is fatal and not tolerated, or null. */
export function fatalLine(output: string, tolerate: RegExp[] = []): string | null {
  for (const line of output.split('\n')) {
    if (FATAL.some((re) => re.test(line)) && !tolerate.some((re) => re.test(line))) return line.trim();
  }
  return null;
}

/** Drops 0xF7 bytes (the REPL at end of input) and the start-up banner. */
export function cleanOutput(raw: string): string {
  let s = raw.replace(/\xf7/g, '');
  const i = s.indexOf('espruino.com/Donate');
  if (i >= 0) s = s.slice(s.indexOf('\n', i) + 1);
  return s;
}

let netnsProbe: boolean | null = null;

/**
 * Can we run the interpreter in a private network namespace (`unshare -n`, needs root)? The linux
 * preset binds UDP port 5556 and sends to 127.0.0.1:5555; in its own namespace (loopback up, nothing
 * else) it neither collides with a relay or another test holding those ports, nor reaches them.
 */
function privateNetns(): boolean {
  if (netnsProbe === null) {
    const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { timeout: 5000, stdio: 'ignore' });
    netnsProbe = !r.error && r.status === 0;
  }
  return netnsProbe;
}

/** The command line that runs `file` in `run`, in a private network namespace where possible. */
function commandLine(run: Runnable, file: string, isolate: boolean): { command: string; args: string[] } {
  const args = run.prefix.concat([file]);
  if (!isolate || !privateNetns()) return { command: run.command, args };
  // unshare and sh exec in turn: the interpreter keeps the PID the time limit kills.
  return { command: 'unshare', args: ['-n', 'sh', '-c', 'ip link set lo up; exec "$0" "$@"', run.command].concat(args) };
}

export interface EspruinoRunOptions {
  interpreter?: InterpreterName;
  /** Hard limit; the process is killed (SIGKILL) at it. */
  timeoutMs?: number;
  /** Output lines that are not fatal for this bundle. */
  tolerate?: RegExp[];
  env?: NodeJS.ProcessEnv;
  /** Run in a private network namespace when possible (default true). */
  isolate?: boolean;
}

/**
 * Runs `code` as a file in the real interpreter for at most `timeoutMs` (default 3 s). Returns a result
 * with `problem` set to what is missing when the interpreter cannot be run here.
 */
export function runUnderEspruino(code: string, opts: EspruinoRunOptions = {}): EspruinoResult & { missing?: string } {
  const run = espruinoInterpreter(opts.interpreter || 'linux', opts.env);
  if (typeof run === 'string') return { ok: false, output: '', status: null, signal: null, timedOut: false, problem: run, missing: run };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-espruino-'));
  const file = path.join(dir, 'bundle.js');
  try {
    fs.writeFileSync(file, code);
    const cl = commandLine(run, file, opts.isolate !== false);
    // Standard input stays open and empty: at its end the Linux build reads 0xF7 bytes as console input
    // without pause, and its input queue overflows ("New interpreter error: FIFO_FULL", seen in the
    // gate). A FIFO opened read-write here never reaches its end.
    const fifo = path.join(dir, 'stdin');
    const made = spawnSync('mkfifo', [fifo]);
    const stdinFd = !made.error && made.status === 0 ? fs.openSync(fifo, 'r+') : null;
    const r = spawnSync(cl.command, cl.args, {
      cwd: dir, // Espruino's Storage file (espruino.flash) lands here, not in the work tree
      stdio: [stdinFd === null ? 'pipe' : stdinFd, 'pipe', 'pipe'],
      input: stdinFd === null ? '' : undefined,
      encoding: 'latin1',
      timeout: opts.timeoutMs || 3000,
      killSignal: 'SIGKILL',
      maxBuffer: 1 << 24,
    });
    const output = cleanOutput((r.stdout || '') + (r.stderr || ''));
    const timedOut = !!r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    let problem: string | undefined;
    const fatal = fatalLine(output, opts.tolerate);
    if (fatal) problem = 'fatal output: ' + fatal;
    else if (r.error && !timedOut) problem = 'could not run: ' + String(r.error);
    else if (!timedOut && r.signal) problem = 'interpreter crashed (signal ' + r.signal + ')';
    else if (!timedOut && r.status !== 0) problem = 'interpreter exited with status ' + r.status;
    if (stdinFd !== null) fs.closeSync(stdinFd);
    return { ok: !problem, output, status: r.status, signal: r.signal, timedOut, problem };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The smoke verdict in Espruino: ran to its end (no timers), "SMOKE PASS n" (n > 0), no "SMOKE FAIL". */
export function smokePassedReal(r: EspruinoResult): boolean {
  return r.ok && !r.timedOut && /^SMOKE PASS [1-9]\d*\s*$/m.test(r.output) && !/^SMOKE FAIL/m.test(r.output);
}

/** What a firmware bundle built for `board` must print when it loads in espruino-linux. */
export function firmwareExpectation(board: string): { expect: RegExp; tolerate: RegExp[]; why: string } {
  const c = boardConfig(board);
  if (c && c.link === 'dgram') {
    const d = c.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { expect: new RegExp('^\\[etcpip\\] ' + d + ': ', 'm'), tolerate: [], why: 'its "[etcpip] ' + c.description + ': …" start line' };
  }
  // An SPI chip: Linux has no SPI device and few pins, so opening the link fails; firmware/main.ts
  // catches that and retries (a pass for loading).
  return {
    expect: /^\[etcpip\] .*; retrying in 30 s\s*$/m,
    tolerate: [/^ERROR: No path defined for device/],
    why: 'the "[etcpip] …; retrying in 30 s" line (no SPI chip on Linux)',
  };
}

export interface FirmwareVerdict extends EspruinoResult {
  missing?: string;
}

/** Loads a firmware bundle for `board` in espruino-linux for `timeoutMs` and checks its start line. */
export function runFirmwareUnderEspruino(code: string, board: string, timeoutMs = 3000, env?: NodeJS.ProcessEnv): FirmwareVerdict {
  const x = firmwareExpectation(board);
  const r = runUnderEspruino(code, { timeoutMs, tolerate: x.tolerate, env });
  if (r.missing || !r.ok) return r;
  if (!x.expect.test(r.output)) return Object.assign({}, r, { ok: false, problem: 'no ' + x.why + ' within ' + timeoutMs + ' ms' });
  return r;
}
