// Device speed in the real interpreter: the `linux` preset's shipped bundle run by Espruino 2v29's Linux
// build (`espruino-linux`), reached over the dgram link (socat ⇄ TAP in a network namespace made here)
// by the kernel's own clients. It measures
//   - goodput of `curl GET /bytes/1000000` and of a 1 MB echo (port 7, half-close, byte-exact), 3 runs each;
//   - one empty-loop iteration of the same interpreter, timed at the device's REPL while it is idle;
//   - the interpreter's time per full-size (1460-byte) segment sent and received, and that time as a
//     multiple of one empty-loop iteration: a number that does not depend on the machine (BENCHMARKS.md
//     section 3 says what it means for a board);
//   - whether the interpreter was the bottleneck: an idle counter (a setTimeout(…, 0) chain counted at
//     the REPL) in one extra run of each kind, and the process's CPU share from /proc.
// Two ways to hold the code, each booted by `.bootcde` from the emulated Storage:
//   ram      `.bootcde` evals the bundle from a file: every function body is in the interpreter's RAM
//            (as with `espruino-linux file.js`). The interpreter's own speed: the headline numbers.
//   storage  the bundle itself is `.bootcde` (as a board runs `--save`d code, and as the tests boot it):
//            function bodies stay in Storage. The Linux build emulates flash with a file and opens,
//            seeks, reads and closes `espruino.flash` for each read (seen with strace), which a board's
//            memory-mapped flash does not do, so this mode measures that emulation more than our code.
// Root only (TAP, namespaces); skipped with a message without root or without the interpreter. Its own
// dgram ports (5755/5756) and subnet (10.0.29.0/24, static address, no dnsmasq), so it does not clash
// with the tests' rigs. Every wait is bounded; namespace, socat and interpreter are released on every path.
//
//   npx ts-node --transpile-only bench/espruino-device.ts [--out FILE] [--mode ram|storage|both]
// writes its numbers as JSON to FILE (default: <tmpdir>/etcpip-bench/espruino-device.json) and prints tables.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBundle } from '../tools/build/bundle';
import { boardConfig } from '../firmware/boards';
import { isRoot } from '../tools/netns';
import { bootFromStorage, startRelayRig, EspruinoProcess, RelayRig } from '../tools/espruino-real';
import { espruinoInterpreter } from '../tools/gate/espruino';
import { expectedBytes, netnsRunner, Runner } from '../tools/kernel-client';
import { childPids, processCpuSeconds, machineCpu, MachineCpu } from './lib/espruino-cpu';
import { Runnable } from '../tools/espruino-bin';

const KERNEL = '10.0.29.1';
const DEVICE = '10.0.29.2';
const RELAY_PORT = 5755;
const DEVICE_PORT = 5756;
export const TRANSFER_BYTES = 1000000;
export const RUNS = 3;
export const MSS = 1460;
/** Full-size data segments in one direction of a 1,000,000-byte transfer at MSS 1460 (not rounded). */
export const FULL_SEGMENTS = TRANSFER_BYTES / MSS;
/** Empty-loop timing at the REPL: iterations per timing, timings (median taken). */
const LOOP_ITERATIONS = 20000;
const LOOP_REPEATS = 5;
const LOOP_ITERATIONS_IN_FUNCTION = 100000;

export type CodeMode = 'ram' | 'storage';

export interface SegmentCounts {
  /** Deltas of the device's own counters (/api/status), minus one status request's own share. */
  rxBytes: number;
  txBytes: number;
  framesRx: number;
  framesTx: number;
  retransmits: number;
}

export interface TransferRun {
  kind: 'download' | 'echo';
  bytes: number;
  /** download: curl's time_total; echo: the client's time from connect() to the last byte (EOF). */
  seconds: number;
  goodputBps: number;
  exact: boolean;
  /** CPU seconds of the interpreter process ÷ wall seconds, around the client's run (/proc/PID/stat). */
  interpreterCpuShare: number;
  socatCpuSeconds: number;
  /** The whole machine (all cores): busy ÷ available while the client ran. */
  machineBusyShare: number;
  counts: SegmentCounts;
  segmentsPerSec: { rxBytes: number; txBytes: number };
  /** Only in the idle-counter run: the counter's ticks during the run and the idle time they stand for. */
  idleTicks?: number;
  idleShareAtMost?: number;
}

