// What loading code from Storage costs in Espruino's variable pool (tools/build/load-cost.ts): each
// per-construct cost pinned on a small source, with the Espruino source fact it comes from
// (../helper-briefs/s3-loadcost-findings.md has the citations), and structural facts on the real
// pico bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as acorn from 'acorn';
import { loadCost, nameBlocks, stringBlocks, ramCodeBlocks } from '../../tools/build/load-cost';
import { unnameTopLevelIifes } from '../../tools/build/named-entry';
import { buildBundle } from '../../tools/build/bundle';

const blocks = (src: string): number => loadCost(src).blocks;

test('block arithmetic for names, strings and RAM code copies (src/jsutils.h, 13-byte JsVars)', () => {
  // JSVAR_DATA_STRING_NAME_LEN = 4 chars in a name block; JSVAR_DATA_STRING_MAX_LEN = 9 per extension
  assert.is(nameBlocks(1), 1);
  assert.is(nameBlocks(4), 1);
  assert.is(nameBlocks(5), 2);
  assert.is(nameBlocks(13), 2);
  assert.is(nameBlocks(14), 3);
  // JSVAR_DATA_STRING_LEN = 8 chars in a string's first block
  assert.is(stringBlocks(0), 1);
  assert.is(stringBlocks(8), 1);
  assert.is(stringBlocks(9), 2);
  assert.is(stringBlocks(17), 2);
  assert.is(stringBlocks(18), 3);
  // jslNewStringFromLexer: a flat string (1 header + ceil(chars/13)) past JSV_FLAT_STRING_BREAK_EVEN = 17
  assert.is(ramCodeBlocks(17), 2);
  assert.is(ramCodeBlocks(18), 3);
  assert.is(ramCodeBlocks(26), 3);
  assert.is(ramCodeBlocks(27), 4);
});

test('a function declaration at the top level: function, "\\xFF"+param names, code link, no scope link', () => {
  // jspeFunctionDefinition: JSV_FUNCTION (1); jspeFunctionArguments: name "\xFFc" (1);
  // jspeFunctionDefinitionInternal: "\xFFcod" name (1) + native string into flash (1); no scopes → no
  // "\xFFsco"; jspeStatementFunctionDecl: the name "ab" in root (1).
  const r = loadCost('function ab(c){return c}');
  assert.is(r.blocks, 5);
  assert.is(r.functions, 1);
  assert.equal(r.breakdown, { functions: 1, params: 1, codeLinks: 2, rootNames: 1 });
  // a parameter name of 4+ chars no longer fits one name block with its "\xFF"
  assert.is(blocks('function ab(abcd){return abcd}'), 6);
});

test('an empty function has neither code nor scope link (lastTokenEnd <= 0)', () => {
  // JSV_FUNCTION (1) + the name "f" in root (1)
  assert.is(blocks('function f(){}'), 2);
  assert.equal(loadCost('function f(){}').breakdown, { functions: 1, rootNames: 1 });
});

test('a named function expression adds "\\xFFnam" and the name as a string', () => {
  // function 1 + param 1 + code 2 + "\xFFnam" 1 + "fn" string 1 + the var name 1
  assert.is(blocks('var v = function fn(a){a()}'), 7);
  assert.is(blocks('var v = function(a){a()}'), 5);
});

test('scope links: none at the top level, the scope itself for one, a copied array beyond', () => {
  // depth 1 (inside one IIFE): "\xFFsco" → the scope (1). The IIFE's scope stays because `a` links to it:
  // functionRoot (1) + "\xFFrtn" (1) + the name "a" (1).
  const one = loadCost('!function(){ function a(){x()} }()');
  assert.is(one.blocks, 4 + 3);
  assert.is(one.functions, 2);
  assert.is(one.retainedFunctions, 1);
  assert.is(one.breakdown.scopeLinks, 1);
  // depth 2: jsvCopy of execInfo.scopesVar: array (1) + 2 int names, + the "\xFFsco" name (1) = 4;
  // both IIFE scopes stay (3 + 2 blocks).
  const two = loadCost('!function(){ !function(){ function a(){x()} }() }()');
  assert.is(two.breakdown.scopeLinks, 4);
  assert.is(two.blocks, 7 + 3 + 2);
  // depth 3: 5
  assert.is(loadCost('!function(){!function(){!function(){ function a(){x()} }()}()}()').breakdown.scopeLinks, 5);
});

