// The compatibility gate: passes on the real bundles, and fails — naming the rule — on each fault
// planted into a copy of the smoke bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { spawnSync } from 'child_process';
import { buildBundle, defaultEntry, SMOKE_ENTRY } from '../../tools/build/bundle';
import { braceQuantifier, espruinoRegexProblem, checkBundle, GateFailure } from '../../tools/gate/checks';
import { runGate } from '../../tools/gate';
import { SHIPPED_BOARDS } from '../../tools/gate/espruino';

const smoke = buildBundle({ entry: SMOKE_ENTRY });

function rules(f: GateFailure[]): string[] {
  return f.map((x) => x.rule + ': ' + x.message);
}

/** Plants `before` at the top of the bundle (after its "use strict") and `after` at the program's end. */
function plant(before: string, after = ''): string {
  const i = smoke.code.indexOf('"use strict";') === 0 ? '"use strict";'.length : smoke.code.indexOf('{') + 1;
  return smoke.code.slice(0, i) + before + smoke.code.slice(i) + after;
}

test('the gate passes on every shipped firmware bundle and the smoke bundle (static checks and Duktape)', () => {
  // The real-interpreter half runs in test/build/gate-espruino.test.ts.
  const reports = runGate({ espruino: false });
  assert.ok(reports.length >= 1);
  for (const r of reports) {
    assert.equal(rules(r.failures), [], r.name);
    assert.ok(r.dukOk, r.name + ' under duk:\n' + r.dukOutput);
    assert.is(r.espruinoOk, null);
  }
  if (defaultEntry() !== SMOKE_ENTRY) assert.is(reports.length, SHIPPED_BOARDS.length + 1);
});

test('assignment to .length fails as length-assignment, except on this (our own length fields)', () => {
  for (const bad of ['var a = [1]; a.length = 0;', 'var a = [1]; a.length += 1;', 'var a = [1]; a.length++;', 'var a = [1]; --a.length;', 'var a = [1]; a["length"] = 0;', 'var o = { a: [1] }; o.a.length = 0;']) {
    const f = checkBundle(plant(bad));
    assert.equal(f.map((x) => x.rule), ['length-assignment'], bad);
    assert.match(f[0].message, /Assignment to a constant/);
    assert.match(f[0].message, /splice\(0, arr\.length\)/);
  }
  assert.equal(rules(checkBundle(plant('function R() { this.length = 0; this.length++; this.length += 2; } new R();'))), []);
  assert.equal(rules(checkBundle(plant('var a = [1]; var n = a.length; a.splice(0, a.length);'))), []);
});

test('measured Espruino differences fail: missing statics and methods, empty built-in prototypes, odd semantics', () => {
  // (Function is not an allowlisted global either; only the rule under test is compared.)
  const one = (src: string) => checkBundle(plant(src)).filter((x) => x.rule !== 'unknown-global').map((x) => x.rule + ': ' + x.message);
  const kinds = (src: string) => checkBundle(plant(src)).filter((x) => x.rule !== 'unknown-global').map((x) => x.rule);
  assert.equal(one('var p = Math.log10(5);'), ['forbidden-api: Math.log10 is missing on Espruino']);
  assert.equal(one('var p = Number.isNaN(5);'), ['forbidden-api: Number.isNaN is missing on Espruino']);
  assert.equal(one('var p = Date.UTC(2020, 0);'), ['forbidden-api: Date.UTC is missing on Espruino']);
  assert.equal(one('var p = "b".localeCompare("a");'), ['forbidden-api: String#localeCompare is missing on Espruino']);
  assert.equal(one('var p = [1].reduceRight(function (a, b) { return a + b; });'), ['forbidden-api: Array#reduceRight is missing on Espruino']);
  assert.equal(one('var p = Function.prototype.bind;'), ['forbidden-api: Function.prototype.bind is undefined on Espruino']);
  assert.equal(one('var p = String.prototype.slice.call("ab", 1);'), ['forbidden-api: String.prototype.slice is undefined on Espruino']);
  assert.equal(one('var p = Uint8Array.prototype.set;'), ['forbidden-api: Uint8Array.prototype.set is undefined on Espruino']);
  assert.equal(one('var p = Object.prototype.toString.call([]);'), ['forbidden-api: Object.prototype.toString is undefined on Espruino']);
  assert.equal(one('var p = Object.create({}, { a: { value: 1 } });').length, 1);
  assert.equal(kinds('var p = "a,b".split(",", 1);'), ['espruino-semantics']);
  assert.equal(kinds('var p = [1, 2].indexOf(2, -1);'), ['espruino-semantics']);
  assert.equal(kinds('var p = (0.6).toFixed(0);'), ['espruino-semantics']);
  assert.equal(kinds('var p = "ab".replace("b", "$&$&");'), ['espruino-semantics']);
  assert.equal(kinds('var p = "ab".replace("b", function (m) { return m; });'), ['espruino-semantics']);
  assert.equal(kinds('var p; try { p.x; } catch (e) { p = e instanceof TypeError; }'), ['espruino-semantics']);
  // What Espruino does have passes.
  assert.equal(one('var p = Object.prototype.hasOwnProperty.call({}, "a"); var q = "ab".replace(/(b)/, "$1").split(",").indexOf("a", 1);'), []);
  assert.equal(one('function C() {} C.prototype.m = function () {}; String.prototype.q = 1; var r = Object.create(null);'), []);
});

