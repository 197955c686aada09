// Device speed in the real interpreter: the `linux` preset's shipped bundle booted from Storage in
// Espruino 2v29's Linux build (`espruino-linux`), reached over the dgram link (socat ⇄ TAP in a network
// namespace made here) by the kernel's own clients. It measures
//   - goodput of `curl GET /bytes/1000000` and of a 1 MB echo (port 7, half-close, byte-exact), 3 runs each;
//   - one empty-loop iteration of the same interpreter, timed at the device's REPL while it is idle;
//   - the interpreter's time per full-size (1460-byte) segment sent and received, as wall time and as the
//     interpreter process's own CPU time (/proc), and both as a multiple of one empty-loop iteration —
//     a number that does not depend on the machine (BENCHMARKS.md section 3 says what it means for a board).
// Root only (TAP, namespaces); skipped with a message without root or without the interpreter. Its own
// dgram ports (5755/5756) and subnet (10.0.29.0/24, static address, no dnsmasq), so it does not clash
// with the tests' rigs. Every wait is bounded; namespace, socat and interpreter are released on every path.
//
//   npx ts-node --transpile-only bench/espruino-device.ts [--out FILE]
// writes its numbers as JSON to FILE (default: <tmpdir>/etcpip-bench/espruino-device.json) and prints a table.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBundle } from '../tools/build/bundle';
import { boardConfig } from '../firmware/boards';
import { isRoot } from '../test/helpers/netns';
import { bootFromStorage, interpreterOrSkip, startRelayRig, EspruinoProcess, RelayRig } from '../test/helpers/espruino-real';
import { expectedBytes, netnsRunner, Runner } from '../test/sim-tool/contract';
import { childPids, processCpuSeconds, machineCpu, MachineCpu } from './lib/espruino-cpu';

const KERNEL = '10.0.29.1';
const DEVICE = '10.0.29.2';
const RELAY_PORT = 5755;
const DEVICE_PORT = 5756;
export const TRANSFER_BYTES = 1000000;
export const RUNS = 3;
/** Full-size data segments in one direction of a 1,000,000-byte transfer at MSS 1460 (not rounded). */
export const MSS = 1460;
export const FULL_SEGMENTS = TRANSFER_BYTES / MSS;
/** Empty-loop timing at the REPL: iterations per timing, timings (median taken). */
const LOOP_ITERATIONS = 20000;
const LOOP_REPEATS = 5;
const LOOP_ITERATIONS_IN_FUNCTION = 100000;

export interface SegmentCounts {
  /** Deltas of the device's own counters (/api/status), minus one status request's own share. */
  tcpRx: number;
  tcpTx: number;
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
  /** CPU seconds the interpreter process used while the client ran (user + system, /proc/PID/stat). */
  interpreterCpuSeconds: number;
  /** … ÷ the client's seconds: ~1.0 means the interpreter was the bottleneck. */
  interpreterCpuShare: number;
  socatCpuSeconds: number;
  /** The whole machine (all cores) busy ÷ available during the client's run, and what was not the interpreter or socat. */
  machineBusyShare: number;
  otherCpuSeconds: number;
  /** The client's wall time around the run (includes `ip netns exec` and the client's own start-up). */
  outerSeconds: number;
  counts: SegmentCounts;
  segmentsPerSec: { tcpRx: number; tcpTx: number };
}

export interface EspruinoDeviceResult {
  skipped?: string;
  date?: string;
  machine?: { cpus: number; model: string; loadAverage1m: number; node: string; platform: string };
  interpreter?: string;
  bundleBytes?: number;
  /** The interpreter's CPU share while idle (no traffic) over ~2 s: what its own idle loop costs. */
  idleCpuShare?: number;
  loop?: {
    /** `for(var i=0;i<N;i++){}` typed at the REPL (top level, global `i`), timed with getTime(); nothing subtracted. */
    topLevelUsPerIteration: number;
    topLevelSamplesUs: number[];
    /** The same loop inside a function (local `i`), N = 100,000. */
    inFunctionUsPerIteration: number;
    inFunctionSamplesUs: number[];
  };
  downloads?: TransferRun[];
  echoes?: TransferRun[];
  summary?: {
    downloadMedianKBps: number;
    echoMedianKBps: number;
    /** Median download: wall ms per full-size segment sent (1,000,000 / 1460 segments). */
    sentWallMsPerSegment: number;
    sentCpuMsPerSegment: number;
    /** Median echo: wall ms per full-size segment pair (one received, one sent). */
    echoPairWallMsPerSegment: number;
    echoPairCpuMsPerSegment: number;
    /** Echo per segment counting both directions (wall ÷ 2 × 1,000,000/1460). */
    echoWallMsPerSegmentEitherWay: number;
    /** Derived: echo pair − download (what receiving one segment and echoing it adds over sending it). */
    receivedWallMsPerSegment: number;
    receivedCpuMsPerSegment: number;
    /** The same times ÷ one empty-loop iteration (top level). */
    iterations: {
      sentWall: number; sentCpu: number; echoPairWall: number; echoPairCpu: number;
      echoEitherWayWall: number; receivedWall: number; receivedCpu: number;
    };
  };
  deviceErrors?: string;
  file?: string;
}