export interface LoopTiming {
  /** `for(var i=0;i<20000;i++){}` typed at the REPL (top level, global `i`), timed with getTime(); nothing subtracted. */
  topLevelUsPerIteration: number;
  topLevelSamplesUs: number[];
  /** The same loop inside a function (local `i`), 100,000 iterations. */
  inFunctionUsPerIteration: number;
  inFunctionSamplesUs: number[];
}

export interface ModeSummary {
  downloadMedianKBps: number;
  echoMedianKBps: number;
  /** Median download: wall ms per full-size segment sent (÷ 1,000,000 / 1460). */
  sentMsPerSegment: number;
  /** Median echo: wall ms per full-size segment received and echoed (÷ 1,000,000 / 1460). */
  echoPairMsPerSegment: number;
  /** Echo counting both directions (÷ 2 × 1,000,000 / 1460). */
  echoEitherWayMsPerSegment: number;
  /** Derived: echo pair − sent (what receiving a segment adds to sending one). */
  receivedMsPerSegment: number;
  /** The same ÷ one empty-loop iteration (top level, this boot). */
  iterations: { sent: number; echoPair: number; echoEitherWay: number; received: number };
}

export interface ModeResult {
  mode: CodeMode;
  skipped?: string;
  /** The interpreter's CPU share while idle (no traffic, ~2 s): with a dgram socket open it polls without sleeping. */
  idleCpuShare?: number;
  /** Ticks per second of the idle counter while no traffic flows. */
  idleTicksPerSec?: number;
  /** Segments one GET /api/status costs the device (subtracted from the run counts). */
  statusCost?: SegmentCounts;
  loop?: LoopTiming;
  downloads?: TransferRun[];
  echoes?: TransferRun[];
  /** One more run of each kind with the idle counter on (not in the medians). */
  counted?: TransferRun[];
  summary?: ModeSummary;
  deviceErrors?: string;
}

export interface EspruinoDeviceResult {
  skipped?: string;
  date?: string;
  machine?: { cpus: number; model: string; loadAverage1m: number; node: string; platform: string };
  interpreter?: string;
  bundleBytes?: number;
  modes?: ModeResult[];
  file?: string;
}

export interface EspruinoDeviceOptions {
  /** Where the JSON goes; null: nowhere. */
  out?: string | null;
  modes?: CodeMode[];
  log?: (line: string) => void;
}

export const DEFAULT_OUT = path.join(os.tmpdir(), 'etcpip-bench', 'espruino-device.json');

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const round = (x: number, d: number): number => Math.round(x * Math.pow(10, d)) / Math.pow(10, d);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

// A 1 MB echo client: sends (in a thread) while it reads, half-closes after the last byte, reads to EOF.
const ECHO_CLIENT = `
import socket, sys, time, threading, os, json
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = os.urandom(n)
err = []
t0 = time.monotonic()
s = socket.create_connection((host, port), timeout=60)
def send():
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        err.append('send: ' + str(e))
th = threading.Thread(target=send, daemon=True)
th.start()
parts = []
got = 0
try:
    while got <= n:
        b = s.recv(65536)
        if not b:
            break
        parts.append(b)
        got += len(b)
except Exception as e:
    err.append('recv: ' + str(e))
t1 = time.monotonic()
th.join(10)
s.close()
print(json.dumps({'sent': n, 'got': got, 'same': b''.join(parts) == data, 'seconds': t1 - t0, 'error': '; '.join(err)}))
`;

interface Status { tcp: { [k: string]: number }; device: { [k: string]: number } }