test('the smoke bundle itself has no findings', () => {
  assert.equal(rules(checkBundle(smoke.code)), []);
});

test('planted new Map() fails as forbidden-global', () => {
  const f = checkBundle(plant('var planted = new Map();'));
  assert.equal(rules(f), ['forbidden-global: Map does not exist on Espruino']);
});

test('planted {m,n} regex repetition fails as regex (Espruino has no {} quantifiers); classes and escapes do not', () => {
  const f = checkBundle(plant('var planted = /^\\d{1,3}$/.test("12");'));
  assert.equal(f.map((x) => x.rule), ['regex']);
  assert.ok(checkBundle(plant('var planted = new RegExp("a{2}");')).some((x) => x.rule === 'regex'));
  assert.equal(checkBundle(plant('var planted = /[{1,2}]\\{3\\}x+/.test("a");')), []);
  assert.ok(braceQuantifier('ab{3,}') && braceQuantifier('x{2}') && !braceQuantifier('a\\{2}') && !braceQuantifier('{a}'));
});

test('regexes Espruino runs differently fail as regex: ?, repeated groups, "." in a class, \\b, | in a group', () => {
  for (const p of ['colou?r', '(ab)+', '[a.]', 'a\\bc', '(a|b)c', 'a*?']) assert.ok(espruinoRegexProblem(p), p);
  for (const p of ['^[0-9]+$', '^HTTP\\/\\d\\.\\d$', '[a\\.]+', 'a|b', '^(ab)c$', '[?+*(]']) assert.is(espruinoRegexProblem(p), null, p);
  assert.equal(checkBundle(plant('var planted = /^[a-z.]+$/.test("x");')).map((x) => x.rule), ['regex']);
});

test('planted arrow function fails as es5-syntax', () => {
  const f = checkBundle(plant('var planted = [1].map(x => x + 1);'));
  assert.is(f.length, 1);
  assert.is(f[0].rule, 'es5-syntax');
  assert.is(f[0].line, 1);
});

test('planted label fails as label', () => {
  const f = checkBundle(plant('outer: for (var i = 0; i < 2; i++) { for (;;) { break outer; } }'));
  assert.equal(rules(f), ['label: labelled statement "outer:"']);
});

test('Math.pow fails as forbidden-api: Espruino computes it inexactly', () => {
  assert.equal(rules(checkBundle(plant('var p = Math.pow(2, 16);'))), ['forbidden-api: Math.pow is inexact on Espruino (Math.pow(2,16) !== 65536): multiply or shift']);
});

test('planted Math.imul, Array.from, copyWithin, .buffer.slice and Promise.race fail as forbidden-api', () => {
  assert.equal(rules(checkBundle(plant('var p = Math.imul(3, 5);'))), ['forbidden-api: Math.imul is missing on Espruino']);
  assert.equal(rules(checkBundle(plant('var p = Array.from("ab");'))), ['forbidden-api: Array.from is missing on Espruino']);
  assert.equal(rules(checkBundle(plant('var p = new Uint8Array(4); p.copyWithin(0, 1);'))), ['forbidden-api: copyWithin is missing on Espruino']);
  assert.equal(rules(checkBundle(plant('var p = new Uint8Array(4).buffer.slice(1);'))), ['forbidden-api: ArrayBuffer#slice (.buffer.slice) is missing on Espruino']);
  assert.equal(rules(checkBundle(plant('var p = Promise.race([]);'))), ['forbidden-api: Promise.race is missing on Espruino']);
  assert.equal(rules(checkBundle(plant('var p = Array.prototype.slice.call([1]);'))), ['forbidden-api: Array.prototype.slice is undefined on Espruino']);
});