test('a function created at load but never linked keeps no IIFE scope', () => {
  // the IIFE's scope has no function linking to it once it returns: nothing but the global stays
  assert.is(blocks('var z = function(){ var q = 1; return q }()'), 1);
});

test('values: small ints pack into their name, other numbers, strings, booleans and null take blocks', () => {
  // jsvSetValueOfName: an int in JSVARREF_MIN..MAX (13-bit: -4096..4095) lives in the name
  assert.is(blocks('var a=5'), 1);
  assert.is(blocks('var a=-4096'), 1);
  assert.is(blocks('var a=5000'), 2);
  assert.is(blocks('var a=1.5'), 2); // JSV_FLOAT
  assert.is(blocks('var a="12345678"'), 2); // jslLexString: 8 chars in one string block
  assert.is(blocks('var a="123456789"'), 3);
  assert.is(blocks('var a=!0'), 2); // JSV_BOOLEAN does not pack into a string name
  assert.is(blocks('var a=null'), 2); // JSV_NULL
  assert.is(blocks('var abcdefghij=5'), 2); // a 10-char name: 4 chars + one 9-char extension
});

test('object and array literals', () => {
  // jspeFactorObject: object (1) + "ab" (1) + "cdefg" (2) + "x" (1); plus the var name (1)
  assert.is(blocks('var o={ab:1,cdefg:"x"}'), 6);
  // numeric keys become int names (jsvAsArrayIndex); small ints pack (NAME_INT_INT)
  assert.is(blocks('var o={0:1,12:7}'), 1 + 1 + 2);
  // jspeFactorArray: array (1) + an int name per element; ints and booleans pack (NAME_INT_INT/BOOL)
  assert.is(blocks('var r=[1,!0,"s"]'), 1 + 1 + 3 + 1);
});

test('X.prototype is made on first access: object + "constructor" + "prototype" names', () => {
  // jspGetNamedFieldInParents: jsvNewObject (1), "constructor" (11 chars, 2), "prototype" (9 chars, 2)
  const r = loadCost('function C(){x()} C.prototype.m=function(){y()}');
  assert.is(r.breakdown.prototypes, 5);
  // C: 1 + code 2 + name 1; m: property 1 + function 1 + code 2
  assert.is(r.blocks, 4 + 5 + 1 + 3);
  // a second method reuses the prototype
  assert.is(blocks('function C(){x()} C.prototype.m=function(){y()}; C.prototype.n=function(){y()}'), 13 + 4);
});

test('__extends at load replaces the prototype: Object.create + "__proto__" + "prototype" + "constructor"', () => {
  // h: name 1 + function 1 + params "\xFFd" "\xFFb" 2 + code 2; B and D: 4 each; the call: object (1) +
  // "__proto__" (2, jswrap_object_create) + "prototype" (2) + "constructor" (2); D.prototype.m then adds
  // its name (1) and function (3) to that prototype without making another.
  const src = 'var h=function(d,b){d.prototype=Object.create(b.prototype);d.prototype.constructor=d};' +
    'function B(){x()} function D(){y()} h(D,B); D.prototype.m=function(){z()}';
  const r = loadCost(src);
  assert.is(r.breakdown.prototypes, 7);
  assert.is(r.blocks, 6 + 4 + 4 + 7 + 4);
});

test('Object.defineProperty at load: a getter/setter under a new name; the descriptor is dropped', () => {
  // C 4 + prototype 5 + "v" 1 + JSV_GET_SET 1 + its "get" name 1 + the getter (1 + code 2)
  // (jsvAddGetterOrSetter: jsvNewWithFlags(JSV_GET_SET), then jsvObjectSetChild(getset, "get", method))
  assert.is(blocks('function C(){x()} Object.defineProperty(C.prototype,"v",{get:function(){return 1},enumerable:!1,configurable:!0})'), 15);
});

test('new: an object with "__proto__", the constructor body not walked; typed arrays with their data', () => {
  // jspeConstruct: jsvNewObject (1) + "__proto__" (9 chars, 2); the prototype made (5); var c (1)
  assert.is(blocks('function C(){x()} var c=new C()'), 4 + 5 + 3 + 1);
  // view + ArrayBuffer + 1500 bytes as a flat string (1 + 116): 119, as measured (docs/espruino.md §4.2)
  assert.is(blocks('var b=new Uint8Array(1500)'), 119 + 1);
});

