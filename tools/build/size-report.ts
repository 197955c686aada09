// What each part of the device bundle costs in bytes — what the board's Storage must hold (its RAM cost
// when run from Storage is counted by load-cost.ts, README "Memory") — per module and per part
// (tcp/wire, hal/drivers, firmware/http, ...).
// A module's minified size is the length of its function in the minified bundle's registry object;
// whatever is not inside a module function (runtime, helpers) is reported as "runtime".
// The shipped bundle has no registry: its modules share one scope (tools/build/hoist-modules.ts) and the
// minifier mixes them (function declarations hoisted, names shared), so a module's bytes cannot be told
// apart there. For such a bundle the per-module and runtime bytes are measured on the registry shape of
// the same bundle, minified the same way, and the difference to the shipped file is its own line
// ("sharedScopeBytes", negative: what one scope saves). The total is always the shipped file's.
import * as acorn from 'acorn';
import { BundleResult, minifyEs5Detailed } from './bundle';

export interface ModuleSize {
  id: string;
  part: string;
  sourceBytes: number;
  es5Bytes: number;
  minBytes: number;
}

export interface PartSize {
  part: string;
  modules: number;
  sourceBytes: number;
  es5Bytes: number;
  minBytes: number;
}

export interface SizeReport {
  entry: string;
  board: string;
  modules: ModuleSize[];
  parts: PartSize[];
  /** Minified bytes outside every module function (registry, require, helpers). */
  runtimeMinBytes: number;
  /**
   * Modules in one scope (hoisted bundle): module and runtime bytes are from the registry shape of the
   * same bundle, and this is the shipped total minus that shape's total (negative). 0 otherwise.
   */
  sharedScopeBytes: number;
  /** Whether module bytes are measured on the registry shape (the shipped bundle is hoisted). */
  measuredOnRegistryShape: boolean;
  totalSourceBytes: number;
  totalEs5Bytes: number;
  /** Bytes of the un-minified bundle and of dist/firmware.js. */
  bundleEs5Bytes: number;
  totalMinBytes: number;
}

/** "tcp/wire/checksum" → "tcp/wire"; "firmware/main" → "firmware"; "tools/smoke/x" → "tools/smoke". */
export function partOf(id: string): string {
  const segs = id.split('/');
  return segs.length <= 2 ? segs[0] : segs[0] + '/' + segs[1];
}

/** Finds each module's function in the minified bundle: `"id":function(...){...}` inside the registry. */
export function moduleSpans(code: string, ids: string[]): Record<string, number> {
  const want: Record<string, boolean> = {};
  for (const id of ids) want[id] = true;
  const spans: Record<string, number> = {};
  let ast: any;
  try {
    ast = acorn.parse(code, { ecmaVersion: 5 });
  } catch (e) {
    // Not ES5 (the gate reports that); still measure what is there.
    ast = acorn.parse(code, { ecmaVersion: 'latest' });
  }
  const stack: any[] = [ast];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n.type !== 'string') continue;
    if (n.type === 'Property' && n.key && n.key.type === 'Literal' && want[n.key.value] && n.value.type === 'FunctionExpression') {
      // Count the whole property: key, colon, function and the separating comma.
      spans[n.key.value] = n.end - n.start + 1;
      continue;
    }
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) for (const c of v) stack.push(c);
      else if (v && typeof v.type === 'string') stack.push(v);
    }
  }
  return spans;
}

