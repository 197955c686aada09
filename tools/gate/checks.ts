// The static half of the Espruino compatibility gate: checks on the FINAL bundle text, whatever the
// source looked like. Every rule comes from docs/espruino.md §3 (what breaks on Espruino).
import * as fs from 'fs';
import * as path from 'path';
import * as acorn from 'acorn';
import { isFunction } from '../build/ast';
import { Node, analyse, checkDeclarationOrder, childNodes, propName } from '../build/declaration-order';

export type GateRule =
  | 'es5-syntax' // does not parse as ECMAScript 5 (arrows, let/const, classes, templates, ...)
  | 'label' // labelled statements
  | 'espruino-syntax' // valid ES5 that Espruino's parser rejects: `for (function(){}() ...)`
  | 'forbidden-global' // Map, Set, WeakMap, Symbol, ...
  | 'forbidden-api' // Array.from, Math.imul, copyWithin, .buffer.slice, ...
  | 'extends-error' // class X extends Error (lowered: __extends(X, Error), Error.call(this, ...))
  | 'ts-helper' // TypeScript's own helpers (they assume hoisting and Array.prototype.slice)
  | 'unknown-global' // a global outside tools/espruino-globals.json
  | 'regex' // a regular expression Espruino's small engine runs differently ({m,n}, ?, group repetition, …)
  | 'length-assignment' // x.length = …: Espruino throws on an array's or typed array's length
  | 'espruino-semantics' // valid ES5 that Espruino 2v29 runs differently (measured: CODING.md)
  | 'use-before-declaration'; // Espruino hoists neither functions nor var

export interface GateFailure {
  rule: GateRule;
  message: string;
  line: number;
  column: number;
}

const ROOT = path.resolve(__dirname, '..', '..');

export interface Allowlist {
  names: Record<string, boolean>;
  patterns: RegExp[];
}

export function loadAllowlist(file = path.join(ROOT, 'tools', 'espruino-globals.json')): Allowlist {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const names: Record<string, boolean> = {};
  for (const k of Object.keys(j.globals)) names[k] = true;
  return { names, patterns: Object.keys(j.patterns || {}).map((p) => new RegExp(p)) };
}

function allowed(a: Allowlist, name: string): boolean {
  return own(a.names, name) === true || a.patterns.some((p) => p.test(name));
}

const FORBIDDEN_GLOBALS: Record<string, string> = {
  Map: 'Map does not exist on Espruino',
  Set: 'Set does not exist on Espruino',
  WeakMap: 'WeakMap does not exist on Espruino',
  WeakSet: 'WeakSet does not exist on Espruino',
  Symbol: 'Symbol does not exist on Espruino',
  Proxy: 'Proxy does not exist on Espruino',
  Reflect: 'Reflect does not exist on Espruino',
  RangeError: 'there is no RangeError on Espruino',
};

/** Static members that break there: object name → member names. */
const FORBIDDEN_STATICS: Record<string, string[]> = {
  Array: ['from', 'of'],
  // pow: inexact on Espruino (Math.pow(2,16) !== 65536, measured in espruino-linux 2v29): shift or multiply
  Math: ['pow', 'imul', 'trunc', 'log2', 'log10', 'log1p', 'expm1', 'sinh', 'cosh', 'tanh', 'asinh', 'fround', 'clz32', 'hypot', 'cbrt'],
  Number: ['isInteger', 'isNaN', 'isFinite', 'parseInt', 'parseFloat', 'MAX_SAFE_INTEGER', 'MIN_SAFE_INTEGER', 'EPSILON'],
  Object: ['freeze', 'is', 'seal', 'isFrozen', 'preventExtensions'],
  Promise: ['race', 'allSettled', 'any'],
  Date: ['UTC'],
};

/**
 * Built-ins whose prototype object has no readable methods on Espruino (`typeof Function.prototype.call`,
 * `String.prototype.slice`, `Uint8Array.prototype.set`, … are "undefined" there: the methods are found
 * natively on instances only). `Object.prototype.hasOwnProperty` exists; `Object.prototype.toString.call([])`
 * returns "".
 */
const EMPTY_PROTOTYPES = /^(Array|Function|String|Number|RegExp|Date|Promise|ArrayBuffer|DataView|(Ui|I)nt(8|16|32)Array|Uint8ClampedArray|Float(32|64)Array)$/;