export interface EspruinoDeviceOptions {
  /** Where the JSON goes; null: nowhere. */
  out?: string | null;
  log?: (line: string) => void;
}

export const DEFAULT_OUT = path.join(os.tmpdir(), 'etcpip-bench', 'espruino-device.json');

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const round = (x: number, d: number): number => Math.round(x * Math.pow(10, d)) / Math.pow(10, d);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// A 1 MB echo client: sends (in a thread) while it reads, half-closes after the last byte, reads to EOF.
const ECHO_CLIENT = `
import socket, sys, time, threading, os, json, hashlib
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
back = b''.join(parts)
print(json.dumps({'sent': n, 'got': got, 'same': back == data, 'seconds': t1 - t0, 'error': '; '.join(err)}))
`;

interface Status { tcp: { [k: string]: number }; device: { [k: string]: number } }

async function status(runner: Runner): Promise<Status> {
  const r = await runner('curl', ['-sS', '--max-time', '10', 'http://' + DEVICE + '/api/status'], 15000);
  if (r.code !== 0) throw new Error('GET /api/status failed: ' + r.stderr);
  const j = JSON.parse(r.stdout.toString()) as { counters: Status };
  return { tcp: j.counters.tcp, device: j.counters.device };
}

function countDelta(a: Status, b: Status, own: SegmentCounts | null): SegmentCounts {
  const d = (x: number, y: number): number => (y || 0) - (x || 0);
  const c: SegmentCounts = {
    tcpRx: d(a.tcp.rxSegments, b.tcp.rxSegments), tcpTx: d(a.tcp.txSegments, b.tcp.txSegments),
    framesRx: d(a.device.rxFrames, b.device.rxFrames), framesTx: d(a.device.txFrames, b.device.txFrames),
    retransmits: d(a.tcp.retransmits, b.tcp.retransmits),
  };
  if (own) {
    c.tcpRx -= own.tcpRx; c.tcpTx -= own.tcpTx; c.framesRx -= own.framesRx; c.framesTx -= own.framesTx;
  }
  return c;
}

interface CpuProbe { interp: number; socat: number; machine: MachineCpu; t: number }

function probe(interpPid: number, socatPid: number): CpuProbe {
  return { interp: processCpuSeconds(interpPid) || 0, socat: processCpuSeconds(socatPid) || 0, machine: machineCpu(), t: Date.now() };
}

/** One timed client run with the interpreter's CPU and the device's counters around it. */
async function measured(
  kind: 'download' | 'echo', runner: Runner, interpPid: number, socatPid: number, own: SegmentCounts,
  client: () => Promise<{ seconds: number; bytes: number; exact: boolean }>,
): Promise<TransferRun> {
  const s0 = await status(runner);
  const p0 = probe(interpPid, socatPid);
  const c = await client();
  const p1 = probe(interpPid, socatPid);
  const s1 = await status(runner);
  const counts = countDelta(s0, s1, own);
  const interp = p1.interp - p0.interp;
  const socat = p1.socat - p0.socat;
  const busy = p1.machine.busy - p0.machine.busy;
  const total = p1.machine.total - p0.machine.total;
  return {
    kind, bytes: c.bytes, seconds: round(c.seconds, 4), goodputBps: Math.round(c.bytes / c.seconds), exact: c.exact,
    interpreterCpuSeconds: round(interp, 3), interpreterCpuShare: round(interp / c.seconds, 3),
    socatCpuSeconds: round(socat, 3), machineBusyShare: round(total > 0 ? busy / total : NaN, 3),
    otherCpuSeconds: round(busy - interp - socat, 3), outerSeconds: round((p1.t - p0.t) / 1000, 3),
    counts, segmentsPerSec: { tcpRx: Math.round(counts.tcpRx / c.seconds), tcpTx: Math.round(counts.tcpTx / c.seconds) },
  };
}