async function status(runner: Runner): Promise<Status> {
  const r = await runner('curl', ['-sS', '--max-time', '30', 'http://' + DEVICE + '/api/status'], 40000);
  if (r.code !== 0) throw new Error('GET /api/status failed: ' + r.stderr);
  const j = JSON.parse(r.stdout.toString()) as { counters: Status };
  return { tcp: j.counters.tcp, device: j.counters.device };
}

function countDelta(a: Status, b: Status, own: SegmentCounts | null): SegmentCounts {
  const d = (x: number, y: number): number => (y || 0) - (x || 0);
  const c: SegmentCounts = {
    rxBytes: d(a.tcp.rxSegments, b.tcp.rxSegments), txBytes: d(a.tcp.txSegments, b.tcp.txSegments),
    framesRx: d(a.device.rxFrames, b.device.rxFrames), framesTx: d(a.device.txFrames, b.device.txFrames),
    retransmits: d(a.tcp.retransmits, b.tcp.retransmits),
  };
  if (own) {
    c.rxBytes -= own.rxBytes; c.txBytes -= own.txBytes; c.framesRx -= own.framesRx; c.framesTx -= own.framesTx;
  }
  return c;
}

interface CpuProbe { interp: number; socat: number; machine: MachineCpu; t: number }

function probe(interpPid: number, socatPid: number): CpuProbe {
  return { interp: processCpuSeconds(interpPid) || 0, socat: processCpuSeconds(socatPid) || 0, machine: machineCpu(), t: Date.now() };
}

type Client = () => Promise<{ seconds: number; bytes: number; exact: boolean }>;

interface Ctx { runner: Runner; dev: EspruinoProcess; interpPid: number; socatPid: number; own: SegmentCounts }

/** The idle counter's reading: [ticks, getTime()] from the device's REPL. */
async function ticks(dev: EspruinoProcess): Promise<[number, number]> {
  const v = await dev.evalJson('[etcN,getTime()]', 30000) as [number, number];
  return [Number(v[0]), Number(v[1])];
}

/**
 * One timed client run with the interpreter's CPU and the device's counters around it; with
 * `idleTicksPerSec`, also the idle counter (read right before and after the client).
 */
async function measured(kind: 'download' | 'echo', c: Ctx, client: Client, idleTicksPerSec?: number): Promise<TransferRun> {
  const s0 = await status(c.runner);
  const t0 = idleTicksPerSec ? await ticks(c.dev) : null;
  const p0 = probe(c.interpPid, c.socatPid);
  const r = await client();
  const p1 = probe(c.interpPid, c.socatPid);
  const t1 = idleTicksPerSec ? await ticks(c.dev) : null;
  const s1 = await status(c.runner);
  const counts = countDelta(s0, s1, c.own);
  const busy = p1.machine.busy - p0.machine.busy;
  const total = p1.machine.total - p0.machine.total;
  const run: TransferRun = {
    kind, bytes: r.bytes, seconds: round(r.seconds, 4), goodputBps: Math.round(r.bytes / r.seconds), exact: r.exact,
    interpreterCpuShare: round((p1.interp - p0.interp) / ((p1.t - p0.t) / 1000), 3), socatCpuSeconds: round(p1.socat - p0.socat, 3),
    machineBusyShare: round(total > 0 ? busy / total : NaN, 3),
    counts, segmentsPerSec: { rxBytes: Math.round(counts.rxBytes / r.seconds), txBytes: Math.round(counts.txBytes / r.seconds) },
  };
  if (t0 && t1 && idleTicksPerSec) {
    // Every tick stands for idleTicksPerSec⁻¹ s of idling; the window (REPL read to REPL read) is a bit
    // longer than the client's run and idle at both ends, so this is an upper bound.
    run.idleTicks = t1[0] - t0[0];
    run.idleShareAtMost = round(run.idleTicks / idleTicksPerSec / (t1[1] - t0[1]), 3);
  }
  return run;
}

