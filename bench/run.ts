// `npm run bench [-- --update-snapshot] [-- --quick] [-- --markdown] [-- --only quality,host,device,tap,linux,espruino] [-- --save | --out FILE]`
// Prints the benchmark tables and writes the numbers to the OS temporary directory (etcpip-bench-results.json),
// or with --save to bench/results.json (tracked: the numbers BENCHMARKS.md quotes). What each number means: BENCHMARKS.md.
//   host     host stack speed (wall clock): bulk MB/s and segments/s, HTTP requests/s
//   quality  protocol quality on the virtual clock (deterministic; compared with bench/snapshots/quality.json)
//   device   device cost: bundle bytes per part, memory estimate in Espruino blocks, calls/loops per segment
//   tap      the simulator vs the Linux kernel on the same TAP path: ping, connections/s, requests/s, MB/s (root only)
//   linux    our device vs the Linux kernel on the same impaired link through TAP (root only): 1 % loss, and
//            reordering without loss
//   espruino the firmware in the real interpreter (root only; run by default, or alone with --only espruino),
//            and its work per segment sent counted under valgrind (bench/espruino-path.ts), and the
//            W5500 and ENC28J60 drivers' per frame (bench/espruino-spi.ts), and Espruino's own per frame the dgram link
//            sends (bench/espruino-dgram.ts)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runHostSpeed, HostSpeedResult } from './host-speed';
import {
  runQuality, QualityResult, compareWithSnapshot, formatDiffs, LINK_BPS, DURATION_MS, SEEDS, LOSSES, RTTS_MS, WINDOWS,
} from './quality';
import { bundleSizes, memoryEstimate, interpreterWork, SizeResult, MemoryResult, WorkResult } from './device-cost';
import { runLinuxCompare, LinuxCompareResult, LINUX_COMPARE_DEFAULTS, LINUX_COMPARE_REORDERING } from './linux-compare';
import { runTapCompare, tapCompareTable, TapCompareResult, TAP_COMPARE_DEFAULTS } from './tap-compare';

export const SNAPSHOT_FILE = path.join(__dirname, 'snapshots', 'quality.json');
/**
 * Where a run's numbers go: outside the tracked tree (the OS temporary directory) unless `--save`, which
 * writes bench/results.json (the numbers BENCHMARKS.md quotes), or `--out FILE`.
 */
const SAVED_RESULTS_FILE = path.join(__dirname, 'results.json');
function resultsFile(argv: string[]): string {
  const i = argv.indexOf('--out');
  if (i >= 0 && argv[i + 1]) return path.resolve(argv[i + 1]);
  if (argv.includes('--save')) return SAVED_RESULTS_FILE;
  return path.join(os.tmpdir(), 'etcpip-bench-results.json');
}

export interface QualitySnapshot {
  note: string;
  params: { linkBps: number; durationMs: number; seeds: number[] };
  results: QualityResult[];
}

export function snapshotParams(): QualitySnapshot['params'] {
  return { linkBps: LINK_BPS, durationMs: DURATION_MS, seeds: SEEDS };
}

/** --markdown prints the tables as Markdown (for BENCHMARKS.md). */
let markdown = false;

function table(header: string[], rows: Array<Array<string | number>>): string {
  if (markdown) {
    const md = (r: Array<string | number>): string => '| ' + r.map(String).join(' | ') + ' |';
    return [md(header), '|' + header.map((_, i) => (i === 0 ? '---' : '---:')).join('|') + '|', ...rows.map(md)].join('\n');
  }
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] || '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(cells[0]), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function printHost(h: HostSpeedResult): void {
  console.log('\n== 1. Host stack speed (wall clock, one core, best of ' + h.repeats + ' runs; load average ' +
    os.loadavg()[0].toFixed(1) + '; reference loop ' + h.referenceLoopNs + ' ns/iteration)');
  console.log(table(['bulk transfer', 'bytes', 'MB/s', 'data seg/s', 'frames/s', 'µs/segment', 'ref-loop it./segment'],
    h.bulk.map((b) => [(b.chip === 'wire' ? 'on the wire' : b.chip + ' model + driver') + ', window ' + b.window, b.bytes, b.MBps, b.dataSegmentsPerSec, b.framesPerSec, (b.nsPerSegment / 1000).toFixed(1), b.refIterationsPerSegment])));
  console.log(table(['HTTP GET /bytes/100', 'device', 'requests', 'wall ms', 'requests/s'],
    h.http.map((x) => [x.mode, x.chip === 'wire' ? 'on the wire' : x.chip + ' model + driver', x.requests, x.wallMs, x.requestsPerSec])));
}