async function download(runner: Runner, file: string, expected: Buffer): Promise<{ seconds: number; bytes: number; exact: boolean }> {
  try { fs.rmSync(file, { force: true }); } catch { /* none */ }
  const r = await runner('curl', ['-sS', '--max-time', '120', '-o', file, '-w', '%{http_code} %{size_download} %{time_total}',
    'http://' + DEVICE + '/bytes/' + TRANSFER_BYTES], 150000);
  const m = /^(\d+) (\d+) ([0-9.]+)/.exec(r.stdout.toString().trim());
  if (r.code !== 0 || !m || m[1] !== '200') throw new Error('GET /bytes/' + TRANSFER_BYTES + ' failed (' + r.code + '): ' + r.stdout.toString() + r.stderr);
  const body = fs.readFileSync(file);
  const exact = body.length === expected.length && crypto.createHash('sha256').update(body).digest('hex') === crypto.createHash('sha256').update(expected).digest('hex');
  return { seconds: Number(m[3]), bytes: Number(m[2]), exact };
}

async function echo(runner: Runner, port: number): Promise<{ seconds: number; bytes: number; exact: boolean }> {
  const r = await runner('python3', ['-c', ECHO_CLIENT, DEVICE, String(port), String(TRANSFER_BYTES)], 150000);
  let j: { sent: number; got: number; same: boolean; seconds: number; error: string };
  try { j = JSON.parse(r.stdout.toString()); } catch { throw new Error('echo client failed (' + r.code + '): ' + r.stdout.toString() + r.stderr); }
  if (j.error || j.got !== TRANSFER_BYTES) throw new Error('echo client: ' + JSON.stringify(j));
  return { seconds: j.seconds, bytes: j.got, exact: j.same };
}

