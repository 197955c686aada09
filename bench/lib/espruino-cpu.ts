// CPU time of processes and of the whole machine, read from /proc (Linux only), for the bench that runs
// the firmware in the real Espruino interpreter (bench/espruino-device.ts): it tells whether the
// interpreter is the bottleneck of a transfer (one core busy) and what the rest of the path costs.
import * as fs from 'fs';
import { execFileSync } from 'child_process';

let tickHz = 0;

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 when it cannot be asked). */
export function clockTicks(): number {
  if (tickHz) return tickHz;
  try {
    tickHz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
  } catch {
    tickHz = 100;
  }
  return tickHz;
}

/** Fields of /proc/PID/stat after the command name (so index 0 is the state, field 3 of the file). */
function statFields(pid: number): string[] | null {
  try {
    const s = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** User + system CPU seconds used so far by process `pid`, or null when it is gone. */
export function processCpuSeconds(pid: number): number | null {
  const f = statFields(pid);
  if (!f) return null;
  // utime and stime are fields 14 and 15 of the file: 11 and 12 here.
  return (Number(f[11]) + Number(f[12])) / clockTicks();
}

/** Pids of the direct children of `parent` whose command name (comm) matches `re`. */
export function childPids(parent: number, re: RegExp): number[] {
  const out: number[] = [];
  let names: string[] = [];
  try { names = fs.readdirSync('/proc'); } catch { return out; }
  for (const n of names) {
    if (!/^[0-9]+$/.test(n)) continue;
    let s: string;
    try { s = fs.readFileSync('/proc/' + n + '/stat', 'utf8'); } catch { continue; }
    const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent && re.test(comm)) out.push(Number(n));
  }
  return out;
}

export interface MachineCpu {
  /** CPU seconds busy (all cores together) and CPU seconds in total (wall × cores), from /proc/stat. */
  busy: number;
  total: number;
}

/** The machine's cumulative CPU counters (all cores). */
export function machineCpu(): MachineCpu {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest times are inside user/nice already)
  const idle = (line[3] || 0) + (line[4] || 0);
  let total = 0;
  for (let i = 0; i < Math.min(line.length, 8); i++) total += line[i] || 0;
  return { busy: (total - idle) / clockTicks(), total: total / clockTicks() };
}
