// tsc's class IIFEs put at their module's top level (tools/build/class-unwrap.ts): the classes behave
// the same (constructors, super calls, statics, accessors, prototype aliases), the IIFE's parameter is
// renamed to a name free in the module and only where it refers to the parameter, and anything that is
// not plainly tsc's class shape, or would collide in the module, is left as it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { unwrapClasses } from '../../tools/build/class-unwrap';
import { aliasPrototypes } from '../../tools/build/prototype-alias';
import { loadCost } from '../../tools/build/load-cost';

const HELPERS = fs.readFileSync(path.join(__dirname, '..', '..', 'tools', 'es5-helpers.js'), 'utf8');

/** A wrapped bundle in the shape tools/build/bundle.ts makes, from module id → ES5 module body. */
function bundle(mods: { [id: string]: string }, entry: string): string {
  const parts = Object.keys(mods).map((id) => JSON.stringify(id) + ': function (exports, module, require) {\n' + mods[id] + '\n}');
  return '"use strict";\n' + HELPERS + 'var __c = {};\nvar __m = {\n' + parts.join(',\n') + '\n};\n' +
    'var __g = typeof require === "function" ? require : undefined;\n' +
    'var __r = function (id) {\n  var c = __c[id];\n  if (c) return c.exports;\n  var f = __m[id];\n  if (!f) return __g(id);\n' +
    '  c = __c[id] = { exports: {} };\n  f(c.exports, c, __r);\n  return c.exports;\n};\n__r(' + JSON.stringify(entry) + ');\n';
}

/** TypeScript → the ES5 CommonJS module body tsc makes (no helpers, as the build compiles). */
function es5(src: string): string {
  return ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, noEmitHelpers: true, removeComments: true } })
    .outputText.replace(/require\("\.\/([\w-]+)"\)/g, 'require("$1")');
}

function run(code: string): string[] {
  const out: string[] = [];
  vm.runInNewContext(code, { print: (s: unknown) => out.push(String(s)) });
  return out;
}

const BASE = `
export class Base {
  static count = 0;
  n = 1;
  constructor() { Base.count++; }
  a(): number { return this.n; }
  b(): number { return this.a() + 1; }
  c(): number { return 3; }
}
`;
const MAIN = `
import { Base } from './base';
declare function print(s: string): void;
class Derived extends Base {
  static tag = 'D';
  m = 10;
  constructor() { super(); }
  a(): number { return this.m + super.a(); }
  d(): number { return this.b() + this.c(); }
  get twice(): number { return this.m * 2; }
  e(_super: number): number { return _super + 1; }
}
const x = new Derived();
const y = new Derived();
print([x.a(), x.b(), x.d(), x.twice, x.e(4), Derived.tag, Base.count, x instanceof Base, y instanceof Derived,
  Object.getPrototypeOf(x) === Derived.prototype, Derived.prototype.constructor === Derived, typeof Derived.prototype.d].join(' '));
`;