/** Seconds the REPL's empty loop takes, as printed by the interpreter itself (getTime() difference). */
async function timeLoops(dev: EspruinoProcess): Promise<EspruinoDeviceResult['loop']> {
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

export async function runEspruinoDevice(opts: EspruinoDeviceOptions = {}): Promise<EspruinoDeviceResult> {
  const log = opts.log || ((s: string) => console.log(s));
  const what = 'bench: the device in the real interpreter';
  if (!isRoot) return { skipped: 'needs root (TAP devices, network namespaces)' };
  for (const tool of ['ip', 'socat', 'curl', 'python3']) {
    const found = (process.env.PATH || '').split(':').some((d) => d && fs.existsSync(path.join(d, tool)));
    if (!found) return { skipped: tool + ' not found' };
  }
  if (!fs.existsSync('/dev/net/tun')) return { skipped: '/dev/net/tun missing' };
  const interp = interpreterOrSkip('linux', what);
  if (!interp) return { skipped: 'no espruino-linux interpreter (ESPRUINO_BIN or ../shared/espruino/bin/)' };

  const base = boardConfig('linux')!;
  const config = Object.assign({}, base, {
    dgram: Object.assign({}, base.dgram, { relayPort: RELAY_PORT, localPort: DEVICE_PORT }),
    ipv4: { address: DEVICE, prefixLength: 24, gateway: KERNEL, dns: [] as string[] },
  });
  const code = buildBundle({ entry: 'firmware/main.ts', board: 'linux', config: config as unknown as { [k: string]: unknown } }).code;
  const started = new Date();
  const result: EspruinoDeviceResult = {
    date: started.toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0] ? os.cpus()[0].model : '?', loadAverage1m: round(os.loadavg()[0], 2), node: process.version, platform: os.platform() + ' ' + os.release() },
    interpreter: interp.prefix.concat([interp.command]).join(' '),
    bundleBytes: Buffer.byteLength(code),
  };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-bench-'));
  let rig: RelayRig | null = null;
  let dev: EspruinoProcess | null = null;
  try {
    rig = await startRelayRig('ebn', KERNEL + '/24', RELAY_PORT, DEVICE_PORT);
    const before = childPids(process.pid, /^espruino/);
    dev = await bootFromStorage(interp, code, 'bench');
    await dev.waitFor(/\[etcpip\] [^\n]*10\.0\.29\.2/, 20000);
    const after = childPids(process.pid, /^espruino/).filter((p) => before.indexOf(p) < 0);
    if (after.length !== 1) throw new Error('cannot tell the interpreter process apart (children: ' + JSON.stringify(after) + ')');
    const interpPid = after[0];
    const socatPid = rig.relay.pid || 0;
    const runner = netnsRunner(rig.ns.name);
    const ping = await runner('ping', ['-c', '2', '-i', '0.2', '-W', '3', DEVICE], 15000);
    if (ping.code !== 0) throw new Error('ping ' + DEVICE + ' failed: ' + ping.stdout.toString() + ping.stderr);
    // Warm-up (ARP, first connections, code paths), then the cost of one status read (subtracted from counts).
    const warm = await runner('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '30', 'http://' + DEVICE + '/bytes/100000'], 40000);
    if (warm.stdout.toString() !== '200') throw new Error('warm-up GET failed: ' + warm.stdout.toString() + warm.stderr);
    const sa = await status(runner);
    const sb = await status(runner);
    const own = countDelta(sa, sb, null);
    log('  status read costs the device ' + own.tcpRx + ' segments in, ' + own.tcpTx + ' out (subtracted from the counts)');

    await sleep(1000);
    const i0 = probe(interpPid, socatPid);
    await sleep(2000);
    const i1 = probe(interpPid, socatPid);
    result.idleCpuShare = round((i1.interp - i0.interp) / ((i1.t - i0.t) / 1000), 3);
    result.loop = await timeLoops(dev);
    log('  empty loop: ' + result.loop!.topLevelUsPerIteration + ' µs/iteration at top level (' + result.loop!.topLevelSamplesUs.join(', ') +
      '), ' + result.loop!.inFunctionUsPerIteration + ' in a function; interpreter idle CPU ' + result.idleCpuShare);

    const expected = expectedBytes(TRANSFER_BYTES);
    const file = path.join(work, 'bytes.bin');
    const echoPort = config.apps.echoPort;
    result.downloads = [];
    result.echoes = [];
    for (let k = 0; k < RUNS; k++) {
      const d = await measured('download', runner, interpPid, socatPid, own, () => download(runner, file, expected));
      result.downloads.push(d);
      log('  GET /bytes/' + TRANSFER_BYTES + ' #' + (k + 1) + ': ' + d.seconds + ' s, ' + (d.goodputBps / 1000).toFixed(1) + ' KB/s, exact ' + d.exact +
        ', interpreter CPU ' + d.interpreterCpuShare + ', segments in/out ' + d.counts.tcpRx + '/' + d.counts.tcpTx);
      await sleep(500);
      const e = await measured('echo', runner, interpPid, socatPid, own, () => echo(runner, echoPort));
      result.echoes.push(e);
      log('  echo 1 MB #' + (k + 1) + ': ' + e.seconds + ' s, ' + (e.goodputBps / 1000).toFixed(1) + ' KB/s, exact ' + e.exact +
        ', interpreter CPU ' + e.interpreterCpuShare + ', segments in/out ' + e.counts.tcpRx + '/' + e.counts.tcpTx);
      await sleep(500);
    }
    const errs = /Uncaught|OUT OF MEMORY|LOW_MEMORY|poll failed/.exec(dev.output());
    if (errs) result.deviceErrors = dev.output().slice(Math.max(0, errs.index - 500), errs.index + 1500);

    const it = result.loop!.topLevelUsPerIteration / 1000; // ms
    const dMed = medianRun(result.downloads);
    const eMed = medianRun(result.echoes);
    const sentWall = dMed.seconds * 1000 / FULL_SEGMENTS;
    const sentCpu = dMed.interpreterCpuSeconds * 1000 / FULL_SEGMENTS;
    const pairWall = eMed.seconds * 1000 / FULL_SEGMENTS;
    const pairCpu = eMed.interpreterCpuSeconds * 1000 / FULL_SEGMENTS;
    result.summary = {
      downloadMedianKBps: round(median(result.downloads.map((r) => r.goodputBps)) / 1000, 1),
      echoMedianKBps: round(median(result.echoes.map((r) => r.goodputBps)) / 1000, 1),
      sentWallMsPerSegment: round(sentWall, 3), sentCpuMsPerSegment: round(sentCpu, 3),
      echoPairWallMsPerSegment: round(pairWall, 3), echoPairCpuMsPerSegment: round(pairCpu, 3),
      echoWallMsPerSegmentEitherWay: round(pairWall / 2, 3),
      receivedWallMsPerSegment: round(pairWall - sentWall, 3), receivedCpuMsPerSegment: round(pairCpu - sentCpu, 3),
      iterations: {
        sentWall: Math.round(sentWall / it), sentCpu: Math.round(sentCpu / it),
        echoPairWall: Math.round(pairWall / it), echoPairCpu: Math.round(pairCpu / it),
        echoEitherWayWall: Math.round(pairWall / 2 / it),
        receivedWall: Math.round((pairWall - sentWall) / it), receivedCpu: Math.round((pairCpu - sentCpu) / it),
      },
    };
  } finally {
    if (dev) await dev.stop();
    if (rig) await rig.stop();
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

/** The run with the median time (by seconds) — its CPU and counts go with it. */
function medianRun(rs: TransferRun[]): TransferRun {
  const s = rs.slice().sort((a, b) => a.seconds - b.seconds);
  return s[Math.floor((s.length - 1) / 2)];
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
  const l = r.loop!;
  console.log(r.date + ', ' + r.machine!.cpus + ' cores (' + r.machine!.model + '), load average ' + r.machine!.loadAverage1m +
    '; bundle ' + r.bundleBytes + ' bytes; interpreter idle CPU ' + r.idleCpuShare);
  console.log('empty loop iteration (REPL, top level, getTime(), nothing subtracted): ' + l.topLevelUsPerIteration + ' µs (median of ' +
    l.topLevelSamplesUs.join(', ') + '); inside a function: ' + l.inFunctionUsPerIteration + ' µs');
  console.log(table(['run', 'seconds', 'KB/s', 'exact', 'interp. CPU', 'socat CPU s', 'other CPU s', 'machine busy', 'seg in', 'seg out', 'seg in/s', 'seg out/s', 'rexmit'],
    r.downloads!.concat(r.echoes!).map((x, i) => [
      (x.kind === 'download' ? 'GET /bytes/1000000 #' + (i + 1) : 'echo 1 MB #' + (i + 1 - r.downloads!.length)),
      x.seconds.toFixed(2), (x.goodputBps / 1000).toFixed(1), String(x.exact), x.interpreterCpuShare.toFixed(2),
      x.socatCpuSeconds.toFixed(2), x.otherCpuSeconds.toFixed(2), x.machineBusyShare.toFixed(2),
      x.counts.tcpRx, x.counts.tcpTx, x.segmentsPerSec.tcpRx, x.segmentsPerSec.tcpTx, x.counts.retransmits])));
  const s = r.summary!;
  console.log(table(['per full-size segment (median run)', 'wall ms', 'empty-loop it.', 'interp. CPU ms', 'empty-loop it. (CPU)'], [
    ['sent (GET /bytes/1000000 ÷ ' + FULL_SEGMENTS.toFixed(1) + ')', s.sentWallMsPerSegment, s.iterations.sentWall, s.sentCpuMsPerSegment, s.iterations.sentCpu],
    ['echo: one received + one sent', s.echoPairWallMsPerSegment, s.iterations.echoPairWall, s.echoPairCpuMsPerSegment, s.iterations.echoPairCpu],
    ['echo: either direction (÷ 2)', s.echoWallMsPerSegmentEitherWay, s.iterations.echoEitherWayWall, '', ''],
    ['received (echo pair − sent)', s.receivedWallMsPerSegment, s.iterations.receivedWall, s.receivedCpuMsPerSegment, s.iterations.receivedCpu],
  ]));
  console.log('goodput median: GET /bytes/1000000 ' + s.downloadMedianKBps + ' KB/s, echo 1 MB ' + s.echoMedianKBps + ' KB/s');
  if (r.deviceErrors) console.log('THE DEVICE PRINTED AN ERROR:\n' + r.deviceErrors);
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
  const out = oi >= 0 ? argv[oi + 1] : DEFAULT_OUT;
  runEspruinoDevice({ out }).then((r) => {
    printEspruinoDevice(r);
    process.exit(r.skipped ? 2 : 0);
  }, (e) => { console.error(e); process.exit(1); });
}
