// The device bundle: TypeScript modules → ES5 (tsc, no helpers) → a tiny CommonJS-style registry and our
// own helpers (tools/es5-helpers.js) at the file's top level → the modules' bodies hoisted into one IIFE
// in the registry's run order (tools/build/hoist-modules.ts; the registry shape stays with
// hoistModules: false) → terser (hoist_funs, NOT hoist_vars, ES5 output).
//
// Why this shape (docs/espruino.md §3.4): Espruino hoists neither function declarations nor `var`, so
// TypeScript's `exports.f = f;` above `function f(){}` would export undefined; terser's `hoist_funs`
// moves the declarations up. `hoist_vars` emits `for(function(){}()…)`, which Espruino cannot parse.
// TypeScript's own helpers break there, hence `noEmitHelpers` and tools/es5-helpers.js.
//
// Why not rollup (issue 19, measured 2026-12-07 at b36e718; rollup 4.69.3, not a dependency): tsc's ES5
// output as ES modules (these TS_OPTIONS with `module: ES2015`; the `.off` parts and the generated
// board-selection module through a 30-line resolveId/load plugin) bundled by rollup (format `es`,
// generatedCode `es5`, freeze off), put in one IIFE after the used helpers, then terser with the options
// of minifyEs5Detailed. Minified / stored (pretokenised) bytes / load blocks (tools/build/load-cost.ts):
//   board   this bundler             rollup + terser          rollup + our passes
//   linux   76,894 / 62,925 / 2,865  90,826 / 76,558 / 3,815  77,005 / 62,998 / 2,901
//   pico    55,057 / 44,970 / 2,188  66,014 / 55,746 / 2,905  55,058 / 44,982 / 2,190
//   wifi    78,626 / 64,189 / 2,914  93,212 / 78,475 / 3,902  78,773 / 64,297 / 2,948
//   esp32   81,112 / 65,950 / 2,984  96,483 / 81,025 / 4,020  81,254 / 66,054 / 3,018
// "Our passes": prototype aliases, class unwrapping (rollup's output wrapped as one registry module for
// it), this bundler's mangle allow-list and names, declareLateVarsFirst and nameTopLevelIifes. Rollup +
// terser alone fails the gate's static checks (40-47 uses before declaration); with our passes it passes
// them and runs in Duktape (the real-interpreter half of the gate was not run). So rollup's scope
// hoisting and terser's inlining do what tools/build/hoist-modules.ts and inline-constants.ts do (~640
// lines), 1-147 bytes larger. Kept this bundler: smaller, and rollup would not remove the code it
// replaces cleanly: the property analysis (mangle.ts bundleFiles), class unwrapping, the size report's
// per-module split and their tests read the registry shape, and rollup brings a native binary per
// platform (@rollup/rollup-linux-x64-gnu). The trial script was not committed (it needs rollup
// installed); it is the steps above, with tools/gate/checks.ts checkBundle and tools/gate/duk.ts.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as acorn from 'acorn';
import { minify_sync } from 'terser';
import { declareLateVarsFirst } from './declaration-order';
import { inlineCrossModuleConstants, shortenModuleIds } from './inline-constants';
import { analyseProperties, assignNames, bundleFiles, exactNamesRegex } from './mangle';
import { aliasPrototypes } from './prototype-alias';
import { unwrapClasses } from './class-unwrap';
import { hoistModules } from './hoist-modules';
import { keepOutOfLine } from './out-of-line';
import { nameTopLevelIifes } from './named-entry';
import { Node } from './ast';
import { boardProfile, configProfile, BoardProfile } from './profile';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The module the build generates for `--board NAME` (firmware code may `import { BOARD } from './board-selection'`). */
export const BOARD_MODULE_ID = 'firmware/board-selection';

export interface BundleModule {
  /** Path from the repository root without extension, e.g. "tcp/wire/checksum". */
  id: string;
  /** Bytes of the TypeScript source (0 for generated modules). */
  sourceBytes: number;
  /** Bytes of the ES5 JavaScript tsc made of it (before minification). */
  es5Bytes: number;
}

