// `var __pr_X = X.prototype` once per class (tools/build/prototype-alias.ts): methods land on the
// same prototype as before (after __extends replaced it), classes that assign X.prototype are left
// alone, and the ES5 of real classes (tsc) behaves the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { aliasPrototypes } from '../../tools/build/prototype-alias';

const HELPERS = fs.readFileSync(path.join(__dirname, '..', '..', 'tools', 'es5-helpers.js'), 'utf8');

function es5(src: string): string {
  return HELPERS + ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, noEmitHelpers: true } }).outputText;
}

function run(code: string): string[] {
  const out: string[] = [];
  vm.runInNewContext(code, { print: (s: unknown) => out.push(String(s)) });
  return out;
}

const CLASSES = `
declare function print(s: string): void;
class Base {
  n = 1;
  a(): number { return this.n; }
  b(): number { return this.a() + 1; }
  c(): number { return 3; }
}
class Derived extends Base {
  m = 10;
  constructor() { super(); }
  a(): number { return this.m; }
  d(): number { return this.b() + this.c(); }
  get twice(): number { return this.m * 2; }
  e(): string { return typeof Derived.prototype.d; }
}
const x = new Derived();
print(String(x.a()) + ',' + x.b() + ',' + x.d() + ',' + x.twice + ',' + x.e());
print(String(x instanceof Base) + ',' + Object.keys(Derived.prototype).join('|'));
`;

test('methods and accessors land on the class\'s own prototype, after __extends', () => {
  const before = es5(CLASSES);
  const r = aliasPrototypes(before);
  assert.is(r.classes, 2);
  assert.match(r.code, 'var __pr_Derived = Derived.prototype;');
  assert.match(r.code, '__pr_Derived.d = function');
  assert.match(r.code, 'Object.defineProperty(__pr_Derived, "twice"');
  // Inside a method (which may run at any time) the original expression stays.
  assert.match(r.code, 'typeof Derived.prototype.d');
  // The alias comes after __extends(Derived, _super) replaced the prototype.
  assert.ok(r.code.indexOf('__extends(Derived, _super)') < r.code.indexOf('var __pr_Derived'));
  assert.equal(run(r.code), run(before));
  assert.equal(run(r.code), ['10,11,14,20,function', 'true,constructor|a|d|e']);
});

test('a class that assigns its prototype, or has few methods, is left alone', () => {
  const code = [
    'var A = (function () {',
    '    function A() {}',
    '    A.prototype = { f: function () { return 1; } };',
    '    A.prototype.g = function () { return 2; };',
    '    A.prototype.h = function () { return 3; };',
    '    A.prototype.i = function () { return 4; };',
    '    return A;',
    '}());',
    'var B = (function () {',
    '    function B() {}',
    '    B.prototype.f = function () { return 5; };',
    '    return B;',
    '}());',
    'print(new A().f() + new A().i() + new B().f());',
  ].join('\n');
  const r = aliasPrototypes(code);
  assert.is(r.classes, 0);
  assert.is(r.code, code);
  assert.equal(run(r.code), ['10']);
});

test.run();
