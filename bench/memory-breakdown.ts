// Where the estimated Espruino blocks go: the same cost model as tools/model/espruino-memory.ts
// (estimateBlocks), but each block is charged to the object path that holds it
// (stack.tcp.sockets[0].rtt, stack.iface.rxBuffer, …), so the idle stack and one connection can be read
// row by row. The scenario is the one bench/device-cost.ts memoryEstimate measures: the device's Stack
// with the HTTP app (port 80) and an echo server (port 7), then one echo connection, then one
// keep-alive HTTP connection after a request.
//
//   npx ts-node --transpile-only bench/memory-breakdown.ts            # idle and per-connection tables
//   npx ts-node --transpile-only bench/memory-breakdown.ts --all      # every row, not just the top 40
//   npx ts-node --transpile-only bench/memory-breakdown.ts --mangled  # property names as the device
//                                                                     # bundle holds them (builds it)
//
// The totals printed are checked against estimateBlocks, so this tool cannot drift from the estimate.
import { estimateBlocks, byteArrayBlocks } from '../tools/model/espruino-memory';
import { scenario } from '../tools/model/memory-scenario';
import { buildBundle, defaultEntry } from '../tools/build/bundle';

export interface Row { path: string; blocks: number }

/** How long a property name is on the device (default: as here; see --mangled). */
export type NameLength = (name: string) => number;
const nameCostWith = (len: NameLength) => (name: string): number => {
  const n = len(name);
  return 1 + (n > 4 ? Math.ceil((n - 4) / 10) : 0);
};
const valueCost = (v: unknown): number => {
  if (typeof v === 'string') return 1 + (v.length > 8 ? Math.ceil((v.length - 8) / 10) : 0);
  if (typeof v === 'number') return v === Math.floor(v) && v >= -4096 && v <= 4095 ? 0 : 1;
  return 0;
};
const isIdent = (k: string): boolean => /^[A-Za-z_$][\w$]*$/.test(k);

/**
 * The blocks of every object reachable from `root`, charged to the first path that reaches it: an
 * object's row holds its own block, its property names and its primitive values (numbers that need a
 * block of their own, strings); arrays 1 + 1 per element; typed arrays their buffer (ceil(n/13) + 4)
 * or 1 for another view on a buffer already counted; functions 6.
 */
export function breakdown(root: unknown, rootName: string, exclude: unknown[] = [], nameLength?: NameLength): Row[] {
  const nameCost = nameCostWith(nameLength || ((name: string): number => name.length));
  const seen = new Set<unknown>(exclude);
  const buffers = new Set<ArrayBufferLike>();
  const rows: Row[] = [];
  // Breadth first: an object shared by several owners is charged to its shortest path.
  const queue: Array<{ v: unknown; path: string }> = [{ v: root, path: rootName }];
  for (let qi = 0; qi < queue.length; qi++) {
    const { v, path } = queue[qi];
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t !== 'object' && t !== 'function') { const c = valueCost(v); if (c) rows.push({ path, blocks: c }); continue; }
    if (seen.has(v)) continue;
    seen.add(v);
    if (t === 'function') { rows.push({ path: path + '()', blocks: 6 }); continue; }
    if (ArrayBuffer.isView(v)) {
      const view = v as Uint8Array;
      let b = 1;
      if (!buffers.has(view.buffer) && !seen.has(view.buffer)) {
        buffers.add(view.buffer);
        seen.add(view.buffer);
        b = byteArrayBlocks(view.buffer.byteLength);
      }
      rows.push({ path: path + ' <' + view.constructor.name + '(' + view.length + ')>', blocks: b });
      continue;
    }
    if (Array.isArray(v)) {
      let b = 1 + v.length;
      for (let i = 0; i < v.length; i++) {
        const e = v[i];
        if (e !== null && (typeof e === 'object' || typeof e === 'function')) queue.push({ v: e, path: path + '[' + i + ']' });
        else b += valueCost(e);
      }
      rows.push({ path: path + ' [' + v.length + ']', blocks: b });
      continue;
    }
    let b = 1;
    for (const k of Object.keys(v as object)) {
      b += nameCost(k);
      const e = (v as Record<string, unknown>)[k];
      if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
        queue.push({ v: e, path: path + (isIdent(k) ? '.' + k : '[' + JSON.stringify(k) + ']') });
      } else b += valueCost(e);
    }
    rows.push({ path: path + ' {' + Object.keys(v as object).length + '}', blocks: b });
  }
  return rows;
}

export function total(rows: Row[]): number {
  let n = 0;
  for (const r of rows) n += r.blocks;
  return n;
}

