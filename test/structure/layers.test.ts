// The layer rules of CODING.md "Layers", checked on the imports of every .ts file: each layer imports
// only itself and the layers below it, and the shipped code (tcp/, hal/, firmware/) has no import circle.
//
//   tcp/ (the stack), from the bottom: the ports and shared contracts at its root (ports.ts, errors.ts,
//     events.ts, socket-api.ts: they import nothing) < wire/ < iface/ < tcp/ (TCP) < stack.ts.
//     tcp/ imports nothing outside tcp/, not even a package.
//   hal/ implements the stack's ports: it may import tcp/; hal/sim/ (the simulator) is not shipped, and
//     nothing shipped imports it.
//   firmware/ may import tcp/ and hal/ (not hal/sim/); examples/ (applications) those and firmware/.
//   tools/ may import all of those, bench/ also tools/, test/ everything.
// Imports are read with TypeScript's pre-processor (import / export … from, import type, require(),
// import()): type-only imports count too, since they tie the files together all the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const FOLDERS = ['tcp', 'hal', 'firmware', 'examples', 'tools', 'bench', 'test'];

/**
 * Imports from a lower layer to a higher one allowed for now, as 'from -> to' (none: the last, bench →
 * test/helpers/espruino-real.ts, moved to tools/espruino-real.ts). When a listed one is gone, the test
 * asks for its line here to be deleted.
 */
const KNOWN_UPWARD_IMPORTS: string[] = [];

/** Import circles allowed in the shipped code: none (the test fails while a listed circle no longer exists). */
const KNOWN_CIRCLES: string[][] = [];

/** Where a file of tcp/ sits in the stack, bottom (0) to top. */
function tcpRank(file: string): number {
  if (file.startsWith('tcp/wire/')) return 1;
  if (file.startsWith('tcp/iface/')) return 2;
  if (file.startsWith('tcp/tcp/')) return 3;
  const base = file.substring('tcp/'.length);
  if (base === 'ports.ts' || base === 'errors.ts' || base === 'events.ts' || base === 'socket-api.ts') return 0;
  if (base === 'stack.ts') return 4;
  return -1; // not placed yet: the test says so
}

/** Where a folder sits among the folders, bottom (0) to top. */
const FOLDER_RANK: { [folder: string]: number } = { tcp: 0, hal: 1, firmware: 2, examples: 3, tools: 3, bench: 4, test: 5 };

function isShipped(file: string): boolean {
  return file.startsWith('tcp/') || file.startsWith('firmware/') || (file.startsWith('hal/') && !file.startsWith('hal/sim/'));
}

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[] = [];
  try { entries = fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }); } catch (e) { return; }
  for (const e of entries) {
    const rel = dir + '/' + e.name;
    if (e.isDirectory()) { if (e.name !== 'node_modules') walk(rel, out); } else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(rel);
  }
}

interface Edge { from: string; to: string; spec: string; line: number }

/** The file a relative specifier names (with .ts, .js or /index.ts), or the bare normalised path. */
function resolve(from: string, spec: string): string {
  const p = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const c of [p + '.ts', p + '/index.ts', p + '.js', p]) if (fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile()) return c;
  return p;
}

function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Every import of every .ts file of FOLDERS: relative ones resolved, package ones as they are written. */
export function importGraph(files: string[]): { local: Edge[]; packages: Edge[] } {
  const local: Edge[] = [];
  const packages: Edge[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const i of info.importedFiles) {
      const e = { from: f, to: i.fileName, spec: i.fileName, line: lineOf(text, i.pos) };
      if (i.fileName.charAt(0) === '.') { e.to = resolve(f, i.fileName); local.push(e); } else packages.push(e);
    }
  }
  return { local, packages };
}

/** The strongly connected components with more than one file (or a file importing itself): the circles. */
export function circles(nodes: string[], edges: Edge[]): string[][] {
  const next: { [n: string]: string[] } = {};
  for (const n of nodes) next[n] = [];
  for (const e of edges) if (next[e.from] && next[e.to] && next[e.from].indexOf(e.to) < 0) next[e.from].push(e.to);
  // Tarjan's algorithm, iterative.
  const index: { [n: string]: number } = {};
  const low: { [n: string]: number } = {};
  const onStack: { [n: string]: boolean } = {};
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (start in index) continue;
    const work: Array<{ n: string; i: number }> = [{ n: start, i: 0 }];
    index[start] = low[start] = counter++;
    stack.push(start); onStack[start] = true;
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < next[top.n].length) {
        const m = next[top.n][top.i++];
        if (!(m in index)) {
          index[m] = low[m] = counter++;
          stack.push(m); onStack[m] = true;
          work.push({ n: m, i: 0 });
        } else if (onStack[m]) low[top.n] = Math.min(low[top.n], index[m]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1].n] = Math.min(low[work[work.length - 1].n], low[top.n]);
      if (low[top.n] === index[top.n]) {
        const scc: string[] = [];
        let m: string;
        do { m = stack.pop()!; onStack[m] = false; scc.push(m); } while (m !== top.n);
        if (scc.length > 1 || next[top.n].indexOf(top.n) >= 0) out.push(scc.sort());
      }
    }
  }
  return out;
}