/** Methods that break on any receiver. */
const FORBIDDEN_METHODS: Record<string, string> = {
  copyWithin: 'copyWithin is missing on Espruino',
  lastIndexOf: 'lastIndexOf is missing on Espruino',
  flat: 'flat is missing on Espruino',
  flatMap: 'flatMap is missing on Espruino',
  finally: 'Promise#finally is missing on Espruino',
};

/** Methods missing on Espruino 2v29 (measured), rejected where they are called on any receiver. */
const MISSING_METHODS: Record<string, string> = {
  reduceRight: 'Array#reduceRight',
  findLast: 'Array#findLast',
  findLastIndex: 'Array#findLastIndex',
  toPrecision: 'Number#toPrecision',
  toExponential: 'Number#toExponential',
  toLocaleString: 'toLocaleString',
  localeCompare: 'String#localeCompare',
  codePointAt: 'String#codePointAt',
  normalize: 'String#normalize',
  search: 'String#search',
  matchAll: 'String#matchAll',
  trimStart: 'String#trimStart',
  trimEnd: 'String#trimEnd',
  trimLeft: 'String#trimLeft',
  trimRight: 'String#trimRight',
  getUTCFullYear: 'Date#getUTCFullYear',
  getUTCMonth: 'Date#getUTCMonth',
  getUTCDate: 'Date#getUTCDate',
  getUTCDay: 'Date#getUTCDay',
  getUTCHours: 'Date#getUTCHours',
  getUTCMinutes: 'Date#getUTCMinutes',
  getUTCSeconds: 'Date#getUTCSeconds',
  getUTCMilliseconds: 'Date#getUTCMilliseconds',
  setUTCHours: 'Date#setUTCHours',
};

const LENGTH_MESSAGE = 'assignment to .length: Espruino throws "Assignment to a constant" on an array\'s length (the array ' +
  'keeps its items) and on a Uint8Array\'s; empty an array with arr.splice(0, arr.length) (emptyArray in tcp/wire/bytes.ts)';

/** `x.length` / `x["length"]` on anything but `this` (our classes keep a plain length field). */
function isLengthTarget(n: Node): boolean {
  return !!n && n.type === 'MemberExpression' && propName(n) === 'length' && n.object.type !== 'ThisExpression';
}

function isNegativeNumber(n: Node): boolean {
  return (n.type === 'UnaryExpression' && n.operator === '-' && n.argument.type === 'Literal' && typeof n.argument.value === 'number' && n.argument.value > 0) ||
    (n.type === 'Literal' && typeof n.value === 'number' && n.value < 0);
}