async function download(runner: Runner, file: string, expected: Buffer): Promise<{ seconds: number; bytes: number; exact: boolean }> {
  fs.rmSync(file, { force: true });
  const r = await runner('curl', ['-sS', '--max-time', '120', '-o', file, '-w', '%{http_code} %{size_download} %{time_total}',
    'http://' + DEVICE + '/bytes/' + TRANSFER_BYTES], 150000);
  const m = /^(\d+) (\d+) ([0-9.]+)/.exec(r.stdout.toString().trim());
  if (r.code !== 0 || !m || m[1] !== '200') throw new Error('GET /bytes/' + TRANSFER_BYTES + ' failed (' + r.code + '): ' + r.stdout.toString() + r.stderr);
  const body = fs.readFileSync(file);
  return { seconds: Number(m[3]), bytes: Number(m[2]), exact: body.length === expected.length && sha(body) === sha(expected) };
}

async function echo(runner: Runner, port: number): Promise<{ seconds: number; bytes: number; exact: boolean }> {
  const r = await runner('python3', ['-c', ECHO_CLIENT, DEVICE, String(port), String(TRANSFER_BYTES)], 150000);
  let j: { sent: number; got: number; same: boolean; seconds: number; error: string };
  try { j = JSON.parse(r.stdout.toString()); } catch { throw new Error('echo client failed (' + r.code + '): ' + r.stdout.toString() + r.stderr); }
  if (j.error || j.got !== TRANSFER_BYTES) throw new Error('echo client: ' + JSON.stringify(j));
  return { seconds: j.seconds, bytes: j.got, exact: j.same };
}

/** The REPL's empty loop, timed by the interpreter itself (getTime() difference), while the device is idle. */
async function timeLoops(dev: EspruinoProcess): Promise<LoopTiming> {
  const top: number[] = [];
  const fn: number[] = [];
  for (let k = 0; k < LOOP_REPEATS; k++) {
    dev.send('var etcT=getTime();for(var etcI=0;etcI<' + LOOP_ITERATIONS + ';etcI++){};var etcD=getTime()-etcT;');
    const s = Number(await dev.evalJson('etcD', 10000));
    top.push(round(s / LOOP_ITERATIONS * 1e6, 4));
    await sleep(200);
  }
  for (let k = 0; k < LOOP_REPEATS; k++) {
    const s = Number(await dev.evalJson('(function(){var t=getTime();for(var i=0;i<' + LOOP_ITERATIONS_IN_FUNCTION + ';i++){};return getTime()-t;})()', 20000));
    fn.push(round(s / LOOP_ITERATIONS_IN_FUNCTION * 1e6, 4));
    await sleep(200);
  }
  return { topLevelUsPerIteration: median(top), topLevelSamplesUs: top, inFunctionUsPerIteration: median(fn), inFunctionSamplesUs: fn };
}

/** The run with the median time (by seconds). */
function medianRun(rs: TransferRun[]): TransferRun {
  const s = rs.slice().sort((a, b) => a.seconds - b.seconds);
  return s[Math.floor((s.length - 1) / 2)];
}

function summarise(m: ModeResult): ModeSummary {
  const it = m.loop!.topLevelUsPerIteration / 1000; // ms
  const sent = medianRun(m.downloads!).seconds * 1000 / FULL_SEGMENTS;
  const pair = medianRun(m.echoes!).seconds * 1000 / FULL_SEGMENTS;
  return {
    downloadMedianKBps: round(median(m.downloads!.map((r) => r.goodputBps)) / 1000, 1),
    echoMedianKBps: round(median(m.echoes!.map((r) => r.goodputBps)) / 1000, 1),
    sentMsPerSegment: round(sent, 3), echoPairMsPerSegment: round(pair, 3), echoEitherWayMsPerSegment: round(pair / 2, 3),
    receivedMsPerSegment: round(pair - sent, 3),
    iterations: { sent: Math.round(sent / it), echoPair: Math.round(pair / it), echoEitherWay: Math.round(pair / 2 / it), received: Math.round((pair - sent) / it) },
  };
}

