// `npx ts-node --transpile-only bench/espruino-path.ts`: the interpreter's work per full-size segment a
// device sends in a `GET /bytes/N` download, counted in machine instructions of espruino-linux under
// valgrind (cachegrind, no cache simulation) and given in empty-loop iterations counted the same way.
// A busy machine moves wall-clock times by 2× here; instruction counts do not move. No root, no TAP.
// The entry is bench/device/path-micro.ts (a Device with the linux preset over its dgram link, and a
// scripted peer, on a virtual clock).
//
// Device instructions per segment = (I(download of N2) − I(download of N1) − the peer's part of the
// same number of segments) ÷ (segments(N2) − segments(N1)): the difference leaves the start-up, the
// handshake and the request out. One empty-loop iteration (`for (var i…)` at the top level) is
// (I(300,000 iterations) − I(100,000)) ÷ 200,000.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBundle } from '../tools/build/bundle';
import { findInterpreter } from '../tools/espruino-bin';

const N1 = 100000;
const N2 = 400000;

/** Machine instructions of espruino-linux running `code` (cachegrind's I refs), and what it printed. */
export function instructions(bin: string, code: string): { refs: number; output: string } {
  const file = path.join(os.tmpdir(), 'etcpip-path-' + process.pid + '.js');
  fs.writeFileSync(file, code + '\nquit();\n');
  const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', bin, file],
    { encoding: 'utf8', timeout: 600000, input: '' });
  fs.unlinkSync(file);
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr || '');
  if (!m) throw new Error('no instruction count: ' + (r.stderr || '').slice(-400));
  return { refs: Number(m[1].replace(/,/g, '')), output: r.stdout || '' };
}

/** espruino-linux, when it and valgrind are here to count instructions; else why a count is skipped. */
export function countingInterpreter(): string | { skipped: string } {
  const bin = findInterpreter('linux');
  if (!bin) return { skipped: 'espruino-linux not found (ESPRUINO_BIN or ../shared/espruino/bin/)' };
  if (spawnSync('valgrind', ['--version']).status !== 0) return { skipped: 'valgrind not installed' };
  return bin;
}

/** Machine instructions of one empty-loop iteration (`for (var i…)` at the top level) in `bin`. */
export function loopIterationInstructions(bin: string): number {
  const loop = (n: number): number => instructions(bin, 'for (var i = 0; i < ' + n + '; i++) {}').refs;
  return (loop(300000) - loop(100000)) / 200000;
}

/** The "P key value" lines a path-micro run printed; throws if the run did not finish. */
export function values(output: string): { [k: string]: number } {
  const o: { [k: string]: number } = {};
  for (const l of output.match(/^P \w+ [\d.]+/gm) || []) { const p = l.split(' '); o[p[1]] = Number(p[2]); }
  if (!/^P done/m.test(output)) throw new Error('the run did not finish: ' + output.slice(-400));
  return o;
}

/** Why the downloads of N1 and N2 bytes (their values()) cannot be counted, or null when both are right. */
function downloadProblem(va: { [k: string]: number }, vb: { [k: string]: number }): string | null {
  if (va.internalErrors || vb.internalErrors) return 'an exception inside the stack';
  if (va.corrupt || vb.corrupt || !vb.bodyFound) return 'a body segment that is not the /bytes pattern';
  if (vb.bytes < N2) return 'only ' + vb.bytes + ' of ' + N2 + ' bytes';
  return null;
}

/**
 * What goes before path-micro's code for a run: ETCPIP_PATH_ACK_EVERY=k makes the peer ACK every k-th
 * segment (default 2). Two runs with different k split a segment's cost into what sending it costs and
 * what each ACK (with its poll and refill) costs.
 */
function ackEveryPrefix(): string {
  return process.env.ETCPIP_PATH_ACK_EVERY ? 'var PATH_ACK_EVERY = ' + Number(process.env.ETCPIP_PATH_ACK_EVERY) + ';\n' : '';
}

/**
 * The four runs both benches count with (and bench/espruino-tokens.ts profiles): the downloads of N1 and
 * N2 bytes, checked right, and the peer alone for 100 and 100 + (the segments between them) segments, to
 * subtract. `run` runs path-micro's code with what goes before it and gives its output.
 */
export function pathRuns<R extends { output: string }>(code: string, run: (src: string) => R):
  { a: R; b: R; p1: R; p2: R; va: { [k: string]: number }; vb: { [k: string]: number }; segs: number } {
  const every = ackEveryPrefix();
  const a = run(every + 'var PATH_BYTES = ' + N1 + ';\n' + code);
  const b = run(every + 'var PATH_BYTES = ' + N2 + ';\n' + code);
  const va = values(a.output);
  const vb = values(b.output);
  const problem = downloadProblem(va, vb);
  if (problem) throw new Error('the download failed (' + problem + '): ' + b.output.slice(-400));
  const segs = vb.segments - va.segments;
  const p1 = run(every + 'var PATH_PEER_ONLY = 100;\n' + code);
  const p2 = run(every + 'var PATH_PEER_ONLY = ' + (100 + segs) + ';\n' + code);
  return { a, b, p1, p2, va, vb, segs };
}

export function runPath(): { [key: string]: number } | { skipped: string } {
  const bin = countingInterpreter();
  if (typeof bin !== 'string') return bin;
  // The shipped shape (modules hoisted, as the firmware's bundle). An earlier state of this entry failed
  // hoisted ("Expecting function, got Number" in the TCP header's writeU16); at 86c46c8 it runs, and counts
  // 964 iterations a segment hoisted against 954 in the registry shape (hoistModules: false).
  const code = buildBundle({ entry: 'bench/device/path-micro.ts', hoistModules: process.env.ETCPIP_PATH_REGISTRY !== '1' }).code;
  const unit = loopIterationInstructions(bin);
  const { a, b, p1, p2, va, vb, segs } = pathRuns(code, (src) => instructions(bin, src));
  const device = (b.refs - a.refs - (p2.refs - p1.refs)) / segs;
  return {
    instructionsPerLoopIteration: Math.round(unit),
    segments: segs,
    acksPerSegment: Number(((vb.acks - va.acks) / segs).toFixed(3)),
    pollsPerSegment: Number(((vb.polls - va.polls) / segs).toFixed(3)),
    retransmits: vb.retransmits,
    peerIterationsPerSegment: Math.round((p2.refs - p1.refs) / segs / unit),
    deviceInstructionsPerSegment: Math.round(device),
    deviceIterationsPerSegment: Math.round(device / unit),
  };
}

if (require.main === module) {
  const r = runPath();
  if ('skipped' in r) { console.log('skipped: ' + r.skipped); process.exit(0); }
  for (const k of Object.keys(r)) console.log((k + '                                  ').slice(0, 32) + r[k]);
}