/** What is wrong with one import, or null. */
export function layerProblem(e: Edge): string | null {
  const fromFolder = e.from.split('/')[0];
  const toFolder = e.to.split('/')[0];
  if (!(toFolder in FOLDER_RANK)) return fromFolder === 'tcp' ? 'tcp/ imports something outside tcp/' : null;
  if (FOLDER_RANK[toFolder] > FOLDER_RANK[fromFolder]) return fromFolder + '/ imports ' + toFolder + '/, a higher layer';
  if (fromFolder !== toFolder && FOLDER_RANK[toFolder] === FOLDER_RANK[fromFolder]) return fromFolder + '/ and ' + toFolder + '/ are side by side: neither imports the other';
  if (isShipped(e.from) && e.to.startsWith('hal/sim/')) return 'shipped code imports the simulator (hal/sim/)';
  if (fromFolder === 'tcp' && toFolder === 'tcp') {
    const a = tcpRank(e.from);
    const b = tcpRank(e.to);
    if (a < 0) return e.from + ' has no place in the layers of tcp/ (add it to tcpRank in test/structure/layers.test.ts)';
    if (b < 0) return e.to + ' has no place in the layers of tcp/ (add it to tcpRank in test/structure/layers.test.ts)';
    if (b > a) return 'an upward import inside tcp/ (wire < iface < tcp < stack.ts; the root contracts below all)';
  }
  return null;
}

const FILES: string[] = [];
for (const d of FOLDERS) walk(d, FILES);
FILES.sort();
const GRAPH = importGraph(FILES);

test('the files and their imports are found', () => {
  assert.ok(FILES.indexOf('tcp/stack.ts') >= 0 && FILES.indexOf('hal/interfaces.ts') >= 0 && FILES.indexOf('firmware/boot.ts') >= 0);
  assert.ok(GRAPH.local.some((e) => e.from === 'tcp/stack.ts' && e.to === 'tcp/iface/interface.ts'));
  assert.ok(GRAPH.local.some((e) => e.from === 'hal/drivers/w5500.ts' && e.to === 'tcp/ports.ts'), 'type-only imports count');
  // Every local import names a file that exists (or a data file the importer reads).
  const missing = GRAPH.local.filter((e) => !fs.existsSync(path.join(ROOT, e.to)));
  assert.equal(missing.map((e) => e.from + ':' + e.line + ' ' + e.spec), []);
});

test('every file of tcp/ has its place in the stack', () => {
  assert.equal(FILES.filter((f) => f.startsWith('tcp/') && tcpRank(f) < 0), []);
});

test('no import from a lower layer to a higher one (CODING.md "Layers")', () => {
  const found: string[] = [];
  const known: string[] = [];
  for (const e of GRAPH.local) {
    const p = layerProblem(e);
    if (!p) continue;
    const key = e.from + ' -> ' + e.to;
    if (KNOWN_UPWARD_IMPORTS.indexOf(key) >= 0) { if (known.indexOf(key) < 0) known.push(key); continue; }
    found.push(e.from + ':' + e.line + ' imports ' + e.spec + ': ' + p);
  }
  assert.equal(found, []);
  const stale = KNOWN_UPWARD_IMPORTS.filter((k) => known.indexOf(k) < 0);
  assert.equal(stale, [], 'gone: delete from KNOWN_UPWARD_IMPORTS');
});

test('tcp/ imports no package (Node modules or otherwise)', () => {
  assert.equal(GRAPH.packages.filter((e) => e.from.startsWith('tcp/')).map((e) => e.from + ':' + e.line + ' ' + e.spec), []);
});

test('no import circle in tcp/, hal/, firmware/', () => {
  const nodes = FILES.filter((f) => /^(tcp|hal|firmware)\//.test(f));
  const found = circles(nodes, GRAPH.local).map((c) => c.join(' <-> '));
  const known = KNOWN_CIRCLES.map((c) => c.slice().sort().join(' <-> '));
  assert.equal(found.filter((c) => known.indexOf(c) < 0), [], 'new import circles');
  assert.equal(known.filter((c) => found.indexOf(c) < 0), [], 'gone: delete from KNOWN_CIRCLES');
});

test('the checks themselves: an upward import and a circle are caught', () => {
  assert.ok(layerProblem({ from: 'tcp/wire/ipv4.ts', to: 'tcp/iface/interface.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'tcp/iface/udp.ts', to: 'hal/interfaces.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'tcp/ports.ts', to: 'tcp/wire/reprs.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'hal/drivers/w5500.ts', to: 'firmware/config.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'hal/drivers/w5500.ts', to: 'hal/sim/w5500-model.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'firmware/boot.ts', to: 'tools/build.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'tools/sim/chip.ts', to: 'examples/tcp-app.ts', spec: '', line: 1 }));
  assert.ok(layerProblem({ from: 'bench/quality.ts', to: 'test/tcp/link.ts', spec: '', line: 1 }));
  assert.is(layerProblem({ from: 'hal/drivers/w5500.ts', to: 'tcp/ports.ts', spec: '', line: 1 }), null);
  assert.is(layerProblem({ from: 'tcp/stack.ts', to: 'tcp/tcp/tcp.ts', spec: '', line: 1 }), null);
  const e = (from: string, to: string): Edge => ({ from, to, spec: '', line: 1 });
  assert.equal(circles(['a', 'b', 'c', 'd'], [e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd')]), [['a', 'b', 'c']]);
  assert.equal(circles(['a', 'b'], [e('a', 'b')]), []);
  assert.equal(circles(['a'], [e('a', 'a')]), [['a']]);
});

test.run();