async function runMode(mode: CodeMode, interp: Runnable, code: string, echoPort: number, work: string, log: (s: string) => void): Promise<ModeResult> {
  const result: ModeResult = { mode };
  let rig: RelayRig | null = null;
  let dev: EspruinoProcess | null = null;
  try {
    rig = await startRelayRig('ebn', KERNEL + '/24', RELAY_PORT, DEVICE_PORT);
    const codeFile = path.join(work, 'firmware.js');
    fs.writeFileSync(codeFile, code);
    // ram: a one-line `.bootcde` reads the bundle from a file into a RAM string and evals it.
    const boot = mode === 'ram' ? 'eval(require("fs").readFileSync(' + JSON.stringify(codeFile) + '));' : code;
    const before = childPids(process.pid, /^espruino/);
    dev = await bootFromStorage(interp, boot, 'bench');
    await dev.waitFor(/\[etcpip\] [^\n]*10\.0\.29\.2/, 30000);
    const mine = childPids(process.pid, /^espruino/).filter((p) => before.indexOf(p) < 0);
    if (mine.length !== 1) throw new Error('cannot tell the interpreter process apart (new children: ' + JSON.stringify(mine) + ')');
    const runner = netnsRunner(rig.ns.name);
    const ping = await runner('ping', ['-c', '2', '-i', '0.2', '-W', '3', DEVICE], 15000);
    if (ping.code !== 0) throw new Error('ping ' + DEVICE + ' failed: ' + ping.stdout.toString() + ping.stderr);
    // Warm-up (ARP, first connections), then the cost of one status read (subtracted from the counts).
    const warm = await runner('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '60', 'http://' + DEVICE + '/bytes/100000'], 70000);
    if (warm.stdout.toString() !== '200') throw new Error('warm-up GET failed: ' + warm.stdout.toString() + warm.stderr);
    const sa = await status(runner);
    const sb = await status(runner);
    const c: Ctx = { runner, dev, interpPid: mine[0], socatPid: rig.relay.pid || 0, own: countDelta(sa, sb, null) };
    result.statusCost = c.own;

    await sleep(1000);
    const i0 = probe(c.interpPid, c.socatPid);
    const w0 = Date.now();
    await sleep(2000);
    const i1 = probe(c.interpPid, c.socatPid);
    result.idleCpuShare = round((i1.interp - i0.interp) / ((Date.now() - w0) / 1000), 3);
    result.loop = await timeLoops(dev);
    log('  [' + mode + '] empty loop ' + result.loop.topLevelUsPerIteration + ' µs/iteration at top level (' + result.loop.topLevelSamplesUs.join(', ') +
      '), ' + result.loop.inFunctionUsPerIteration + ' in a function; interpreter CPU share while idle ' + result.idleCpuShare);

    const expected = expectedBytes(TRANSFER_BYTES);
    const file = path.join(work, 'bytes.bin');
    const line = (r: TransferRun, name: string): string => '  [' + mode + '] ' + name + ': ' + r.seconds + ' s, ' + (r.goodputBps / 1000).toFixed(1) +
      ' KB/s, exact ' + r.exact + ', interpreter CPU ' + r.interpreterCpuShare + ', segments in/out ' + r.counts.rxBytes + '/' + r.counts.txBytes +
      (r.idleShareAtMost !== undefined ? ', idle counter ' + r.idleTicks + ' ticks = idle at most ' + r.idleShareAtMost : '');
    result.downloads = [];
    result.echoes = [];
    for (let k = 0; k < RUNS; k++) {
      const d = await measured('download', c, () => download(runner, file, expected));
      result.downloads.push(d);
      log(line(d, 'GET /bytes/' + TRANSFER_BYTES + ' #' + (k + 1)));
      await sleep(300);
      const e = await measured('echo', c, () => echo(runner, echoPort));
      result.echoes.push(e);
      log(line(e, 'echo 1 MB #' + (k + 1)));
      await sleep(300);
    }
    // The idle counter: a setTimeout(…, 0) chain runs once per pass of Espruino's main loop; its rate with
    // no traffic calibrates it; during a transfer, ticks ÷ that rate bound the time the interpreter idled.
    dev.send('var etcN=0,etcOn=1;function etcTick(){etcN++;if(etcOn)setTimeout(etcTick,0);};etcTick();');
    await sleep(500);
    const k0 = await ticks(dev);
    await sleep(2000);
    const k1 = await ticks(dev);
    result.idleTicksPerSec = Math.round((k1[0] - k0[0]) / (k1[1] - k0[1]));
    result.counted = [];
    const cd = await measured('download', c, () => download(runner, file, expected), result.idleTicksPerSec);
    result.counted.push(cd);
    log(line(cd, 'GET /bytes/' + TRANSFER_BYTES + ', idle counter on (' + result.idleTicksPerSec + ' ticks/s idle)'));
    const ce = await measured('echo', c, () => echo(runner, echoPort), result.idleTicksPerSec);
    result.counted.push(ce);
    log(line(ce, 'echo 1 MB, idle counter on'));
    dev.send('etcOn=0;');
    const errs = /Uncaught|OUT OF MEMORY|LOW_MEMORY|poll failed/.exec(dev.output());
    if (errs) result.deviceErrors = dev.output().slice(Math.max(0, errs.index - 500), errs.index + 1500);
    result.summary = summarise(result);
  } catch (e) {
    result.skipped = 'failed: ' + (e as Error).message;
    if (dev) result.deviceErrors = dev.output().slice(-3000);
  } finally {
    if (dev) await dev.stop();
    if (rig) await rig.stop();
  }
  return result;
}

export async function runEspruinoDevice(opts: EspruinoDeviceOptions = {}): Promise<EspruinoDeviceResult> {
  const log = opts.log || ((s: string) => console.log(s));
  if (!isRoot) return { skipped: 'needs root (TAP devices, network namespaces)' };
  for (const tool of ['ip', 'socat', 'curl', 'python3']) {
    const found = (process.env.PATH || '').split(':').some((d) => d !== '' && fs.existsSync(path.join(d, tool)));
    if (!found) return { skipped: tool + ' not found' };
  }
  if (!fs.existsSync('/dev/net/tun')) return { skipped: '/dev/net/tun missing' };
  const interp = espruinoInterpreter('linux');
  if (typeof interp === 'string') return { skipped: 'no espruino-linux interpreter (ESPRUINO_BIN or ../shared/espruino/bin/)' };

  const base = boardConfig('linux')!;
  const config = Object.assign({}, base, {
    dgram: Object.assign({}, base.dgram, { relayPort: RELAY_PORT, localPort: DEVICE_PORT }),
    ipv4: { address: DEVICE, prefixLength: 24, gateway: KERNEL, dns: [] as string[] },
  });
  const code = buildBundle({ entry: 'firmware/main.ts', board: 'linux', config: config as unknown as { [k: string]: unknown } }).code;
  const result: EspruinoDeviceResult = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0] ? os.cpus()[0].model : '?', loadAverage1m: round(os.loadavg()[0], 2), node: process.version, platform: os.platform() + ' ' + os.release() },
    interpreter: interp.prefix.concat([interp.command]).join(' '),
    bundleBytes: Buffer.byteLength(code),
    modes: [],
  };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-bench-'));
  try {
    for (const mode of opts.modes || ['ram', 'storage']) result.modes!.push(await runMode(mode, interp, code, config.apps.echoPort, work, log));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const out = opts.out === undefined ? DEFAULT_OUT : opts.out;
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    result.file = out;
    fs.writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
  }
  return result;
}