test('classes (a base, a derived one with super calls, statics, an accessor) behave the same at the module top level', () => {
  const code = bundle({ base: es5(BASE), main: es5(MAIN) }, 'main');
  const want = run(code);
  assert.equal(want, ['11 12 15 20 5 D 2 true true true true function']);
  const r = unwrapClasses(code);
  assert.is(r.unwrapped, 2, r.left.join('\n'));
  assert.equal(r.left, []);
  assert.not.match(r.code, /\(function \(/); // no IIFE left in the modules
  assert.match(r.code, /var Derived_super_1 = base_1\.Base;\n__extends\(Derived, Derived_super_1\);/);
  assert.match(r.code, /Derived_super_1\.prototype\.a\.call\(this\)/);
  assert.match(r.code, /e = function \(_super\) \{ return _super \+ 1; \}/); // a method's own `_super` stays
  assert.not.match(r.code, /[^\w]_super_1/); // tsc's parameter name is gone
  assert.not.match(r.code, /return Derived;|return Base;/);
  assert.equal(run(r.code), want);
});

test('prototype aliases made first move out with the class and still apply', () => {
  const code = aliasPrototypes(bundle({ base: es5(BASE), main: es5(MAIN) }, 'main')).code;
  assert.match(code, /var __pr_Derived = Derived\.prototype;/);
  const r = unwrapClasses(code);
  assert.is(r.unwrapped, 2, r.left.join('\n'));
  assert.match(r.code, /__pr_Derived\.d = function/);
  assert.equal(run(r.code), ['11 12 15 20 5 D 2 true true true true function']);
});

test('methods move from depth 2 to depth 1 in the load-cost model: one block of scope link each instead of four', () => {
  const code = bundle({ base: es5(BASE), main: es5(MAIN) }, 'main');
  const before = loadCost(code);
  const after = loadCost(unwrapClasses(code).code);
  assert.ok(before.functionsByDepth[2] >= 8, JSON.stringify(before.functionsByDepth));
  assert.is(after.functionsByDepth[2] || 0, 0, JSON.stringify(after.functionsByDepth));
  assert.ok(after.breakdown.scopeLinks < before.breakdown.scopeLinks);
  assert.ok(after.blocks < before.blocks, before.blocks + ' → ' + after.blocks);
});

test('the parameter gets a name nothing else in the module uses', () => {
  const main = es5(MAIN).replace('var x = new Derived();', 'var Derived_super_1 = 7;\nvar x = new Derived();');
  const code = bundle({ base: es5(BASE), main }, 'main');
  const r = unwrapClasses(code);
  assert.is(r.unwrapped, 2, r.left.join('\n'));
  assert.match(r.code, /var Derived_super_1_2 = base_1\.Base;/);
  assert.match(r.code, /var Derived_super_1 = 7;/);
  assert.equal(run(r.code), run(code));
});

/** A module whose one class IIFE is edited by `edit` (on tsc's ES5 of a small class). */
function leftAlone(edit: (js: string) => string, extra = ''): string[] {
  const js = edit(es5('export class K { v = 2; get(): number { return this.v; } }\n' + extra));
  const code = bundle({ k: js }, 'k');
  const r = unwrapClasses(code);
  assert.is(r.unwrapped, 0, 'should be left:\n' + js);
  assert.is(r.code, code);
  return r.left;
}

test('anything beyond the class shape, or colliding in the module, is left as it was', () => {
  // `this` at the IIFE's own level
  assert.match(leftAlone((js) => js.replace('return K;', 'K.self = this;\n    return K;')).join(), /this/);
  // another function declared in the IIFE
  assert.match(leftAlone((js) => js.replace('return K;', 'function helper() {}\n    return K;')).join(), /another function/);
  // a statement of another kind
  assert.match(leftAlone((js) => js.replace('return K;', 'if (K) K.x = 1;\n    return K;')).join(), /IfStatement/);
  // a temporary whose name the module uses elsewhere
  assert.match(leftAlone((js) => js.replace('return K;', 'var _a = 1;\n    K.a = _a;\n    return K;') + '\nvar _a = 3;\n').join(), /"_a"/);
  // K declared twice in the module
  assert.match(leftAlone((js) => js + '\nvar K;\n').join(), /more than once/);
  // a class extending Error stays in its IIFE, where the gate recognises it
  const err = es5('export class E extends Error { constructor() { super("x"); } }');
  const r = unwrapClasses(bundle({ e: err }, 'e'));
  assert.is(r.unwrapped, 0);
  assert.match(r.left.join(), /extends Error/);
});

test('class IIFEs outside a module factory\'s top level (inside functions) are not touched', () => {
  const js = es5('export function make() { class L { f(): number { return 1; } } return new L().f(); }');
  const code = bundle({ l: js + '\nprint(make());' }, 'l');
  const r = unwrapClasses(code);
  assert.is(r.unwrapped, 0);
  assert.is(r.code, code);
  assert.equal(run(r.code), ['1']);
});

test.run();