function own<T>(o: Record<string, T>, k: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function isIdent(n: Node, name?: string): boolean {
  return !!n && n.type === 'Identifier' && (name === undefined || n.name === name);
}

// ---------------------------------------------------------------------------------------------
// Scopes (ES5: function scopes, plus catch parameters and named function expressions).

function fail(out: GateFailure[], rule: GateRule, message: string, node: Node): void {
  const loc = node && node.loc ? node.loc.start : { line: 0, column: 0 };
  out.push({ rule, message, line: loc.line, column: loc.column });
}

/** Runs every static check on a bundle's text. An empty array means it passes. */
export function checkBundle(code: string, allow: Allowlist = loadAllowlist()): GateFailure[] {
  const out: GateFailure[] = [];
  let ast: Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 5, locations: true, sourceType: 'script' });
  } catch (e) {
    const err = e as any;
    const loc = err.loc || { line: 0, column: 0 };
    out.push({ rule: 'es5-syntax', message: 'not ECMAScript 5: ' + err.message, line: loc.line, column: loc.column });
    return out;
  }
  const { refs, labels } = analyse(ast);

  for (const l of labels) fail(out, 'label', 'labelled statement "' + l.label.name + ':"', l);

  // Globals: forbidden ones first, then anything outside the allowlist.
  for (const r of refs) {
    if (r.target) continue;
    const why = own(FORBIDDEN_GLOBALS, r.name);
    if (why) fail(out, 'forbidden-global', why, r.node);
    else if (!allowed(allow, r.name)) fail(out, 'unknown-global', 'global "' + r.name + '" is not in tools/espruino-globals.json', r.node);
  }

  // Member-level rules (walk everything once). Assignment targets first: `X.prototype.y = …` defines.
  const assigned = new Set<Node>();
  const stack: Node[] = [ast];
  while (stack.length) {
    const n = stack.pop();
    if (n.type === 'AssignmentExpression') {
      assigned.add(n.left);
      if (isLengthTarget(n.left)) fail(out, 'length-assignment', LENGTH_MESSAGE, n);
    } else if (n.type === 'UpdateExpression' && isLengthTarget(n.argument)) {
      fail(out, 'length-assignment', LENGTH_MESSAGE, n);
    } else if (n.type === 'BinaryExpression' && n.operator === 'instanceof' && isIdent(n.right) && /^(TypeError|ReferenceError|SyntaxError|EvalError|URIError|RangeError)$/.test(n.right.name)) {
      fail(out, 'espruino-semantics', 'instanceof ' + n.right.name + ': errors the interpreter throws are not instances of it on Espruino (and a new ' + n.right.name + '() is no instanceof Error); test e.message', n);
    }
    if (n.type === 'MemberExpression') {
      const p = propName(n);
      const obj = n.object;
      if (p !== null) {
        const statics = isIdent(obj) ? own(FORBIDDEN_STATICS, obj.name) : undefined;
        if (statics && statics.indexOf(p) >= 0) {
          fail(out, 'forbidden-api', obj.name + '.' + p + (obj.name === 'Math' && p === 'pow'
            ? ' is inexact on Espruino (Math.pow(2,16) !== 65536): multiply or shift' : ' is missing on Espruino'), n);
        }
        const method = own(FORBIDDEN_METHODS, p);
        if (method) fail(out, 'forbidden-api', method, n);
        if (p === 'slice' && propName(obj) === 'buffer') fail(out, 'forbidden-api', 'ArrayBuffer#slice (.buffer.slice) is missing on Espruino', n);
        if (obj.type === 'MemberExpression' && propName(obj) === 'prototype' && isIdent(obj.object) && !assigned.has(n)) {
          const b = obj.object.name;
          if (EMPTY_PROTOTYPES.test(b) || (b === 'Object' && p !== 'hasOwnProperty')) {
            fail(out, 'forbidden-api', b + '.prototype.' + p + ' is undefined on Espruino', n);
          }
        }
        if ((p === 'call' || p === 'apply') && isIdent(obj, 'Error')) {
          fail(out, 'extends-error', 'Error.' + p + '(this, ...): a class extending Error throws on Espruino', n);
        }
        if (obj.type === 'ThisExpression' && /^__(extends|assign|spreadArray|spread|read|values|rest|awaiter|generator|makeTemplateObject|createBinding|exportStar|importStar|importDefault|setModuleDefault)$/.test(p)) {
          fail(out, 'ts-helper', "TypeScript's own helper (this." + p + '): it breaks on Espruino, use tools/es5-helpers.js', n);
        }
      }
    }
    if (n.type === 'CallExpression' || n.type === 'NewExpression') {
      const a = n.arguments;
      const m = n.type === 'CallExpression' ? propName(n.callee) : null;
      if (m !== null) {
        const missing = own(MISSING_METHODS, m);
        if (missing) fail(out, 'forbidden-api', missing + ' is missing on Espruino', n);
        if (m === 'split' && a.length >= 2) fail(out, 'espruino-semantics', 'split(separator, limit): Espruino ignores the limit', n);
        if (m === 'indexOf' && a.length >= 2 && isNegativeNumber(a[1])) fail(out, 'espruino-semantics', 'indexOf(x, negative): Espruino searches from 0, not from the end', n);
        if (m === 'toFixed') fail(out, 'espruino-semantics', 'toFixed rounds wrongly on Espruino ((0.6).toFixed(0) is "0", (99.99).toFixed(1) is "99.9"): format integers', n);
        if (m === 'create' && isIdent(n.callee.object, 'Object') && a.length >= 2) fail(out, 'forbidden-api', 'Object.create(proto, properties) throws on Espruino ("propertiesObject is not supported yet")', n);
        if (m === 'replace' && a.length === 2 && a[0].type === 'Literal' && typeof a[0].value === 'string' && a[1].type === 'FunctionExpression') {
          fail(out, 'espruino-semantics', 'replace("text", function): Espruino inserts the function\'s source; use a RegExp pattern', n);
        }
        if (m === 'replace' && a.length === 2 && a[1].type === 'Literal' && typeof a[1].value === 'string' && /\$[&$`']/.test(a[1].value)) {
          fail(out, 'espruino-semantics', 'replace(x, "' + a[1].value + '"): Espruino does not expand $&, $$, $` or $\' (only $1…$9)', n);
        }
      }
      if (isIdent(n.callee, 'RegExp') && a.length > 0 && a[0].type === 'Literal' && typeof a[0].value === 'string' && espruinoRegexProblem(a[0].value)) {
        fail(out, 'regex', 'RegExp("' + a[0].value + '"): ' + espruinoRegexProblem(a[0].value) + ' in Espruino\'s RegExp', n);
      }
      if (n.type === 'CallExpression' && a.length === 2 && isIdent(a[1]) && /^(Error|TypeError|RangeError)$/.test(a[1].name) && isIdent(n.callee)) {
        fail(out, 'extends-error', 'extends ' + a[1].name + ' (' + n.callee.name + '(X, ' + a[1].name + ')): throws on Espruino', n);
      }
      // TypeScript lowers `class X extends Error` to `(function (_super) { ... })(Error)`.
      if (n.type === 'CallExpression' && n.callee.type === 'FunctionExpression' && a.some((x: Node) => isIdent(x) && /^(Error|TypeError|RangeError)$/.test(x.name))) {
        fail(out, 'extends-error', 'a class extending Error ((function (_super) {...})(Error)): throws on Espruino', n);
      }
    } else if (n.type === 'ForStatement' && n.init) {
      // terser's hoist_vars emits `for(function(){}();...)`, which Espruino cannot parse.
      let first = n.init;
      while (first.type === 'SequenceExpression') first = first.expressions[0];
      while (first.type === 'UnaryExpression') first = first.argument;
      if (first.type === 'CallExpression' && first.callee.type === 'FunctionExpression') {
        fail(out, 'espruino-syntax', 'for (function(){}()...): Espruino cannot parse a function expression in a for initialiser', n);
      }
    } else if (n.type === 'Literal' && n.regex && espruinoRegexProblem(n.regex.pattern)) {
      fail(out, 'regex', '/' + n.regex.pattern + '/: ' + espruinoRegexProblem(n.regex.pattern) + ' in Espruino\'s RegExp', n);
    } else if (n.type === 'Literal' && typeof n.value === 'string' && /^Class extends value /.test(n.value)) {
      fail(out, 'ts-helper', "TypeScript's __extends (it needs hoisting and throws at load on Espruino)", n);
    }
    for (const c of childNodes(n)) stack.push(c);
  }

  checkDeclarationOrder(refs, (_s, _name, node, message) => fail(out, 'use-before-declaration', message, node));
  out.sort((x, y) => x.line - y.line || x.column - y.column);
  return out;
}

