// Finds the real Espruino interpreters (Linux builds of Espruino 2v29) and says how to run them.
//   ESPRUINO_BIN   a directory holding espruino-linux / espruino-pico / espruino-wifi / espruino-esp32,
//                  or the path of one espruino-linux binary (its directory is searched for the others);
//   otherwise      ../shared/espruino/bin/ beside the repository (the team's machines).
// The sized builds (pico, wifi, esp32) are i386 programs: Espruino's 13-byte blocks need 32-bit
// pointers. A kernel without 32-bit support (or a sandbox that refuses it: exec fails with ENOEXEC)
// runs them through qemu-user's `qemu-i386`, which `ensureRunnable` installs as root with apt when it
// is missing. `CI=true` turns every "not found" into a failure in the tests (test/helpers/espruino-real.ts; the rig: tools/espruino-real.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type InterpreterName = 'linux' | 'pico' | 'wifi' | 'esp32';

const ROOT = path.resolve(__dirname, '..');

/** Where the interpreters are looked for, in order. */
export function interpreterDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  const e = env.ESPRUINO_BIN;
  if (e) {
    try {
      dirs.push(fs.statSync(e).isDirectory() ? e : path.dirname(e));
    } catch { dirs.push(e); }
  }
  dirs.push(path.resolve(ROOT, '..', 'shared', 'espruino', 'bin'));
  return dirs;
}

/** The path of `espruino-<name>`, or null when no directory has it. */
export function findInterpreter(name: InterpreterName, env: NodeJS.ProcessEnv = process.env): string | null {
  const e = env.ESPRUINO_BIN;
  if (name === 'linux' && e && fs.existsSync(e) && !fs.statSync(e).isDirectory()) return path.resolve(e);
  for (const d of interpreterDirs(env)) {
    const p = path.join(d, 'espruino-' + name);
    if (fs.existsSync(p)) return path.resolve(p);
  }
  return null;
}

/** True when the file is a 32-bit x86 ELF program (EI_CLASS 1, e_machine 3). */
function isI386(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const h = Buffer.alloc(20);
    fs.readSync(fd, h, 0, 20, 0);
    return h.readUInt32BE(0) === 0x7f454c46 && h[4] === 1 && h.readUInt16LE(18) === 3;
  } finally { fs.closeSync(fd); }
}

function runsDirectly(file: string): boolean {
  const r = spawnSync(file, ['-e', 'print("OK"+"RUN")'], { timeout: 15000, input: '', encoding: 'latin1' });
  return !r.error && /OKRUN/.test(r.stdout || '');
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', 'command -v ' + cmd], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export interface Runnable {
  /** The command to start and the arguments that come before the interpreter's own. */
  command: string;
  prefix: string[];
}

const cache: { [file: string]: Runnable | string } = {};

/**
 * How to start `file`: directly, or through qemu-i386 where this kernel refuses 32-bit programs.
 * Returns a plain problem text when it cannot be run (and cannot be made runnable here).
 */
export function ensureRunnable(file: string): Runnable | string {
  if (cache[file]) return cache[file];
  let r: Runnable | string;
  if (runsDirectly(file)) r = { command: file, prefix: [] };
  else if (!isI386(file)) r = file + ' does not run on this machine';
  else {
    let qemu = which('qemu-i386');
    if (!qemu && typeof process.getuid === 'function' && process.getuid() === 0 && which('apt-get')) {
      // Test set-up on a fresh machine: the one package that runs i386 programs here.
      const env = Object.assign({}, process.env, { DEBIAN_FRONTEND: 'noninteractive' });
      spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300000 });
      spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'qemu-user'], { env, stdio: 'ignore', timeout: 600000 });
      qemu = which('qemu-i386');
    }
    if (!qemu) r = file + ' is an i386 program and this kernel does not run those: install qemu-user (apt-get install qemu-user)';
    else {
      const probe = spawnSync(qemu, [file, '-e', 'print("OK"+"RUN")'], { timeout: 30000, input: '', encoding: 'latin1' });
      r = /OKRUN/.test(probe.stdout || '') ? { command: qemu, prefix: [file] } : file + ' does not run under ' + qemu;
    }
  }
  cache[file] = r;
  return r;
}