/** The firmware's entry. */
export const FIRMWARE_ENTRY_ID = 'firmware/main';

/**
 * Entries whose bundles are composed per board (tools/build/profile.ts: the configuration, and the
 * modules a board leaves out): the firmware, and applications of your own in examples/ (they start
 * the board with firmware/boot.ts).
 */
export function isBoardEntry(entryId: string): boolean {
  return entryId === FIRMWARE_ENTRY_ID || entryId.indexOf('examples/') === 0;
}

export interface BundleResult {
  entryId: string;
  board: string;
  /** The un-minified bundle (ES5 from tsc, wrapped). */
  es5Code: string;
  /** The minified bundle that ships. */
  code: string;
  modules: BundleModule[];
  /** Optional parts built as their `.off` variant (firmware bundles only; see tools/build/profile.ts). */
  leftOut: string[];
  /** Module id → its key in the minified registry (absent when module ids are kept, e.g. unminified). */
  moduleKeys?: { [id: string]: number };
  /** Property names renamed by the minifier: original → mangled (tools/build/mangle.ts); empty when off. */
  propertyNames: { [name: string]: string };
  /** The modules' bodies share one scope (tools/build/hoist-modules.ts): no registry, no per-module span. */
  hoisted?: boolean;
}

export interface BundleOptions {
  /** Entry file (absolute or relative to the repository root). */
  entry: string;
  /** Board name, visible to the firmware as `BOARD` in firmware/board-selection. */
  board?: string;
  /** A whole configuration to build instead of the board's preset (validated the same way). */
  config?: { [key: string]: unknown };
  /** Skip terser (the gate tests use the readable form to plant faults). */
  minify?: boolean;
  /**
   * Rename our own property names on a computed allow-list (tools/build/mangle.ts). On unless false:
   * every device bundle (build, gate, flash) ships mangled; tests switch it off to compare.
   */
  mangleProperties?: boolean;
  /**
   * The modules' bodies in one scope, in `__r`'s order (tools/build/hoist-modules.ts). On unless false:
   * every device bundle ships hoisted; false gives the registry shape (tests, comparisons).
   */
  hoistModules?: boolean;
}

const TS_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES5,
  module: ts.ModuleKind.CommonJS,
  noEmitHelpers: true,
  importHelpers: false,
  downlevelIteration: false,
  lib: ['lib.es5.d.ts'],
  removeComments: true,
  esModuleInterop: false,
  sourceMap: false,
};

function toId(absFile: string): string {
  return path.relative(ROOT, absFile).replace(/\\/g, '/').replace(/\.(ts|js)$/, '');
}