function printQuality(q: QualityResult[]): void {
  console.log('\n== 2. Protocol quality (virtual clock, ' + LINK_BPS / 1e6 + ' Mb/s link, ' + DURATION_MS / 1000 +
    ' s per run, mean of seeds ' + SEEDS.join(',') + ')');
  console.log(table(['loss', 'RTT ms', 'window', 'goodput KB/s', 'of link', 'of win/RTT', 'rexmit', 'fast rexmit', 'aborts', 'lost frames'],
    q.map((r) => [(r.loss * 100) + ' %', r.rttMs, r.window, (r.goodputBps / 1000).toFixed(1), r.ofLink.toFixed(3), r.ofWindow.toFixed(3),
      r.retransmits, r.fastRetransmits, r.aborts, r.framesLost])));
}

function printDevice(s: SizeResult | null, m: MemoryResult | null, w: WorkResult | null): void {
  console.log('\n== 3. Device cost');
  if (s) {
    console.log('bundle ' + s.entry + ' (board ' + s.board + '), minified: ' + s.totalMinBytes + ' bytes (runtime ' + s.runtimeMinBytes + ', one scope ' + s.sharedScopeBytes + ')');
    console.log(table(['part', 'modules', 'min bytes'], s.parts.map((p) => [p.part, p.modules, p.minBytes])));
  }
  if (m) {
    console.log('memory estimate (Espruino blocks of ' + m.blockBytes + ' bytes): idle stack + HTTP app ' + m.idleBlocks +
      ', per TCP connection (2 KB + 2 KB buffers) +' + m.perTcpConnectionBlocks + ' (buffers ' + m.bufferBlocks +
      '), per keep-alive HTTP connection +' + m.perHttpConnectionBlocks);
  }
  if (w) {
    console.log(table(['work per segment', 'device', 'MSS', 'segments', 'JS calls', 'loop iterations', 'native sums', 'SPI frames', 'SPI bytes', 'SPI bytes read back'],
      w.rows.map((r) => [r.side, r.chip === 'wire' ? 'stack only' : r.chip + ' driver', r.mss, r.segments, r.callsPerSegment, r.loopIterationsPerSegment,
        r.nativeWordSumsPerSegment, r.spiFramesPerSegment === undefined ? '-' : r.spiFramesPerSegment, r.spiBytesPerSegment === undefined ? '-' : r.spiBytesPerSegment,
        r.spiReturnedBytesPerSegment === undefined ? '-' : r.spiReturnedBytesPerSegment])));
    console.log('loop iterations per segment at MSS 1460 ÷ at MSS 100: receiver ' + w.receiverLoopGrowth + ', sender ' + w.senderLoopGrowth +
      ' (≈ 1: no per-byte JavaScript loop)');
    console.log('busiest loops per received 1460-byte segment: ' + w.topReceiverLoops.map((l) => l.site + ' ×' + l.perSegment).join('; '));
    console.log('most called per received 1460-byte segment: ' + w.topReceiverCalls.map((l) => l.site + ' ×' + l.perSegment).join('; '));
  }
}

