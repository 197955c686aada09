// Modules hoisted into one scope (tools/build/hoist-modules.ts): bodies in `__r`'s order, module-level
// names renamed apart (respecting shadowing), `alias.X` reads pointed at the exporting module's variable,
// modules whose exports object is needed keep one, an import cycle fails the build. Every fixture is
// run both ways (registry and hoisted) and must print the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hoistModules, HoistError } from '../../tools/build/hoist-modules';
import { buildBundle } from '../../tools/build/bundle';
import { checkBundle } from '../../tools/gate/checks';

/** A wrapped bundle in the shape tools/build/bundle.ts makes: registry `__m`, runtime `__r` at the top level. */
function bundle(mods: { [id: string]: string }, entry: string): string {
  const parts = Object.keys(mods).map((id) => JSON.stringify(id) + ': function (exports, module, require) {\n' + mods[id] + '\n}');
  return '"use strict";\nvar __c = {};\nvar __m = {\n' + parts.join(',\n') + '\n};\n' +
    'var __g = typeof require === "function" ? require : undefined;\n' +
    'var __r = function (id) {\n  var c = __c[id];\n  if (c) return c.exports;\n  var f = __m[id];\n  if (!f) return __g(id);\n' +
    '  c = __c[id] = { exports: {} };\n  f(c.exports, c, __r);\n  return c.exports;\n};\n__r(' + JSON.stringify(entry) + ');\n';
}

function run(code: string, extra: { [k: string]: unknown } = {}): string[] {
  const out: string[] = [];
  vm.runInNewContext(code, Object.assign({ print: (s: unknown) => out.push(String(s)) }, extra));
  return out;
}

test('bodies run in __r\'s order: depth first from the entry, requires in source order, statements before a require first', () => {
  const mods = {
    main: 'print("main 1");\nvar a_1 = require("a");\nprint("main 2");\nvar b_1 = require("b");\nprint("main " + a_1.A + b_1.B);',
    a: 'print("a");\nvar c_1 = require("c");\nexports.A = "A" + c_1.C;',
    b: 'var c_1 = require("c");\nvar a_1 = require("a");\nprint("b");\nexports.B = "B" + c_1.C + a_1.A;',
    c: 'print("c");\nexports.C = "c";',
  };
  const src = bundle(mods, 'main');
  const want = ['main 1', 'a', 'c', 'main 2', 'b', 'main AcBcAc'];
  assert.equal(run(src), want);
  const h = hoistModules(src);
  assert.equal(h.order, ['main', 'a', 'c', 'b']);
  assert.equal(h.kept, []);
  assert.equal(run(h.code), want);
  assert.not.match(h.code, /__m|__r|require|exports/);
});

test('module-level names are renamed apart; nested functions, parameters and catch clauses that shadow them are left alone', () => {
  const mods = {
    main: [
      'var x_1 = require("x");',
      'var n = "main-n";',
      'function f(n) { return "param " + n; }',
      'function g() { var n = "local"; return n; }',
      'function h() { try { throw "caught"; } catch (n) { return n; } }',
      'var k = function n() { return typeof n; };',
      'function useX(x_1) { return x_1.n; }', // a parameter named like the import: its own object
      'print([n, f("p"), g(), h(), k(), x_1.n, x_1.get(), useX({ n: "obj" })].join(","));',
    ].join('\n'),
    x: 'var n = "x-n";\nfunction get() { return n; }\nexports.get = get;\nexports.n = n;',
  };
  const src = bundle(mods, 'main');
  const want = ['main-n,param p,local,caught,function,x-n,x-n,obj'];
  assert.equal(run(src), want);
  const h = hoistModules(src);
  assert.equal(run(h.code), want);
  assert.equal(h.kept, []);
});

test('re-exported names and exports read inside their own module; a var exported after a later write stays a snapshot', () => {
  const mods = {
    main: 'var m_1 = require("m");\nvar r_1 = require("r");\nprint([m_1.twice(2), m_1.K, r_1.again(3), r_1.snap, m_1.LIST.length].join(","));',
    m: 'var __k_K = exports.K = 7;\nexports.LIST = [1, 2];\nfunction twice(v) { return v * 2 + exports.LIST.length - 2 + __k_K - 7; }\nexports.twice = twice;',
    r: 'var m_1 = require("m");\nexports.again = m_1.twice;\nvar s = 1;\nexports.snap = s;\ns = 5;\nexports.late = s;',
  };
  const src = bundle(mods, 'main');
  const want = ['4,7,6,1,2'];
  assert.equal(run(src), want);
  const h = hoistModules(src);
  assert.equal(run(h.code), want);
  assert.equal(h.kept, []);
});