export function sizeReport(b: BundleResult): SizeReport {
  // A hoisted bundle: measure the registry shape of the same bundle (see the top of this file).
  let measured: { code: string; moduleKeys?: { [id: string]: number } } = b;
  if (b.hoisted) {
    measured = minifyEs5Detailed(b.es5Code, { shortModuleIds: true, hoistModules: false, mangleProperties: Object.keys(b.propertyNames).length > 0 });
  }
  // Modules are found by their key in the registry: their id, or the number the minifier gave it.
  const keys = b.modules.map((m) => (measured.moduleKeys && m.id in measured.moduleKeys ? String(measured.moduleKeys[m.id]) : m.id));
  const byKey = moduleSpans(measured.code, keys);
  const spans: Record<string, number> = {};
  b.modules.forEach((m, i) => { if (byKey[keys[i]] !== undefined) spans[m.id] = byKey[keys[i]]; });
  const modules: ModuleSize[] = b.modules.map((m) => ({
    id: m.id,
    part: partOf(m.id),
    sourceBytes: m.sourceBytes,
    es5Bytes: m.es5Bytes,
    minBytes: spans[m.id] || 0,
  }));
  const byPart: Record<string, PartSize> = {};
  for (const m of modules) {
    const p = byPart[m.part] || (byPart[m.part] = { part: m.part, modules: 0, sourceBytes: 0, es5Bytes: 0, minBytes: 0 });
    p.modules++;
    p.sourceBytes += m.sourceBytes;
    p.es5Bytes += m.es5Bytes;
    p.minBytes += m.minBytes;
  }
  const parts = Object.keys(byPart).sort().map((k) => byPart[k]);
  const sum = (f: (m: ModuleSize) => number) => modules.reduce((s, m) => s + f(m), 0);
  const totalMinBytes = Buffer.byteLength(b.code);
  const measuredBytes = Buffer.byteLength(measured.code);
  return {
    entry: b.entryId,
    board: b.board,
    modules,
    parts,
    runtimeMinBytes: measuredBytes - sum((m) => m.minBytes),
    sharedScopeBytes: totalMinBytes - measuredBytes,
    measuredOnRegistryShape: !!b.hoisted,
    totalSourceBytes: sum((m) => m.sourceBytes),
    totalEs5Bytes: sum((m) => m.es5Bytes),
    bundleEs5Bytes: Buffer.byteLength(b.es5Code),
    totalMinBytes,
  };
}

function pad(s: string | number, n: number, left = false): string {
  const t = String(s);
  if (t.length >= n) return t;
  const sp = ' '.repeat(n - t.length);
  return left ? t + sp : sp + t;
}

/** The size report: the per-module table with `verbose`, else one line per part of the repository. */
export function formatReport(r: SizeReport, verbose = true): string {
  const lines: string[] = [];
  if (!verbose) {
    lines.push('Device bundle for entry ' + r.entry + ' (board ' + r.board + '): ' + r.totalMinBytes + ' bytes minified; by part: ' +
      r.parts.map((p) => p.part + ' ' + p.minBytes).join(', ') + ' (--verbose: every module)');
    return lines.join('\n');
  }
  const w = Math.max(24, ...r.modules.map((m) => m.id.length + 2));
  const row = (name: string, src: number | string, es5: number | string, min: number | string) =>
    pad(name, w, true) + pad(src, 10) + pad(es5, 10) + pad(min, 10);
  lines.push('Device bundle for entry ' + r.entry + ' (board ' + r.board + ')');
  if (r.measuredOnRegistryShape) {
    lines.push('Modules share one scope in this bundle, so their bytes cannot be told apart in it: "minified" per module');
    lines.push('and "runtime" are measured on the registry shape of the same bundle; "one scope" is the difference.');
  }
  lines.push(row('module', 'ts bytes', 'raw es5', 'minified'));
  for (const p of r.parts) {
    for (const m of r.modules.filter((x) => x.part === p.part)) lines.push(row('  ' + m.id, m.sourceBytes, m.es5Bytes, m.minBytes));
    lines.push(row(p.part + ' (' + p.modules + ')', p.sourceBytes, p.es5Bytes, p.minBytes));
  }
  lines.push(row('runtime + helpers', '', '', r.runtimeMinBytes));
  if (r.measuredOnRegistryShape) lines.push(row('one scope (hoisted)', '', '', r.sharedScopeBytes));
  lines.push(row('total', r.totalSourceBytes, r.bundleEs5Bytes, r.totalMinBytes));
  lines.push(
    'dist/firmware.js: ' + r.totalMinBytes + ' bytes minified (' + r.bundleEs5Bytes + ' raw ES5). ' +
      'Saved to Storage (--save), its function bodies stay in flash (README "Memory").',
  );
  return lines.join('\n');
}