function resolveFile(fromDir: string, spec: string): string | null {
  const base = path.resolve(fromDir, spec);
  const candidates = [base + '.ts', base + '.js', path.join(base, 'index.ts'), base];
  for (const c of candidates) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

/**
 * The generated firmware/board-selection: the board's name and, for the firmware, its resolved
 * configuration, without the sections only another link reads (firmware/boot.ts openLink: `dgram` for
 * the dgram link, `spi` and `pins` for a chip, real or simulated): bytes of Storage a board would carry
 * for nothing.
 */
function boardModuleSource(board: string, profile: BoardProfile | null): string {
  let src = 'exports.BOARD = ' + JSON.stringify(board) + ';\n';
  if (profile) {
    const c = profile.config;
    src += 'exports.CONFIG = ' + JSON.stringify(c, function (key: string, value: unknown) {
      if (this !== c) return value;
      if (key === 'dgram' && c.link !== 'dgram') return undefined;
      if ((key === 'spi' || key === 'pins') && (c.link === 'dgram' || c.link === 'serial')) return undefined;
      return value;
    }) + ';\n';
  }
  return src;
}

/** Compiles one file to ES5 CommonJS and rewrites its relative requires to module ids. */
function compileModule(absFile: string, seen: Map<string, string>, queue: string[], leftOut: string[] = []): { es5: string; deps: string[] } {
  const src = fs.readFileSync(absFile, 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: TS_OPTIONS, fileName: absFile, reportDiagnostics: true });
  const errs = (out.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errs.length) {
    throw new Error(absFile + ': ' + errs.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; '));
  }
  const deps: string[] = [];
  // Per-module boilerplate costs RAM on the device, so it goes: nothing in the bundle reads
  // `__esModule` (no esModuleInterop), the `exports.x = void 0` pre-declarations only matter to
  // `in` tests, and one "use strict" for the whole bundle replaces one per module.
  const trimmed = out.outputText
    .replace(/^"use strict";\s*$/m, '')
    .replace(/^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);\s*$/m, '')
    .replace(/^exports\.[\w$]+ = (?:exports\.[\w$]+ = )*void 0;\s*$/gm, '')
    // tsc calls an imported function as `(0, m_1.f)(…)` so that `this` is undefined in it; none of our
    // exported functions reads `this` (test/build/build.test.ts checks), so `m_1.f(…)`: 4 bytes and one
    // comma expression less per call, which Espruino would evaluate every time.
    .replace(/\(0, ([\w$]+_\d+)\.([\w$]+)\)\(/g, '$1.$2(');
  const es5 = localiseConstants(trimmed).replace(/require\((["'])([^"']+)\1\)/g, (whole, _q, spec: string) => {
    if (!spec.startsWith('.')) return whole; // a module built into Espruino (e.g. "Storage", "NetworkJS")
    const fromDir = path.dirname(absFile);
    const wanted = toId(path.resolve(fromDir, spec));
    // A part this board leaves out is built as its `.off` sibling (tools/build/profile.ts).
    const target = wanted === BOARD_MODULE_ID ? null : resolveFile(fromDir, leftOut.indexOf(wanted) >= 0 ? spec + '.off' : spec);
    const id = target ? toId(target) : toId(path.resolve(fromDir, spec));
    if (!target && id !== BOARD_MODULE_ID) throw new Error(absFile + ': cannot resolve ' + spec);
    if (target && !seen.has(id)) {
      seen.set(id, target);
      queue.push(id);
    }
    if (!target && !seen.has(id)) seen.set(id, '');
    deps.push(id);
    return 'require(' + JSON.stringify(id) + ')';
  });
  return { es5, deps };
}

/**
 * `export const X = 28` compiles to `exports.X = 28` and every use inside the module to a property
 * read `exports.X`, which terser cannot inline: bytes in RAM and a lookup per use on the data path.
 * When a module assigns `exports.X` exactly once, to a number literal, the assignment becomes
 * `var __k_X = exports.X = 28;` and the module's own reads use `__k_X` (which terser then inlines).
 * Other modules still read `exports.X`.
 */
export function localiseConstants(js: string): string {
  const decl = /^exports\.([\w$]+) = (-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?));$/gm;
  const names: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = decl.exec(js))) names.push(m[1]);
  let out = js;
  for (const name of names) {
    const e = name.replace(/\$/g, '\\$');
    const writes = out.match(new RegExp('(?:\\+\\+|--)\\s*exports\\.' + e + '(?![\\w$])|exports\\.' + e + '\\s*(?:=(?!=)|\\+\\+|--|[-+*/%&|^]=|<<=|>>>?=)', 'g'));
    if (!writes || writes.length !== 1) continue; // reassigned somewhere: leave it alone
    const local = '__k_' + name;
    out = out.replace(new RegExp('^exports\\.' + e + ' = ', 'm'), 'var ' + local + ' = exports.' + name + ' = ');
    out = out.replace(new RegExp('exports\\.' + e + '(?![\\w$])(?!\\s*=(?!=))', 'g'), local);
  }
  return out;
}

function readHelpers(): string {
  return fs.readFileSync(path.join(ROOT, 'tools', 'es5-helpers.js'), 'utf8');
}