/** Rows whose path starts with `prefix`, summed. */
export function subtree(rows: Row[], prefix: string): number {
  let n = 0;
  for (const r of rows) if (r.path === prefix || r.path.startsWith(prefix + '.') || r.path.startsWith(prefix + '[') ||
    r.path.startsWith(prefix + ' ') || r.path.startsWith(prefix + '(')) n += r.blocks;
  return n;
}

/** Sums rows by their path cut after `depth` steps (a step is `.name` or `[i]`). */
export function grouped(rows: Row[], depth: number): Row[] {
  const sums: { [k: string]: number } = {};
  for (const r of rows) {
    const bare = r.path.replace(/ .*$/, '').replace(/\(\)$/, '');
    const steps = bare.match(/^[^.[]+|\.[^.[]+|\[[^\]]*\]/g) || [bare];
    const key = steps.slice(0, depth + 1).join('');
    sums[key] = (sums[key] || 0) + r.blocks;
  }
  return Object.keys(sums).map((k) => ({ path: k, blocks: sums[k] })).sort((a, b) => b.blocks - a.blocks);
}


/** Idle, +TCP and +HTTP totals and rows; the totals are checked against estimateBlocks. */
export function measureAll(nameLength?: NameLength): { idle: Row[]; tcp: Row[]; http: Row[]; totals: number[] } {
  const s = scenario();
  const walk: Parameters<typeof estimateBlocks>[2] = nameLength ? { exclude: s.exclude, nameLength } : { exclude: s.exclude };
  const snap = (): Row[] => {
    const rows = breakdown(s.root(), 'device', s.exclude, nameLength);
    const want = estimateBlocks(s.root(), new Set(), walk);
    if (total(rows) !== want) throw new Error('breakdown ' + total(rows) + ' != estimateBlocks ' + want);
    return rows;
  };
  const idle = snap();
  s.openTcp();
  const tcp = snap();
  s.openHttp();
  const http = snap();
  return { idle, tcp, http, totals: [total(idle), total(tcp), total(http)] };
}

/**
 * Rows of `after` that are new or changed since `before`, with the change, matched by object path (an
 * object that gained properties is one row, shown with its new shape).
 */
export function diff(before: Row[], after: Row[]): Row[] {
  const bare = (p: string): string => p.replace(/ [[{<].*$/, '');
  const b: { [k: string]: number } = {};
  for (const r of before) b[bare(r.path)] = (b[bare(r.path)] || 0) + r.blocks;
  const a: { [k: string]: number } = {};
  const shown: { [k: string]: string } = {};
  for (const r of after) { a[bare(r.path)] = (a[bare(r.path)] || 0) + r.blocks; shown[bare(r.path)] = r.path; }
  const out: Row[] = [];
  for (const k of Object.keys(a)) if (a[k] !== (b[k] || 0)) out.push({ path: shown[k], blocks: a[k] - (b[k] || 0) });
  for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: k + ' (gone)', blocks: -b[k] });
  return out.sort((x, y) => y.blocks - x.blocks);
}

function print(title: string, rows: Row[], limit: number): void {
  console.log('\n' + title);
  const shown = rows.slice(0, limit);
  for (const r of shown) console.log(String(r.blocks).padStart(6) + '  ' + r.path);
  if (rows.length > shown.length) console.log('   …  ' + (rows.length - shown.length) + ' more rows (--all)');
}

function main(): void {
  const all = process.argv.indexOf('--all') >= 0;
  const limit = all ? Infinity : 40;
  let nameLength: NameLength | undefined;
  if (process.argv.indexOf('--mangled') >= 0) {
    // The names the device bundle holds after property mangling (tools/build/mangle.ts).
    const map: { [name: string]: string } = buildBundle({ entry: defaultEntry(), board: 'wifi' }).propertyNames || {};
    nameLength = (name: string): number => (Object.prototype.hasOwnProperty.call(map, name) ? map[name].length : name.length);
    console.log('property names as mangled in the pico bundle (' + Object.keys(map).length + ' renamed)');
  }
  const m = measureAll(nameLength);
  const [idle, plusTcp, plusHttp] = m.totals;
  console.log('blocks (13 bytes each on a Pico): idle ' + idle + ', +' + (plusTcp - idle) + ' per TCP connection, +' +
    (plusHttp - plusTcp) + ' per keep-alive HTTP connection');
  const byBlocks = (rows: Row[]): Row[] => rows.slice().sort((a, b) => b.blocks - a.blocks);
  print('idle, by subtree (depth 2)', grouped(m.idle, 2), limit);
  print('idle, by subtree (depth 3)', grouped(m.idle, 3), limit);
  print('idle, every object', byBlocks(m.idle), limit);
  print('one TCP connection: what grew (by object path)', diff(m.idle, m.tcp), limit);
  print('one keep-alive HTTP connection: what grew (by object path)', diff(m.tcp, m.http), limit);
}

if (require.main === module) main();