test('the bundle runtime: module table, cache entries, factories run with their scopes', () => {
  const src = '!function(){var n={0:function(t,i,n){t.a=function(){x()}},1:function(t,i,n){n(0)}}}()';
  const r = loadCost(src);
  assert.is(r.modules, 2);
  assert.is(r.functions, 4);
  // IIFE scope 1 + "\xFFrtn" 1 + "n" 1; table: object 1 + 2 int names; factories: 2 × (1 + 3 params +
  // code 2 + scope link 1); cache entries 2 × (key 1 + object 1 + "exports" 2 + exports 1); factory 0's
  // scope kept (root 1 + 3 names + "\xFFrtn" 1); t.a: name 1 + function 1 + code 2 + depth-2 scope link 4.
  // Factory 1 makes no function: its scope goes.
  assert.is(r.blocks, 3 + 3 + 14 + 10 + 5 + 1 + 7);
});

test('RAM mode copies each body; Storage mode keeps one native string per function', () => {
  const src = 'function f(){x();x();x();x();x()}'; // body: 19 chars → flat string 1 + 2
  assert.is(loadCost(src).breakdown.codeLinks, 2);
  assert.is(loadCost(src, { mode: 'ram' }).breakdown.codeLinks, 1 + 3);
  // a body starting with `return` is stored without the keyword (JSV_FUNCTION_RETURN): "a+1" = 3 chars
  assert.is(loadCost('function g(a){return a+1}', { mode: 'ram' }).breakdown.codeLinks, 1 + 1);
});

/** Function nodes whose enclosing function runs at load (program, module factories, IIFEs), found apart from load-cost.ts. */
function functionsCreatedAtLoad(code: string): number {
  type N = any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ast = acorn.parse(code, { ecmaVersion: 5 }) as N;
  const kids = (n: N): N[] => {
    const out: N[] = [];
    for (const k of Object.keys(n)) {
      if (k === 'type' || k === 'start' || k === 'end') continue;
      for (const c of Array.isArray(n[k]) ? n[k] : [n[k]]) if (c && typeof c.type === 'string') out.push(c);
    }
    return out;
  };
  // functions whose bodies run at load: called where they stand, or a factory in the module table
  const runs = new Set<N>();
  const all: N[] = [ast];
  for (let i = 0; i < all.length; i++) {
    const n = all[i];
    if (n.type === 'CallExpression') {
      if (n.callee.type === 'FunctionExpression') runs.add(n.callee);
      if (n.callee.type === 'MemberExpression' && n.callee.object.type === 'FunctionExpression') runs.add(n.callee.object);
    }
    if (n.type === 'ObjectExpression' && n.properties.length >= 2 &&
      n.properties.every((p: N) => p.value.type === 'FunctionExpression' && p.value.params.length === 3)) {
      for (const p of n.properties) runs.add(p.value);
    }
    all.push(...kids(n));
  }
  let count = 0;
  const visit = (n: N): void => {
    for (const c of kids(n)) {
      if (c.type === 'FunctionExpression' || c.type === 'FunctionDeclaration') {
        count++; // created: we only get here in code that runs at load
        if (runs.has(c)) visit(c.body);
      } else visit(c);
    }
  };
  visit(ast);
  return count;
}

test('the pico firmware bundle: structure counted as it is built', () => {
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'pico' });
  const r = loadCost(b.code);
  assert.ok(r.blocks > 0);
  let sum = 0;
  for (const k of Object.keys(r.breakdown)) sum += r.breakdown[k];
  assert.is(sum, r.blocks, 'blocks are the sum of the breakdown');
  // counted as the IIFE the named entry function replaces (tools/build/named-entry.ts)
  assert.is(r.functions, functionsCreatedAtLoad(unnameTopLevelIifes(b.code).code));
  // shipped hoisted: no module table; the modules' bodies run in the one IIFE (counted with the functions)
  assert.ok(b.hoisted);
  assert.is(r.modules, 0, 'no module table');
  // every retained function has a function block; params at least one block per parameter
  assert.is(r.breakdown.functions, r.retainedFunctions);
  assert.ok(r.retainedFunctions < r.functions, 'class IIFEs and the bundle IIFE are dropped after their call');
  // code from Storage is one native string per function body; from RAM every body is copied
  assert.ok(loadCost(b.code, { mode: 'ram' }).blocks > r.blocks);
});

test.run();