/**
 * Only the helpers of tools/es5-helpers.js that the modules use: the runtime sits at the file's top level,
 * where the minifier does not drop unused declarations (see `wrap`).
 */
export function usedHelpers(helpers: string, moduleCode: string): string {
  const ast: Node = acorn.parse(helpers, { ecmaVersion: 5 });
  const drop: Node[] = [];
  for (const st of ast.body) {
    if (st.type !== 'VariableDeclaration' || !st.declarations || st.declarations.length !== 1) continue;
    const name = st.declarations[0].id.name;
    if (!new RegExp('(^|[^\\w$.])' + name.replace(/\$/g, '\\$') + '(?![\\w$])').test(moduleCode)) drop.push(st);
  }
  let out = helpers;
  for (let i = drop.length - 1; i >= 0; i--) out = out.slice(0, drop[i].start) + out.slice(drop[i].end);
  return out;
}

/**
 * The runtime: `__m` maps ids to module functions; `__r` instantiates once and caches. A require of
 * a name not in the bundle falls through to Espruino's own `require` (built-in modules).
 * Everything is declared before it is used (no hoisting on Espruino).
 *
 * All of it sits at the file's top level, not in an IIFE: on Espruino a function keeps a link to the
 * scopes it was defined in, nothing at depth 0, one block at depth 1, k + 2 blocks at depth k ≥ 2
 * (src/jsparse.c jspeiGetScopesAsVar), so every module-level function costs a scope less. The runtime's
 * names become globals of the board: all start with `__` (a user's REPL code will not clobber them by
 * accident), and terser keeps top-level names as they are (its `toplevel` option stays off).
 */
function wrap(helpers: string, modules: Array<{ id: string; es5: string }>, entryId: string): string {
  const parts: string[] = [];
  parts.push('"use strict";');
  parts.push(usedHelpers(helpers, modules.map((m) => m.es5).join('\n')));
  parts.push('var __c = {};');
  parts.push('var __m = {');
  parts.push(
    modules
      .map((m) => JSON.stringify(m.id) + ': function (exports, module, require) {\n' + m.es5 + '\n}')
      .join(',\n'),
  );
  parts.push('};');
  parts.push('var __g = typeof require === "function" ? require : undefined;');
  parts.push(
    'var __r = function (id) {\n' +
      '  var c = __c[id];\n' +
      '  if (c) return c.exports;\n' +
      '  var f = __m[id];\n' +
      '  if (!f) return __g(id);\n' +
      '  c = __c[id] = { exports: {} };\n' +
      '  f(c.exports, c, __r);\n' +
      '  return c.exports;\n' +
      '};',
  );
  parts.push('__r(' + JSON.stringify(entryId) + ');');
  return parts.join('\n') + '\n';
}

export interface MinifyOptions {
  /** Replace cross-module reads of numeric constants by their values (tools/build/inline-constants.ts). Default on. */
  inlineConstants?: boolean;
  /** One `var __pr_X = X.prototype` per class instead of `X.prototype` per method (tools/build/prototype-alias.ts). Default on. */
  aliasPrototypes?: boolean;
  /** tsc's class IIFEs unwrapped to their module's top level (tools/build/class-unwrap.ts). Default on. */
  unwrapClasses?: boolean;
  /** Rename our own property names on a computed allow-list (tools/build/mangle.ts). Default on. */
  mangleProperties?: boolean;
  /** Where module ids resolve to TypeScript files (default: the repository). Tests point it at fixtures. */
  root?: string;
  /**
   * Registry keys and requires as small numbers instead of module ids (tools/build/inline-constants.ts
   * shortenModuleIds). Off by default: the size report finds modules by their ids in the minified code.
   */
  shortModuleIds?: boolean;
  /**
   * The modules' bodies in one scope instead of the registry (tools/build/hoist-modules.ts). Default on;
   * shortModuleIds has nothing to do then (no registry is left).
   */
  hoistModules?: boolean;
  /**
   * Keep the per-segment path's functions out of line (tools/build/out-of-line.ts). On unless false
   * (measurements of what it costs and saves).
   */
  outOfLine?: boolean;
  /** terser compress options over ours (measurements of options; nothing ships with this). */
  compress?: { [option: string]: unknown };
}

