// The simulator against the Linux kernel on the same TAP path (root only): BENCHMARKS.md §1b.
//
//   namespace C (clients) ── TAP a ══ this process: the simulator (chip model + firmware), 10.0.0.2
//                         └─ TAP b ══ this process: a frame relay ══ TAP s ── namespace S: the kernel, 10.0.1.2,
//                                                                              a bare Node HTTP server (bench/tap-load.js)
//
// Every TAP is held by this process directly (hal/sim/tap-fd.ts), so a frame to the kernel server crosses
// the same kind of hop as a frame to the simulator, plus one more TAP. From C, in one run: ping (100 at
// 10 ms, median of the per-packet times), fresh connections per second (one client, sequential
// `GET /bytes/64`, a new connection each), requests per second with 8 such clients at once, and a clean
// `GET /bytes/N` download. Both servers serve the same bytes; the Linux side's figures include Node's
// HTTP server, ours the firmware's HTTP app. Everything made here is removed on every path.
//
//   npx ts-node --transpile-only bench/tap-compare.ts [--seconds S] [--bytes N] [--chips w5500,enc28j60] [--client ab|node] [--json]
import * as path from 'path';
import { execFileSync, ChildProcess } from 'child_process';
import { Netns, createTap, uniqueSuffix, cleanup, isRoot } from '../tools/netns';
import { netnsRunner, Runner } from '../tools/kernel-client';
import { openTapFd, TapFd } from '../hal/sim/tap-fd';
import { defaultSimOptions, ChipKind } from '../tools/sim/options';
import { startSimulator } from '../tools/sim/simulator';
import { BYTES_PATTERN } from '../firmware/apps/http-app';

export interface TapCompareOptions {
  /** Seconds each connection-rate measurement runs. */
  seconds: number;
  /** Bytes of the clean download. */
  bytes: number;
  chips: ChipKind[];
  /**
   * The client of the two connection-rate measurements: 'ab' (ApacheBench, Debian's apache2-utils, the
   * issue's tool) where it is installed, else bench/tap-load.js. Node's client costs ~0.3 ms a
   * connection itself, about as much as the server under test.
   */
  client?: 'ab' | 'node';
}

export const TAP_COMPARE_DEFAULTS: TapCompareOptions = { seconds: 3, bytes: 10_000_000, chips: ['w5500', 'enc28j60'] };

function hasCommand(c: string): boolean {
  try { execFileSync('sh', ['-c', 'command -v ' + c], { stdio: 'ignore' }); return true; } catch { return false; }
}

export interface TapFigures {
  server: string;
  pingMedianMs: number;
  pingP90Ms: number;
  freshPerSecond: number;
  concurrent8PerSecond: number;
  downloadMBps: number;
  /** Failed requests (any status but 200, a reset, a timeout) over all the measurements. */
  errors: number;
}

export interface TapCompareResult {
  skipped?: string;
  date?: string;
  options?: TapCompareOptions;
  kernel?: TapFigures;
  sims?: TapFigures[];
}

const LOAD_SCRIPT = path.join(__dirname, 'tap-load.js');

function missing(): string | null {
  if (!isRoot) return 'needs root (network namespaces and TAP devices)';
  for (const c of ['ip', 'ping']) if (!hasCommand(c)) return 'the command "' + c + '" is missing';
  return null;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN;
}

async function measure(run: Runner, server: string, address: string, o: TapCompareOptions): Promise<TapFigures> {
  const node = process.execPath;
  const base = 'http://' + address;
  await run('ping', ['-c', '3', '-i', '0.05', '-W', '1', address], 10000);
  const p = await run('ping', ['-c', '100', '-i', '0.01', '-W', '1', address], 30000);
  const times = p.stdout.toString().split('\n').map((l) => /time=([\d.]+)/.exec(l)).filter((m) => m !== null)
    .map((m) => Number((m as RegExpExecArray)[1])).sort((a, b) => a - b);
  let errors = 100 - times.length;
  const fresh = async (workers: number): Promise<number> => {
    if (o.client === 'ab') {
      // ApacheBench: a C client, so the rate is the server's and the path's rather than the client's.
      const r = await run('ab', ['-q', '-r', '-s', '10', '-t', String(o.seconds), '-n', '1000000', '-c', String(workers), base + '/bytes/64'], o.seconds * 1000 + 30000);
      const out = r.stdout.toString();
      const rate = /Requests per second:\s+([\d.]+)/.exec(out);
      const failed = /Failed requests:\s+(\d+)/.exec(out);
      const non2xx = /Non-2xx responses:\s+(\d+)/.exec(out);
      errors += (failed ? Number(failed[1]) : 1) + (non2xx ? Number(non2xx[1]) : 0);
      return rate ? Number(rate[1]) : 0;
    }
    const r = await run(node, [LOAD_SCRIPT, 'fresh', base + '/bytes/64', String(o.seconds), String(workers)], o.seconds * 1000 + 20000);
    const j = JSON.parse(r.stdout.toString() || '{"requests":0,"errors":1,"seconds":1}');
    errors += j.errors;
    return j.requests / j.seconds;
  };
  const freshPerSecond = await fresh(1);
  const concurrent8PerSecond = await fresh(8);
  const d = await run(node, [LOAD_SCRIPT, 'get', base + '/bytes/' + o.bytes], 120000);
  const dj = JSON.parse(d.stdout.toString() || '{"bytes":0,"seconds":1,"status":0}');
  if (dj.status !== 200 || dj.bytes !== o.bytes) errors++;
  return {
    server, errors, freshPerSecond, concurrent8PerSecond,
    pingMedianMs: quantile(times, 0.5), pingP90Ms: quantile(times, 0.9),
    downloadMBps: dj.bytes / dj.seconds / 1e6,
  };
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = '';
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      seen += b.toString();
      if (pattern.test(seen)) { clearTimeout(t); resolve(true); }
    });
    child.once('exit', () => { clearTimeout(t); resolve(false); });
  });
}

