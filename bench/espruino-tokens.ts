// `npx ts-node --transpile-only bench/espruino-tokens.ts [--top N] [--fn TEXT]`: where the interpreter's
// time goes in bench/espruino-path.ts's download, function by function and token by token.
//
// Espruino runs JavaScript from its source text: every call reads the function's whole text, token by
// token, running some tokens and skipping the rest (branches not taken, and everything after a `return`).
// So the work is counted in tokens. The interpreter here is Espruino 2v29 built with
// bench/espruino-tokens/token-profile.c (bench/espruino-tokens/build.sh), found through
// ESPRUINO_TOKENS_BIN: it counts each token read by (code string, position) and adds the processor cycles
// until the next token to it (the token's own work, any native call it makes included).
//
// Two downloads (N1 and N2 bytes) and the scripted peer alone for the same number of segments are
// profiled; per token, (N2 − N1 − peer) ÷ segments leaves only the device's work per segment sent.
// Printed per function (a code string): its share of the device's cycles, tokens read a segment, and how
// often it starts a segment (calls, counted at its first token); with --fn, the function whose text
// starts with TEXT token by token. Cycles are wall-clock and include the profile's own cost (about a
// hundred a token), so shares are approximate; token counts are exact. The bundle keeps property names
// (mangleProperties: false) so that the functions can be recognised; the token counts are the shipped
// bundle's.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBundle } from '../tools/build/bundle';
import { pathRuns, values } from './espruino-path';

interface Token { count: number; cycles: number; text: string }
type Profile = Map<string, Map<number, Token>>;

/** Runs `code` in the profiling interpreter; the profile by function text, and the run's printed "P" values. */
function profile(bin: string, code: string): { prof: Profile; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-tokens-'));
  try {
    const file = path.join(dir, 'run.js');
    const dump = path.join(dir, 'profile.txt');
    fs.writeFileSync(file, code + '\nquit();\n');
    const r = spawnSync(bin, [file], { encoding: 'latin1', input: '', timeout: 600000, env: { ...process.env, ESPR_PROF: dump } });
    values((r.stdout || '') + (r.stderr || '')); // (throws if the run did not finish)
    if (!fs.existsSync(dump)) throw new Error('no profile written: is ' + bin + ' built with bench/espruino-tokens/build.sh?');
    const prof: Profile = new Map();
    for (const line of fs.readFileSync(dump, 'latin1').split('\n')) {
      const f = line.split('|');
      if (f.length !== 5) continue;
      // The file itself starts with the runner's own first line: one key for it whatever N is.
      const fn = f[1].replace(/^var PATH_[A-Z_]+ = \d+;.*/, '(top level)');
      let m = prof.get(fn);
      if (!m) prof.set(fn, m = new Map());
      const pos = Number(f[2]);
      const t = m.get(pos) || { count: 0, cycles: 0, text: f[3] };
      t.count += Number(f[0]);
      t.cycles += Number(f[4]);
      m.set(pos, t);
    }
    return { prof, output: r.stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** a + k·b, token by token. */
function combine(a: Profile, b: Profile, k: number): Profile {
  const r: Profile = new Map();
  for (const [fn, m] of a) r.set(fn, new Map([...m].map(([p, t]) => [p, { ...t }])));
  for (const [fn, m] of b) {
    let rm = r.get(fn);
    if (!rm) r.set(fn, rm = new Map());
    for (const [p, t] of m) {
      const x = rm.get(p) || { count: 0, cycles: 0, text: t.text };
      x.count += k * t.count;
      x.cycles += k * t.cycles;
      rm.set(p, x);
    }
  }
  return r;
}

function main(): void {
  const args = process.argv.slice(2);
  const top = args.indexOf('--top') >= 0 ? Number(args[args.indexOf('--top') + 1]) : 30;
  const fnText = args.indexOf('--fn') >= 0 ? args[args.indexOf('--fn') + 1] : null;
  const bin = process.env.ESPRUINO_TOKENS_BIN;
  if (!bin || !fs.existsSync(bin)) {
    console.log('skipped: set ESPRUINO_TOKENS_BIN to an interpreter built with bench/espruino-tokens/build.sh ' +
      '(Espruino 2v29 source with the token profile compiled in)');
    return;
  }
  const code = buildBundle({ entry: 'bench/device/path-micro.ts', hoistModules: true, mangleProperties: false }).code;
  const { a, b, p1, p2, segs } = pathRuns(code, (src) => profile(bin, src));
  // The device's part: N2 − N1 − (the peer alone, for as many segments).
  const device = combine(combine(b.prof, a.prof, -1), combine(p2.prof, p1.prof, -1), -1);
  const rows: Array<{ fn: string; tokens: number; cycles: number; calls: number }> = [];
  let tokens = 0;
  let cycles = 0;
  for (const [fn, m] of device) {
    let t = 0;
    let c = 0;
    for (const x of m.values()) { t += x.count; c += x.cycles; }
    const first = m.get(0);
    rows.push({ fn, tokens: t / segs, cycles: c / segs, calls: first ? first.count / segs : 0 });
    tokens += t / segs;
    cycles += c / segs;
  }
  rows.sort((x, y) => y.cycles - x.cycles);
  console.log('Device per full-size segment sent (' + segs + ' segments): ' + Math.round(tokens) + ' tokens read, ' +
    Math.round(cycles) + ' cycles (profiled)');
  console.log('share  tokens  calls  function (its text from the start)');
  for (const r of rows.slice(0, top)) {
    if (Math.abs(r.tokens) < 0.5) continue;
    console.log((100 * r.cycles / cycles).toFixed(1).padStart(5) + '% ' + r.tokens.toFixed(0).padStart(6) + ' ' +
      r.calls.toFixed(2).padStart(6) + '  ' + r.fn.slice(0, 90));
  }
  if (fnText !== null) {
    const fn = [...device.keys()].find((k) => k.startsWith(fnText));
    if (!fn) { console.log('no function starts with ' + JSON.stringify(fnText)); return; }
    console.log('\n' + fn + '\nposition  reads a segment  share  token onwards');
    for (const [p, t] of [...device.get(fn)!].sort((x, y) => x[0] - y[0])) {
      if (Math.abs(t.count / segs) < 0.01) continue;
      console.log(String(p).padStart(8) + (t.count / segs).toFixed(2).padStart(17) + (100 * t.cycles / segs / cycles).toFixed(2).padStart(7) + '  ' + t.text);
    }
  }
}

main();