export interface MinifyResult {
  code: string;
  /** Original property name → mangled name (empty without mangleProperties). */
  propertyNames: { [name: string]: string };
  /** Module id → its key in the minified registry (only with shortModuleIds, not hoisted). */
  moduleKeys?: { [id: string]: number };
  /** The modules share one scope (hoistModules). */
  hoisted: boolean;
}

/**
 * The wrapped ES5 bundle → the minified bundle that ships: cross-module constants inlined (and constant
 * exports nobody can read dropped), one prototype alias per class, classes out of their IIFEs, then
 * terser with our own property names renamed on a computed allow-list. Measured on the pico firmware
 * (issue 8): 107,470 bytes with none of these, 101,909 inlined, 100,271 with prototype aliases, 86,045
 * with property mangling. Unwrapping the classes: 81,622 → 80,862 bytes and, per tools/build/load-cost.ts,
 * 5,825 → 5,503 blocks at load; the runtime at the top level (`wrap`) then 80,923 bytes, 4,380 blocks.
 * The modules in one scope (hoistModules, after the property analysis, which reads the registry): pico
 * 56,235 → 52,633 bytes and 3,455 → 2,242 blocks, wifi 79,616 → 75,358 and 4,312 → 2,860, esp32 81,810 →
 * 77,578 and 4,368 → 2,916. Their bodies at the file's top level instead of in an IIFE (names `__`-prefixed,
 * kept whole, unused ones kept) measured worse: pico 70,147 bytes, 2,902 blocks. With the modules in one
 * scope, inlining constants still saves (pico 237 bytes, 25 blocks); prototype aliases save 1,230 bytes
 * but cost 8 blocks (their names live as long as the scope): kept for the bytes (Storage).
 * terser options measured and not taken: passes 3/4 (no gain); unsafe_comps (−99 bytes, but it turns
 * `!(a >= b)` into `a < b`, wrong for NaN, which the firmware relies on); pure_getters (−121, assumes
 * property reads never throw); keep_fargs false (−100).
 */
export function minifyEs5Detailed(code: string, o: MinifyOptions = {}): MinifyResult {
  const inlined = o.inlineConstants === false ? code : inlineCrossModuleConstants(code).code;
  const aliased = o.aliasPrototypes === false ? inlined : aliasPrototypes(inlined).code;
  // After the aliases: the `var __pr_X = X.prototype;` they add moves out with the rest of the class.
  const input = o.unwrapClasses === false ? aliased : unwrapClasses(aliased).code;
  let propertyNames: { [name: string]: string } = {};
  let properties: object | false = false;
  if (o.mangleProperties !== false) {
    const root = o.root || ROOT;
    const analysis = analyseProperties(bundleFiles(input, root), input, root);
    propertyNames = assignNames(analysis.allowed, input);
    // Only the allow-list (exact names) is renamed; quoted names are left alone. The names are ours (most
    // frequent → shortest), given as terser's cache. builtins: true lets terser rename the few allowed
    // names it would otherwise keep as DOM/built-in names (mangle.ts OUR_BUILTIN_NAMES); the allow-list
    // holds no other built-in name (analyseProperties reserves them).
    properties = { regex: exactNamesRegex(Object.keys(propertyNames)), keep_quoted: true, builtins: true };
  }
  let moduleKeys: { [id: string]: number } | undefined;
  let source = input;
  const hoisted = o.hoistModules !== false;
  // After the property analysis, which reads the registry's module ids (mangle.ts bundleFiles).
  if (hoisted) source = hoistModules(input).code;
  else if (o.shortModuleIds) {
    const s = shortenModuleIds(input);
    source = s.code;
    moduleKeys = s.keys;
  }
  if (o.outOfLine !== false) source = keepOutOfLine(source).code;
  const cache: { [k: string]: string } = {};
  for (const k of Object.keys(propertyNames)) cache['$' + k] = propertyNames[k];
  const res = minify_sync(source, {
    ecma: 5,
    compress: {
      ecma: 5,
      hoist_funs: true, // Espruino does not hoist function declarations: the minifier does it for us
      hoist_vars: false, // emits `for(function(){}()…)`, which Espruino cannot parse
      passes: 2,
      keep_fargs: true,
      ...(o.compress || {}),
    },
    mangle: properties ? { properties } : true,
    nameCache: properties ? { props: { props: cache } } : undefined,
    format: { ecma: 5, comments: false, ascii_only: true },
  } as Parameters<typeof minify_sync>[1]);
  if (typeof res.code !== 'string') throw new Error('terser produced no code');
  // Last: a named function instead of an anonymous IIFE keeps a thrown Error cheap (tools/build/named-entry.ts).
  return { code: nameTopLevelIifes(declareLateVarsFirst(res.code)).code, propertyNames, moduleKeys, hoisted };
}