function openOrThrow(name: string): TapFd {
  const r = openTapFd(name);
  if ('tap' in r) return r.tap;
  throw new Error('cannot open TAP ' + name + ': ' + ('problem' in r ? r.problem : r.unavailable));
}

export async function runTapCompare(o: TapCompareOptions = TAP_COMPARE_DEFAULTS, log: (l: string) => void = () => undefined): Promise<TapCompareResult> {
  const why = missing();
  if (why) return { skipped: why };
  const sfx = uniqueSuffix();
  const relay: TapFd[] = [];
  o = Object.assign({}, o, { client: o.client || (hasCommand('ab') ? 'ab' : 'node') });
  const result: TapCompareResult = { date: new Date().toISOString(), options: o, sims: [] };
  try {
    const nsC = Netns.create('tc-' + sfx);
    const nsS = Netns.create('ts-' + sfx);
    const run = netnsRunner(nsC.name);
    // The kernel server: TAP b (in C) ⇄ relay ⇄ TAP s (in S).
    const tapB = 'etcpip-b' + sfx.slice(0, 6);
    const tapS = 'etcpip-s' + sfx.slice(0, 6);
    createTap(tapB);
    createTap(tapS);
    const b = openOrThrow(tapB);
    const s = openOrThrow(tapS);
    relay.push(b, s);
    b.onFrame = (f) => { s.write(f); };
    s.onFrame = (f) => { b.write(f); };
    nsC.adoptTap(tapB, '10.0.1.1/24');
    nsS.adoptTap(tapS, '10.0.1.2/24');
    const server = nsS.spawn('env', ['BYTES_PATTERN=' + BYTES_PATTERN, process.execPath, LOAD_SCRIPT, 'serve', '80']);
    if (!(await waitForLine(server, /LISTENING/, 10000))) throw new Error('the Linux-side server did not start');
    log('kernel (Node http server in namespace S)');
    result.kernel = await measure(run, 'Linux kernel (+ a bare Node server)', '10.0.1.2', o);
    for (const chip of o.chips) {
      const tapA = 'etcpip-a' + chip.slice(0, 1) + sfx.slice(0, 5);
      createTap(tapA);
      const sim = await startSimulator(Object.assign(defaultSimOptions(), { chip, link: { kind: 'tap', name: tapA }, forwards: [], status: 'off' }), { log: () => undefined });
      try {
        nsC.adoptTap(tapA, '10.0.0.1/24');
        log('simulator, ' + chip);
        (result.sims as TapFigures[]).push(await measure(run, 'simulator, ' + chip, '10.0.0.2', o));
      } finally {
        await sim.stop();
        try { execFileSync('ip', ['netns', 'exec', nsC.name, 'ip', 'link', 'del', tapA], { stdio: 'ignore', timeout: 10000 }); } catch { /* gone */ }
      }
    }
  } finally {
    for (const t of relay) await t.close();
    cleanup();
  }
  return result;
}

const num = (v: number, d: number): string => (v === v ? v.toFixed(d) : '-');

/** The figures and the simulator ÷ kernel ratios (ping: kernel ÷ simulator, so higher is better everywhere). */
export function tapCompareTable(r: TapCompareResult): string {
  if (r.skipped || !r.kernel) return 'skipped: ' + (r.skipped || 'no result');
  const k = r.kernel;
  const rows = [k].concat(r.sims || []);
  const client = r.options && r.options.client === 'ab' ? ' (ab)' : ' (Node client)';
  const lines = ['| server | ping median (p90) ms | fresh connections/s' + client + ' | 8 clients: requests/s | clean download MB/s | errors |',
    '|---|---:|---:|---:|---:|---:|'];
  for (const f of rows) {
    lines.push('| ' + f.server + ' | ' + num(f.pingMedianMs, 3) + ' (' + num(f.pingP90Ms, 3) + ') | ' + num(f.freshPerSecond, 0) + ' | ' +
      num(f.concurrent8PerSecond, 0) + ' | ' + num(f.downloadMBps, 2) + ' | ' + f.errors + ' |');
  }
  for (const f of r.sims || []) {
    lines.push('| ' + f.server + ' ÷ kernel | ×' + num(k.pingMedianMs / f.pingMedianMs, 2) + ' | ×' + num(f.freshPerSecond / k.freshPerSecond, 2) + ' | ×' +
      num(f.concurrent8PerSecond / k.concurrent8PerSecond, 2) + ' | ×' + num(f.downloadMBps / k.downloadMBps, 2) + ' | |');
  }
  return lines.join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (n: string): string | undefined => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
  const o: TapCompareOptions = {
    seconds: Number(arg('--seconds') || TAP_COMPARE_DEFAULTS.seconds),
    bytes: Number(arg('--bytes') || TAP_COMPARE_DEFAULTS.bytes),
    chips: (arg('--chips') || TAP_COMPARE_DEFAULTS.chips.join(',')).split(',') as ChipKind[],
    client: arg('--client') as 'ab' | 'node' | undefined,
  };
  runTapCompare(o, (l) => console.error('tap-compare: ' + l)).then((r) => {
    console.log(argv.includes('--json') ? JSON.stringify(r, null, 2) : tapCompareTable(r));
  }, (e) => { console.error(e); process.exitCode = 1; });
}