/**
 * What Espruino's small RegExp engine (src/jswrap_regexp.c: single characters, classes, `^`, `$`, groups,
 * `|` at the top level, and `*`/`+` after a single character or class) would get wrong in `pattern`,
 * or null. It reads `?` and `{` as literal characters, cannot repeat a group, treats `.` inside a class
 * as any character, does not know `\b`/`\B`, and does not handle `|` inside a group.
 */
export function espruinoRegexProblem(pattern: string): string | null {
  let inClass = false;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const e = pattern.charAt(i + 1);
      if (!inClass && (e === 'b' || e === 'B')) return '\\' + e + ' (word boundary) is a literal letter there';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '.') return '"." inside [...] matches any character there (write \\.)';
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      const n = pattern.charAt(i + 1);
      if (n === '*' || n === '+' || n === '?' || n === '{') return 'a repeated group ")' + n + '" is not supported';
    } else if (c === '|' && depth > 0) return '"|" inside a group is not supported';
    else if (c === '?') return '"?" (optional, lazy or (?...)) is a literal character there';
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.substring(i))) return '{m,n} repetition is not supported';
  }
  return null;
}

/** Does a regular-expression source use {m}, {m,} or {m,n} repetition (outside a character class)? */
export function braceQuantifier(pattern: string): boolean {
  const p = espruinoRegexProblem(pattern);
  return p !== null && p.indexOf('{m,n}') >= 0;
}