export function minifyEs5(code: string, o: MinifyOptions = {}): string {
  return minifyEs5Detailed(code, o).code;
}

export function buildBundle(opts: BundleOptions): BundleResult {
  const entryAbs = path.resolve(ROOT, opts.entry);
  if (!fs.existsSync(entryAbs)) throw new Error('entry not found: ' + opts.entry);
  const board = opts.board || 'default';
  const entryId = toId(entryAbs);
  const profile = !isBoardEntry(entryId) ? null : opts.config ? configProfile(ROOT, opts.config) : boardProfile(ROOT, board);
  const leftOut = profile ? profile.leftOut : [];
  const seen = new Map<string, string>([[entryId, entryAbs]]);
  const queue = [entryId];
  const compiled: Array<{ id: string; es5: string; sourceBytes: number }> = [];
  while (queue.length) {
    const id = queue.shift()!;
    const file = seen.get(id)!;
    const { es5 } = compileModule(file, seen, queue, leftOut);
    compiled.push({ id, es5, sourceBytes: fs.statSync(file).size });
  }
  // The board module is generated, whether or not a firmware/board-selection.ts exists for the host.
  const boardIdx = compiled.findIndex((m) => m.id === BOARD_MODULE_ID);
  if (seen.has(BOARD_MODULE_ID)) {
    const gen = { id: BOARD_MODULE_ID, es5: boardModuleSource(board, profile), sourceBytes: 0 };
    if (boardIdx >= 0) compiled[boardIdx] = gen;
    else compiled.push(gen);
  }
  compiled.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const es5Code = wrap(readHelpers(), compiled, entryId);
  // Device bundles name their modules by number (module ids are strings the device would hold in RAM);
  // `moduleKeys` lets the size report find them.
  const min: MinifyResult = opts.minify === false ? { code: es5Code, propertyNames: {}, hoisted: false }
    : minifyEs5Detailed(es5Code, { mangleProperties: opts.mangleProperties, shortModuleIds: true, hoistModules: opts.hoistModules });
  const code = min.code;
  return {
    entryId,
    board,
    es5Code,
    code,
    modules: compiled.map((m) => ({ id: m.id, sourceBytes: m.sourceBytes, es5Bytes: Buffer.byteLength(m.es5) })),
    leftOut,
    propertyNames: min.propertyNames,
    moduleKeys: min.moduleKeys,
    hoisted: min.hoisted,
  };
}

/** The default entry: firmware/main.ts once it exists, else the device smoke test. */
export function defaultEntry(): string {
  const main = path.join(ROOT, 'firmware', 'main.ts');
  return fs.existsSync(main) ? 'firmware/main.ts' : 'tools/smoke/device-smoke.ts';
}

export const SMOKE_ENTRY = 'tools/smoke/device-smoke.ts';