function printLinux(l: LinuxCompareResult, title: string): void {
  console.log('\n== 4. Against the Linux kernel on the same impaired link (TAP, network namespaces)' + title);
  if (l.skipped) { console.log('SKIPPED: ' + l.skipped); return; }
  const o = l.options!;
  const ro = o.impairments.reorder ? '; ' + o.impairments.reorder * 100 + ' % of frames held back ' + o.impairments.reorderMs + ' ms' : '';
  console.log('link: loss ' + (o.impairments.loss! * 100) + ' %, one-way delay ' + o.impairments.delayMs + ' ms, ' +
    o.impairments.bitsPerSecond! / 1e6 + ' Mb/s' + ro + '; window clamp ' + o.window + ' bytes; GET /bytes/' + o.bytes);
  console.log(table(['server', 'HTTP', 'bytes', 'seconds', 'goodput KB/s', 'lost frames'],
    (l.fetches || []).concat([l.ours!, l.linux!]).map((f) => [f.server, f.httpCode, f.bytes, f.seconds.toFixed(2), (f.goodputBps / 1000).toFixed(1), f.framesLost])));
  console.log('ratio ours / linux: ' + l.ratio);
  const r = l.ourRecovery;
  if (r) console.log('ours, over every fetch: ' + r.fastRetransmits + ' fast retransmits, ' + r.sackRetransmits + ' from SACK, ' +
    r.timeouts + ' segments resent by timeouts, ' + r.lossProbes + ' loss probes, ' + r.recoveriesUndone + ' recoveries undone by DSACKs');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const RESULTS_FILE = resultsFile(argv);
  const update = argv.includes('--update-snapshot');
  const quick = argv.includes('--quick');
  markdown = argv.includes('--markdown');
  const onlyArg = argv.find((a) => a.startsWith('--only'));
  let only: string[] = ['host', 'quality', 'device', 'tap', 'linux'];
  if (onlyArg) only = (onlyArg.includes('=') ? onlyArg.split('=')[1] : argv[argv.indexOf(onlyArg) + 1] || '').split(',');
  // The machine's packages: the tests' set (TAP peers, ping, curl) and the bench's own: ab for the TAP
  // section's connection rates, valgrind for bench/espruino-path.ts.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('../tools/test-setup').ensure(['apache2-utils', 'valgrind'], 'bench set-up');
  const started = new Date();
  // With --only, the sections not run keep their numbers from the last results.json.
  let previous: { [k: string]: unknown } = {};
  const previousFile = fs.existsSync(RESULTS_FILE) ? RESULTS_FILE : SAVED_RESULTS_FILE;
  if (onlyArg && fs.existsSync(previousFile)) {
    try { previous = JSON.parse(fs.readFileSync(previousFile, 'utf8')); } catch { previous = {}; }
  }
  const results: { [k: string]: unknown } = {
    ...previous,
    date: started.toISOString(),
    machine: { cpus: os.cpus().length, loadAverage1m: os.loadavg()[0], model: os.cpus()[0] ? os.cpus()[0].model : '?', node: process.version, platform: os.platform() + ' ' + os.release() },
  };
  console.log('espruino-tcpip benchmarks — ' + started.toISOString() + ', ' + os.cpus().length + ' cores (' +
    (os.cpus()[0] ? os.cpus()[0].model : '?') + '), node ' + process.version);

  if (only.includes('host')) {
    const h = runHostSpeed(quick);
    results.hostSpeed = h;
    printHost(h);
  }
  if (only.includes('quality') || update) {
    const q = runQuality();
    results.quality = { params: snapshotParams(), losses: LOSSES, rttsMs: RTTS_MS, windows: WINDOWS, results: q };
    printQuality(q);
    if (update) {
      const snap: QualitySnapshot = {
        note: 'Written by `npm run bench -- --update-snapshot`; compared by test/bench/quality-snapshot.test.ts. Deterministic (virtual clock, seeded wire).',
        params: snapshotParams(),
        results: q,
      };
      fs.mkdirSync(path.dirname(SNAPSHOT_FILE), { recursive: true });
      fs.writeFileSync(SNAPSHOT_FILE, JSON.stringify(snap, null, 1) + '\n');
      console.log('snapshot written: ' + path.relative(process.cwd(), SNAPSHOT_FILE));
    } else if (fs.existsSync(SNAPSHOT_FILE)) {
      const snap = JSON.parse(fs.readFileSync(SNAPSHOT_FILE, 'utf8')) as QualitySnapshot;
      console.log('compared with ' + path.relative(process.cwd(), SNAPSHOT_FILE) + ':\n' + formatDiffs(compareWithSnapshot(snap.results, q)));
    }
  }
  if (only.includes('device')) {
    let s: SizeResult | null = null;
    let m: MemoryResult | null = null;
    let w: WorkResult | null = null;
    try { s = bundleSizes(); } catch (e) { console.log('bundle sizes failed: ' + (e as Error).message); }
    try { m = memoryEstimate(); } catch (e) { console.log('memory estimate failed: ' + (e as Error).message); }
    try { w = interpreterWork(); } catch (e) { console.log('work count failed: ' + (e as Error).message); }
    results.device = { bundle: s, memory: m, work: w };
    printDevice(s, m, w);
  }
  if (!onlyArg || only.includes('espruino')) {
    results.espruinoDevice = await (await import('./espruino-device')).runEspruinoDeviceSection(table);
    // The interpreter's work per segment sent, in instructions (valgrind): the same on any machine.
    let p: { [key: string]: number } | { skipped: string };
    try { p = (await import('./espruino-path')).runPath(); } catch (e) { p = { skipped: 'failed: ' + (e as Error).message }; }
    results.espruinoPath = p;
    console.log('\n## Interpreter work per full-size segment sent (bench/espruino-path.ts, valgrind)');
    for (const k of Object.keys(p)) console.log('  ' + k + ': ' + (p as { [key: string]: unknown })[k]);
    // The W5500 and ENC28J60 drivers' own part of a frame sent and received, over the Espruino HAL (valgrind too).
    let sp: { [key: string]: number } | { skipped: string };
    try { sp = (await import('./espruino-spi')).runSpi(); } catch (e) { sp = { skipped: 'failed: ' + (e as Error).message }; }
    results.espruinoSpi = sp;
    console.log('\n## Interpreter work in the W5500 and ENC28J60 drivers per full-size frame (bench/espruino-spi.ts, valgrind)');
    for (const k of Object.keys(sp)) console.log('  ' + k + ': ' + (sp as { [key: string]: unknown })[k]);
    // What Espruino's socket and idle loop do per frame the dgram link sends (left out of espruino-path's count).
    let dg: { [key: string]: number } | { skipped: string };
    try { dg = (await import('./espruino-dgram')).runDgram(); } catch (e) { dg = { skipped: 'failed: ' + (e as Error).message }; }
    results.espruinoDgram = dg;
    console.log("\n## Espruino's own work per frame the dgram link sends (bench/espruino-dgram.ts, valgrind)");
    for (const k of Object.keys(dg)) console.log('  ' + k + ': ' + (dg as { [key: string]: unknown })[k]);
  }
  if (only.includes('tap')) {
    let t: TapCompareResult;
    try {
      t = await runTapCompare(TAP_COMPARE_DEFAULTS, (x) => console.log('  ' + x));
    } catch (e) {
      t = { skipped: 'failed: ' + (e as Error).message };
    }
    results.tap = t;
    console.log('\n## The simulator against the Linux kernel on the same TAP path (bench/tap-compare.ts)\n' + tapCompareTable(t));
  }
  if (only.includes('linux')) {
    // With 1 % loss, then issue 18 part 2's other case: reordering (2 % of frames held back two round trips), no loss.
    const cases: Array<[string, typeof LINUX_COMPARE_DEFAULTS, string]> = [
      ['linux', LINUX_COMPARE_DEFAULTS, ''], ['linuxReordering', LINUX_COMPARE_REORDERING, ', with reordering']];
    for (const [key, options, title] of cases) {
      let l: LinuxCompareResult;
      try {
        l = await runLinuxCompare(options, (x) => console.log(x));
      } catch (e) {
        l = { skipped: 'failed: ' + (e as Error).message };
      }
      results[key] = l;
      printLinux(l, title);
    }
  }
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 1) + '\n');
  console.log('\nwritten: ' + RESULTS_FILE + (RESULTS_FILE === SAVED_RESULTS_FILE ? '' : ' (--save writes bench/results.json, the numbers BENCHMARKS.md quotes)'));
}

if (require.main === module) {
  main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
}