type Table = (header: string[], rows: Array<Array<string | number>>) => string;

function plainTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] || '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(cells[0]), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function printEspruinoDevice(r: EspruinoDeviceResult, table: Table = plainTable): void {
  console.log('\n== 3b. The device in the real interpreter (espruino-linux, dgram link, TAP in a namespace)');
  if (r.skipped) { console.log('SKIPPED: ' + r.skipped); return; }
  console.log(r.date + ', ' + r.machine!.cpus + ' cores (' + r.machine!.model + '), load average ' + r.machine!.loadAverage1m + '; bundle ' + r.bundleBytes + ' bytes');
  const runs: Array<Array<string | number>> = [];
  const per: Array<Array<string | number>> = [];
  for (const m of r.modes || []) {
    if (m.skipped) { console.log('[' + m.mode + '] FAILED: ' + m.skipped + (m.deviceErrors ? '\n' + m.deviceErrors : '')); continue; }
    const l = m.loop!;
    console.log('[' + m.mode + '] empty-loop iteration (REPL, top level, getTime(), nothing subtracted): ' + l.topLevelUsPerIteration + ' µs (median of ' +
      l.topLevelSamplesUs.join(', ') + '); inside a function ' + l.inFunctionUsPerIteration + ' µs; interpreter CPU share while idle ' + m.idleCpuShare +
      '; idle counter ' + m.idleTicksPerSec + ' ticks/s with no traffic');
    const row = (x: TransferRun, name: string): Array<string | number> => [m.mode + ' ' + name, x.seconds.toFixed(2), (x.goodputBps / 1000).toFixed(1), String(x.exact),
      x.interpreterCpuShare.toFixed(2), x.machineBusyShare.toFixed(2), x.counts.rxBytes, x.counts.txBytes, x.segmentsPerSec.rxBytes, x.segmentsPerSec.txBytes,
      x.counts.retransmits, x.idleShareAtMost === undefined ? '' : '≤ ' + x.idleShareAtMost.toFixed(2)];
    m.downloads!.forEach((x, i) => runs.push(row(x, 'GET /bytes/1000000 #' + (i + 1))));
    m.echoes!.forEach((x, i) => runs.push(row(x, 'echo 1 MB #' + (i + 1))));
    m.counted!.forEach((x) => runs.push(row(x, (x.kind === 'download' ? 'GET /bytes/1000000' : 'echo 1 MB') + ', idle counter')));
    const s = m.summary!;
    per.push([m.mode, s.downloadMedianKBps, s.echoMedianKBps, l.topLevelUsPerIteration, s.sentMsPerSegment, s.iterations.sent, s.echoPairMsPerSegment, s.iterations.echoPair,
      s.echoEitherWayMsPerSegment, s.iterations.echoEitherWay, s.receivedMsPerSegment, s.iterations.received]);
    if (m.deviceErrors) console.log('[' + m.mode + '] THE DEVICE PRINTED AN ERROR:\n' + m.deviceErrors);
  }
  if (runs.length) {
    console.log(table(['run', 'seconds', 'KB/s', 'exact', 'interp. CPU', 'machine busy', 'seg in', 'seg out', 'seg in/s', 'seg out/s', 'rexmit', 'idle'], runs));
    console.log(table(['code in', 'GET KB/s', 'echo KB/s', 'loop µs', 'sent ms/seg', 'loop it.', 'echo in+out ms/seg', 'loop it.', 'either way ms/seg', 'loop it.', 'received ms/seg', 'loop it.'], per));
  }
  if (r.file) console.log('written: ' + r.file);
}

/** bench/run.ts's hook: runs, prints, returns the result (a failure becomes `skipped`). */
export async function runEspruinoDeviceSection(table?: Table): Promise<EspruinoDeviceResult> {
  let r: EspruinoDeviceResult;
  try {
    r = await runEspruinoDevice({ log: (x) => console.log(x) });
  } catch (e) {
    r = { skipped: 'failed: ' + (e as Error).message };
  }
  printEspruinoDevice(r, table);
  return r;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const oi = argv.indexOf('--out');
  const mi = argv.indexOf('--mode');
  const mode = mi >= 0 ? argv[mi + 1] : 'both';
  const modes: CodeMode[] = mode === 'ram' ? ['ram'] : mode === 'storage' ? ['storage'] : ['ram', 'storage'];
  runEspruinoDevice({ out: oi >= 0 ? argv[oi + 1] : DEFAULT_OUT, modes }).then((r) => {
    printEspruinoDevice(r);
    process.exit(r.skipped || (r.modes || []).some((m) => m.skipped) ? 2 : 0);
  }, (e) => { console.error(e); process.exit(1); });
}
