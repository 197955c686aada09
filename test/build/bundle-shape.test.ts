// The bundle's shape. Shipped: helpers at the file's top level, then every module's body in ONE IIFE
// (tools/build/hoist-modules.ts), so module-level functions and class methods sit at scope depth 1 and
// there is no module table (tools/build/load-cost.ts: no scope link at depth 0, one block at depth 1,
// k + 2 blocks at depth k). With hoistModules false, the registry shape (tools/build/bundle.ts wrap): the
// runtime at the file's top level, module factories at depth 0. Top-level names are the board's globals:
// all start with `__` and terser leaves them as they are. Helpers no module uses are left out (at the top
// level terser would keep them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as acorn from 'acorn';
import { buildBundle, usedHelpers, SMOKE_ENTRY } from '../../tools/build/bundle';
import { checkBundle } from '../../tools/gate/checks';
import { runUnderDuk } from '../../tools/gate/duk';
import { loadCost } from '../../tools/build/load-cost';

const HELPERS = fs.readFileSync(path.join(__dirname, '..', '..', 'tools', 'es5-helpers.js'), 'utf8');

/** Names the program declares at its top level (`var` and function declarations). */
function topLevelNames(code: string): string[] {
  const ast = acorn.parse(code, { ecmaVersion: 5 }) as unknown as { body: Array<{ type: string; declarations?: Array<{ id: { name: string } }>; id?: { name: string } }> };
  const out: string[] = [];
  for (const st of ast.body) {
    if (st.type === 'VariableDeclaration') for (const d of st.declarations!) out.push(d.id.name);
    if (st.type === 'FunctionDeclaration') out.push(st.id!.name);
  }
  return out;
}

const SHAPES = [
  'export class Shape { constructor(public sides: number) {} describe(): string { return "sides " + this.sides; } }',
  'export class Square extends Shape { constructor(public side: number) { super(4); } area(): number { return this.side * this.side; } }',
  'export class Tri extends Shape { constructor() { super(3); } }',
].join('\n');
const SOURCE = [
  "import { Shape, Square, Tri } from './shapes';",
  'declare const print: (s: string) => void;',
  'function both(a: Shape, b: Square): string { return a.describe() + " " + b.describe() + " " + b.area(); }',
  "print(both(new Tri(), new Square(5)) + ' ' + (new Square(2) instanceof Shape));",
].join('\n');

/** Builds from a temporary entry (`main.ts`, importing `./shapes`). */
function withEntry<T>(src: string, f: (entry: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-shape-'));
  try {
    const entry = path.join(dir, 'main.ts');
    fs.writeFileSync(entry, src);
    fs.writeFileSync(path.join(dir, 'shapes.ts'), SHAPES);
    return f(entry);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the minified bundle: helpers at the top level, the modules in one named function; it runs (Node and Duktape) and passes the gate', () => {
  withEntry(SOURCE, (entry) => {
    const b = buildBundle({ entry });
    assert.ok(b.hoisted);
    assert.match(b.code, /^"use strict";var __extends=function/);
    assert.match(b.code, /;function __etcpip\(\)\{[^]*\}__etcpip\(\);$/);
    assert.equal(topLevelNames(b.code), ['__extends', '__etcpip']);
    assert.not.match(b.code, /__m|__r\(|exports/);
    const out: string[] = [];
    vm.runInNewContext(b.code, { print: (s: unknown) => out.push(String(s)) });
    assert.equal(out, ['sides 3 sides 4 25 true']);
    assert.equal(checkBundle(b.code), []);
    assert.match(runUnderDuk(b.code).output, /sides 3 sides 4 25 true/);
  });
});

test('the registry shape (hoistModules false): the runtime at the top level; it runs and passes the gate', () => {
  withEntry(SOURCE, (entry) => {
    const b = buildBundle({ entry, hoistModules: false });
    assert.not.ok(b.hoisted);
    assert.match(b.code, /^"use strict";var __extends=function/);
    assert.not.match(b.code, /^!function|^\(function/);
    const names = topLevelNames(b.code);
    assert.equal(names.slice().sort(), ['__c', '__extends', '__g', '__m', '__r']);
    const out: string[] = [];
    vm.runInNewContext(b.code, { print: (s: unknown) => out.push(String(s)) });
    assert.equal(out, ['sides 3 sides 4 25 true']);
    assert.equal(checkBundle(b.code), []);
    assert.match(runUnderDuk(b.code).output, /sides 3 sides 4 25 true/);
  });
});

test('hoisted: functions and class methods at scope depth 1, no module factory, no module table', () => {
  withEntry(SOURCE, (entry) => {
    const b = buildBundle({ entry });
    const c = loadCost(b.code);
    const depths = Object.keys(c.functionsByDepth).map(Number).filter((d) => c.functionsByDepth[d] > 0).sort();
    assert.equal(depths, [0, 1], JSON.stringify(c.functionsByDepth));
    // constructors (3), methods (2) at depth 1
    assert.ok(c.functionsByDepth[1] >= 5, JSON.stringify(c.functionsByDepth));
    assert.is(c.functionsByDepth[0], 1, JSON.stringify(c.functionsByDepth)); // `__extends` (the IIFE is called, not kept)
    assert.is(c.modules, 0);
    assert.is(c.breakdown.scopeLinks, c.functionsByDepth[1]); // one block per depth-1 function, none at depth 0
    const reg = loadCost(buildBundle({ entry, hoistModules: false }).code);
    assert.is(reg.modules, 2);
    assert.ok(c.blocks < reg.blocks, c.blocks + ' < ' + reg.blocks);
    // the unminified form (es5Code) still holds the classes in their IIFEs: it is what tsc made
    assert.match(b.es5Code, /var Square = \(function \(_super\)/);
  });
});

test('registry shape: module factories at scope depth 0, functions and class methods at depth 1', () => {
  withEntry(SOURCE, (entry) => {
    const b = buildBundle({ entry, hoistModules: false });
    const c = loadCost(b.code);
    const depths = Object.keys(c.functionsByDepth).map(Number).filter((d) => c.functionsByDepth[d] > 0).sort();
    assert.equal(depths, [0, 1], JSON.stringify(c.functionsByDepth));
    assert.ok(c.functionsByDepth[1] >= 5, JSON.stringify(c.functionsByDepth));
    assert.ok(c.functionsByDepth[0] >= 4, JSON.stringify(c.functionsByDepth));
    assert.is(c.breakdown.scopeLinks, c.functionsByDepth[1]);
  });
});

test('every top-level name of the smoke bundle starts with __ (they become the board\'s globals)', () => {
  for (const hoistModules of [true, false]) {
    const b = buildBundle({ entry: SMOKE_ENTRY, hoistModules });
    const names = topLevelNames(b.code);
    for (const n of names) assert.match(n, /^__/, n);
    for (const n of ['__c', '__m', '__g', '__r']) assert.is(names.indexOf(n) >= 0, !hoistModules, n);
  }
});

test('only the helpers the modules use are kept', () => {
  const one = usedHelpers(HELPERS, 'var o = __assign({}, a);');
  assert.equal(topLevelNames(one), ['__assign']);
  assert.equal(topLevelNames(usedHelpers(HELPERS, 'var __extendsLike = 1; x.__rest = 2;')), []);
  assert.equal(topLevelNames(usedHelpers(HELPERS, '__extends(A, B); __spreadArray([], a);')), ['__extends', '__spreadArray']);
});

test.run();