test('planted use before declaration fails (direct, and through a function called too early)', () => {
  const direct = checkBundle(plant('plantedFn(); function plantedFn() {}'));
  assert.equal(rules(direct), ['use-before-declaration: "plantedFn" is used before its declaration (Espruino does not hoist)']);
  const viaCall = checkBundle(plant('var g = function () { return later; }; g(); var later = 1;'));
  assert.equal(rules(viaCall), ['use-before-declaration: "g()" runs before "later" is declared (Espruino does not hoist)']);
  // Declared first, called after: fine.
  assert.equal(rules(checkBundle(plant('function h() { return ok; } var ok = 1; h();'))), []);
  // A reference inside a function that is only called later is fine even if it names a later var.
  assert.equal(rules(checkBundle(plant('var k = function () { return v; }; var v = 2; k();'))), []);
});

test("planted for(function(){}()...) (terser's hoist_vars output) fails as espruino-syntax", () => {
  const f = checkBundle(plant('var i; for (function () {}(), i = 0; i < 1; i++) {}'));
  assert.equal(f.map((x) => x.rule), ['espruino-syntax']);
});

test('planted unknown global fails as unknown-global (also an implicit global from assignment)', () => {
  assert.equal(rules(checkBundle(plant('frobnicate(1);'))), ['unknown-global: global "frobnicate" is not in tools/espruino-globals.json']);
  assert.equal(rules(checkBundle(plant('leaked = 1;'))), ['unknown-global: global "leaked" is not in tools/espruino-globals.json']);
  // Allowlisted Espruino globals and pin names pass.
  assert.equal(rules(checkBundle(plant('var t = getTime(); digitalWrite(B3, 1); SPI1.setup({});'))), []);
});

/** Compiles a tiny TS program the way `tsc --target ES5` does by default (helpers emitted). */
function tscEs5(src: string, noEmitHelpers: boolean): string {
  return ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, noEmitHelpers } }).outputText;
}

test("TypeScript's own ES5 helpers are rejected as ts-helper", () => {
  const f = checkBundle(tscEs5('class A { static s = 1; } class B extends A {} var a = [1]; var c = [...a, 2];', false));
  const r = f.map((x) => x.rule);
  assert.ok(r.indexOf('ts-helper') >= 0, rules(f).join('\n'));
  assert.ok(rules(f).some((x) => /Array\.prototype\.slice/.test(x)), rules(f).join('\n'));
});

test('class X extends Error is rejected as extends-error, through the real build pipeline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-gate-'));
  try {
    const entry = path.join(dir, 'err.ts');
    fs.writeFileSync(entry, 'class MyError extends Error { constructor(m: string) { super(m); } }\nexport const e = new MyError("x");\n');
    const b = buildBundle({ entry });
    const r = checkBundle(b.code).map((x) => x.rule);
    assert.ok(r.indexOf('extends-error') >= 0, r.join(','));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the gate runs alone: tools/gate.ts --file exits 1 and names the rule for a bad bundle, 0 for a good one', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-gatecli-'));
  try {
    const good = path.join(dir, 'good.js');
    const bad = path.join(dir, 'bad.js');
    fs.writeFileSync(good, smoke.code);
    fs.writeFileSync(bad, plant('var planted = new Map();'));
    const run = (f: string) => spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(__dirname, '..', '..', 'tools', 'gate.ts'), '--file', f], { encoding: 'utf8', timeout: 60000 });
    const g = run(good);
    assert.is(g.status, 0, g.stdout + g.stderr);
    const b = run(bad);
    assert.is(b.status, 1, b.stdout + b.stderr);
    assert.match(b.stdout, /FAIL .*bad\.js/);
    assert.match(b.stdout, /forbidden-global at 1:\d+: Map does not exist on Espruino/);
    assert.match(b.stdout, /duktape run failed/); // Map is gone under the shims too
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
