// Cross-module constant inlining (tools/build/inline-constants.ts): reads `a_1.X` of another module's
// numeric constant become the literal; reassigned, non-numeric, written-through and shadowed cases
// stay property reads; the bundle computes the same either way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import { inlineCrossModuleConstants } from '../../tools/build/inline-constants';
import { buildBundle, localiseConstants } from '../../tools/build/bundle';

/** A wrapped bundle in the shape tools/build/bundle.ts makes: registry `__m`, runtime `__r`. */
function bundle(mods: { [id: string]: string }, entry: string): string {
  const parts = Object.keys(mods).map((id) => JSON.stringify(id) + ': function (exports, module, require) {\n' + localiseConstants(mods[id]) + '\n}');
  return '(function () {\n"use strict";\nvar __c = {};\nvar __m = {\n' + parts.join(',\n') + '\n};\n' +
    'var __g = typeof require === "function" ? require : undefined;\n' +
    'var __r = function (id) {\n  var c = __c[id];\n  if (c) return c.exports;\n  var f = __m[id];\n  if (!f) return __g(id);\n' +
    '  c = __c[id] = { exports: {} };\n  f(c.exports, c, __r);\n  return c.exports;\n};\n__r(' + JSON.stringify(entry) + ');\n})();\n';
}

function run(code: string): string[] {
  const out: string[] = [];
  vm.runInNewContext(code, { print: (s: unknown) => out.push(String(s)) });
  return out;
}

const K = [
  'exports.ACK = 16;',
  'exports.NEG = -3;',
  'exports.HEX = 0x7f;',
  'exports.TWICE = 1;',
  'exports.bump = function () { exports.TWICE = 2; };',
  'exports.NAME = "syn";',
  'exports.OBJ = { a: 1 };',
  'exports.POKED = 5;',
].join('\n');

test('a read of another module\'s numeric constant becomes the literal', () => {
  const code = bundle({
    k: K,
    main: 'var k_1 = require("k");\nprint(k_1.ACK | 2);\nprint(- k_1.NEG);\nprint(k_1.NEG.toString());\nprint(k_1.HEX);',
  }, 'main');
  const r = inlineCrossModuleConstants(code);
  assert.is(r.inlined, 4);
  // Nothing can read ACK, NEG, HEX (nor the unread POKED) on k's exports any more: only the local copies stay.
  assert.is(r.dropped, 4);
  assert.match(r.code, 'var __k_ACK = 16;');
  assert.not.match(r.code, 'exports.ACK');
  assert.match(r.code, 'print((16) | 2)');
  assert.match(r.code, 'print(- (-3))');
  assert.match(r.code, 'print((-3).toString())');
  assert.match(r.code, 'print((0x7f))');
  assert.not.match(r.code, /k_1\.(ACK|NEG|HEX)/);
  assert.equal(run(r.code), run(code));
  assert.equal(run(r.code), ['18', '3', '-3', '127']);
});

test('reassigned exports, non-numeric exports and exports written through an alias stay reads', () => {
  const code = bundle({
    k: K,
    poke: 'var k_1 = require("k");\nk_1.POKED = 6;',
    main: 'var k_1 = require("k");\nrequire("poke");\nprint(k_1.TWICE);\nk_1.bump();\nprint(k_1.TWICE);\nprint(k_1.NAME);\nprint(k_1.OBJ.a);\nprint(k_1.POKED);',
  }, 'main');
  const r = inlineCrossModuleConstants(code);
  assert.is(r.inlined, 0);
  assert.match(r.code, 'var __k_POKED = exports.POKED = 5;'); // written from outside: stays
  assert.match(r.code, 'exports.TWICE = 1;');
  assert.match(r.code, 'exports.NAME = "syn";');
  assert.equal(run(r.code), ['1', '2', 'syn', '1', '6']);
});

test('a shadowed or reassigned alias is left alone', () => {
  const shadowed = bundle({
    k: K,
    other: 'exports.ACK = 99;',
    main: 'var k_1 = require("k");\nfunction f(k_1) { return k_1.ACK; }\nprint(f(require("other")));\nprint(k_1.ACK);',
  }, 'main');
  const r1 = inlineCrossModuleConstants(shadowed);
  assert.is(r1.inlined, 0);
  assert.is(r1.dropped, 0);
  assert.equal(run(r1.code), ['99', '16']);
  const reassigned = bundle({
    k: K,
    other: 'exports.ACK = 99;',
    main: 'var k_1 = require("k");\nk_1 = require("other");\nprint(k_1.ACK);',
  }, 'main');
  const r2 = inlineCrossModuleConstants(reassigned);
  assert.is(r2.inlined, 0);
  assert.is(r2.dropped, 0);
  assert.equal(run(r2.code), ['99']);
});

test('a module whose exports object escapes keeps every export', () => {
  const code = bundle({
    k: K,
    main: 'var k_1 = require("k");\nprint(k_1.ACK);\nprint(Object.keys(k_1).join());',
  }, 'main');
  const r = inlineCrossModuleConstants(code);
  assert.is(r.inlined, 1);
  assert.is(r.dropped, 0);
  assert.equal(run(r.code), run(code));
  assert.match(run(r.code)[1], 'ACK,NEG,HEX');
  const own = bundle({ k: K + '\nprint(Object.keys(exports).length);', main: 'var k_1 = require("k");\nprint(k_1.ACK);' }, 'main');
  const r2 = inlineCrossModuleConstants(own);
  assert.is(r2.dropped, 0);
  assert.equal(run(r2.code), run(own));
});

test('the firmware bundle has its cross-module constants inlined', () => {
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'wifi', minify: false });
  const r = inlineCrossModuleConstants(b.es5Code);
  assert.ok(r.inlined > 50, 'inlined ' + r.inlined);
  assert.ok(r.dropped > 20, 'dropped ' + r.dropped);
  // e.g. TCP states and header flags are no longer property reads of another module
  assert.ok(/\w+_1\.(SYN_RECEIVED|ESTABLISHED|TCP_ACK)\b/.test(b.es5Code), 'the un-inlined ES5 reads them across modules');
  assert.not.ok(/\w+_1\.(SYN_RECEIVED|ESTABLISHED|TCP_ACK)\b/.test(r.code));
});

test.run();