test('a module whose exports are written again (export let), read as an object or written from outside keeps its exports object', () => {
  const mods = {
    main: [
      'var l_1 = require("l");', 'var o_1 = require("o");', 'var w_1 = require("w");',
      'print(l_1.count);', 'l_1.bump();', 'print(l_1.count);',
      'print(Object.keys(o_1).join("+"));',
      'w_1.hook = function () { return "hooked"; };', 'print(w_1.callHook());',
    ].join('\n'),
    l: 'exports.count = 0;\nfunction bump() { exports.count = exports.count + 1; }\nexports.bump = bump;',
    o: 'exports.a = 1;\nexports.b = 2;',
    w: 'exports.hook = null;\nexports.callHook = function () { return exports.hook(); };',
  };
  const src = bundle(mods, 'main');
  const want = ['0', '1', 'a+b', 'hooked'];
  assert.equal(run(src), want);
  const h = hoistModules(src);
  assert.equal(run(h.code), want);
  assert.equal(h.kept.map((k) => k.split(':')[0]).sort(), ['l', 'o', 'w']);
});

test('built-in requires stay calls of Espruino\'s require', () => {
  const src = bundle({ main: 'var s = require("Storage");\nprint(s.read("f"));' }, 'main');
  const req = (id: string) => ({ read: (f: string) => id + ':' + f });
  assert.equal(run(src, { require: req }), ['Storage:f']);
  const h = hoistModules(src);
  assert.match(h.code, 'require("Storage")');
  assert.equal(run(h.code, { require: req }), ['Storage:f']);
});

test('an import cycle fails with the cycle named; so does a bundled require inside a function', () => {
  const cyc = bundle({ main: 'var a_1 = require("a");', a: 'var b_1 = require("b");\nexports.A = 1;', b: 'var a_1 = require("a");\nexports.B = 2;' }, 'main');
  assert.throws(() => hoistModules(cyc), (e: Error) => e instanceof HoistError && /import cycle: a -> b -> a/.test(e.message));
  const lazy = bundle({ main: 'function later() { return require("a").A; }\nprint(later());', a: 'exports.A = 1;' }, 'main');
  assert.throws(() => hoistModules(lazy), /main: requires a inside a function/);
  const mod = bundle({ main: 'module.exports = 3;' }, 'main');
  assert.throws(() => hoistModules(mod), /main: uses `module`/);
});

/** Builds TypeScript fixtures (files name → source, entry main.ts) both ways and runs them. */
function buildBoth(files: { [name: string]: string }): { hoisted: string; registry: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-hoist-'));
  try {
    for (const f of Object.keys(files)) fs.writeFileSync(path.join(dir, f), files[f]);
    const entry = path.join(dir, 'main.ts');
    return { hoisted: buildBundle({ entry }).code, registry: buildBundle({ entry, hoistModules: false }).code };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('TypeScript fixtures: export let, re-exports, classes across modules and a shadowed import build, run the same and pass the gate', () => {
  const b = buildBoth({
    'main.ts': [
      "import { counter, bump } from './state';",
      "import { Sq, area } from './shapes';",
      "import { area as area2, KIND } from './again';",
      'declare const print: (s: string) => void;',
      'function shadow(area: number): number { return area + 1; }',
      'bump(); bump();',
      "print([counter, new Sq(3).area(), area(new Sq(2)), area2(new Sq(1)), shadow(5), KIND].join(','));",
    ].join('\n'),
    'state.ts': 'export let counter = 0;\nexport function bump(): void { counter++; }',
    'shapes.ts': [
      'export class Shape { constructor(public n: number) {} area(): number { return 0; } }',
      'export class Sq extends Shape { constructor(public s: number) { super(4); } area(): number { return this.s * this.s; } }',
      'export function area(x: Shape): number { return x.area(); }',
    ].join('\n'),
    'again.ts': "export { area } from './shapes';\nexport const KIND = 'sq';",
  });
  const want = ['2,9,4,1,6,sq'];
  assert.equal(run(b.registry), want);
  assert.equal(run(b.hoisted), want);
  assert.equal(checkBundle(b.hoisted), []);
  assert.ok(b.hoisted.length < b.registry.length, b.hoisted.length + ' < ' + b.registry.length);
});

test.run();
