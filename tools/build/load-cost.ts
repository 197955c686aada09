// What the firmware's code costs in Espruino's variable pool when it is loaded from Storage and its
// module bodies run at boot: a static count over the bundle's AST.
//
// Code run from Storage keeps function bodies in flash; what RAM holds is structure: function objects,
// their parameter names, the link to their code, the link to their defining scopes, the names of
// variables and properties, and the values built at load. The per-construct costs below are facts read
// from Espruino's source (src/jsparse.c, src/jsvar.c, src/jslex.c, src/jsutils.h); each is cited where it
// is used, and ../../../helper-briefs/s3-loadcost-findings.md has the whole list. Board: 32-bit, 13-byte
// JsVars (Pico, 5,100 variables → 13-bit references).
//
// What runs at load: the bundle's top level, every module factory in the bundle's module table (all
// modules are required at boot by firmware/main's imports), and the bodies of functions invoked right
// where they are defined (`(function(){…})()`, `!function(){…}()`, tsc's class IIFEs), recursively.
// Bodies of other functions run later and are not walked, but every function object created at load is
// counted. Where the code branches at load (if/else, ?:, switch, ||, catch) every branch is counted and
// loops are counted once: an upper bound on what one pass through the load path allocates.
import * as acorn from 'acorn';
import { Node } from './ast';
import { unnameTopLevelIifes } from './named-entry';

/** Chars in the first block of a string, a name's first block, and each extension block (src/jsutils.h). */
const STRING_LEN = 8; // JSVAR_DATA_STRING_LEN = 4 + (13*3 refs bits)>>3
const NAME_LEN = 4; // JSVAR_DATA_STRING_NAME_LEN on 32-bit builds
const EXT_LEN = 9; // JSVAR_DATA_STRING_MAX_LEN = 4 + (13*3 + 4 refcount bits)>>3
const BLOCK_BYTES = 13; // sizeof(JsVar): flat strings store their chars in whole blocks
const FLAT_BREAK_EVEN = STRING_LEN + EXT_LEN; // JSV_FLAT_STRING_BREAK_EVEN
/** A name's integer value is kept in the name itself when it fits a 13-bit reference (jsvSetValueOfName). */
const PACKED_INT_MIN = -4096; // JSVARREF_MIN for 13-bit refs
const PACKED_INT_MAX = 4095; // JSVARREF_MAX

/** Blocks of a name (variable or property key) of `chars` characters (jsvMakeIntoVariableName). */
export function nameBlocks(chars: number): number {
  return chars <= NAME_LEN ? 1 : 1 + Math.ceil((chars - NAME_LEN) / EXT_LEN);
}

/** Blocks of a string value built char by char (jsvNewFromString, jslLexString). */
export function stringBlocks(chars: number): number {
  return chars <= STRING_LEN ? 1 : 1 + Math.ceil((chars - STRING_LEN) / EXT_LEN);
}

/** Blocks of a function body copied into RAM (jslNewStringFromLexer: a flat string past the break-even). */
export function ramCodeBlocks(chars: number): number {
  return chars > FLAT_BREAK_EVEN ? 1 + Math.ceil(chars / BLOCK_BYTES) : stringBlocks(chars);
}

export interface LoadCostOptions {
  /**
   * 'storage' (default): the source is a native string in memory-mapped flash (Storage, .bootcde), so each
   * function's code is a one-block native string pointing into it. 'ram': the source was sent to the REPL,
   * so each function's body is copied into a RAM string.
   */
  mode?: 'storage' | 'ram';
}

export interface LoadCost {
  /** Blocks that stay allocated after load (the sum of `breakdown`). */
  blocks: number;
  /** Function objects created at load, including the transient ones invoked in place. */
  functions: number;
  /** Blocks by kind; sums to `blocks`. */
  breakdown: { [kind: string]: number };
  /** Function objects that stay (functions minus those invoked in place and then dropped). */
  retainedFunctions: number;
  /** Blocks of the function objects invoked in place (freed after their call; not in `blocks`). */
  transientBlocks: number;
  /** Modules found in the bundle's module table. */
  modules: number;
  /** Retained functions with code, by how many scopes they link to (0: top level; each beyond 1 costs a block). */
  functionsByDepth: { [depth: number]: number };
}

/** A value as stored in a name: whether it packs into the name, else the blocks it takes. */
interface Value { blocks: number; smallInt?: boolean; bool?: boolean }
const NONE: Value = { blocks: 0 };

/** One function call's scope while the load runs (jspeFunctionCall's functionRoot). */
interface Frame {
  /** Blocks of the scope object itself: root, parameter names, the return-value name. */
  own: number;
  /** Blocks of the names declared in it (var, function declarations). */
  names: number;
  /** Kept after the call when a function created inside refers to it through its scope link. */
  retained: boolean;
  /** Identifiers declared here → a symbol (for `X.prototype` bookkeeping). */
  symbols: { [name: string]: Sym };
  /** Depth: how many function scopes execInfo.scopesVar holds while this frame runs. */
  depth: number;
}

interface Sym {
  isFunction: boolean;
  hasPrototype: boolean;
  /** The function this name was declared with, when it is one (to recognise the `__extends` helper). */
  fn?: Node;
}

/** An `__extends`-style helper (tools/es5-helpers.js): replaces its first argument's prototype by `Object.create(…)`. */
function isExtendsHelper(src: string, fn: Node): boolean {
  return fn.params.length >= 2 && /\.prototype\s*=\s*Object\.create\(/.test(src.slice(fn.start, fn.end));
}

function isFunctionNode(n: Node): boolean {
  return n && (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration');
}

/** The function a call invokes in place, if any: `(function(){})()`, `(function(){}).call(x)`. */
export function iifeCallee(call: Node): Node | null {
  if (call.type !== 'CallExpression') return null;
  const c = call.callee;
  if (c.type === 'FunctionExpression') return c;
  if (c.type === 'MemberExpression' && !c.computed && c.object.type === 'FunctionExpression' &&
    (c.property.name === 'call' || c.property.name === 'apply')) return c.object;
  return null;
}

/**
 * The bundle's module table (tools/build/bundle.ts `wrap`): an object literal whose values are all
 * functions of three parameters (exports, module, require), at least two of them.
 */
export function isModuleTable(n: Node): boolean {
  if (n.type !== 'ObjectExpression' || n.properties.length < 2) return false;
  for (const p of n.properties) {
    if (p.kind !== 'init' || !p.value || p.value.type !== 'FunctionExpression' || p.value.params.length !== 3) return false;
  }
  return true;
}

function keyText(p: Node): { text: string; isInt: boolean } {
  const k = p.key;
  if (!p.computed && k.type === 'Identifier') return { text: k.name, isInt: false };
  if (k.type === 'Literal') {
    if (typeof k.value === 'number') return { text: String(k.value), isInt: Number.isInteger(k.value) };
    const s = String(k.value);
    return { text: s, isInt: /^(0|[1-9][0-9]*)$/.test(s) }; // jsvAsArrayIndex turns "12" into an int name
  }
  return { text: '?', isInt: false };
}

class Counter {
  readonly breakdown: { [kind: string]: number } = {};
  functions = 0;
  retainedFunctions = 0;
  transientBlocks = 0;
  modules = 0;
  readonly byDepth: { [depth: number]: number } = {};
  private readonly frames: Frame[] = [];
  private readonly globals: { [name: string]: Sym } = {};

  constructor(private readonly src: string, private readonly mode: 'storage' | 'ram') {}

  add(kind: string, blocks: number): void {
    if (blocks <= 0) return;
    this.breakdown[kind] = (this.breakdown[kind] || 0) + blocks;
  }

  private depth(): number {
    return this.frames.length ? this.frames[this.frames.length - 1].depth : 0;
  }

  private lookup(name: string): Sym | null {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const s = this.frames[i].symbols[name];
      if (s) return s;
    }
    return this.globals[name] || null;
  }

  /** Declares `name` in the current base scope (jspeStatementVar, jspeStatementFunctionDecl). */
  private declare(name: string, isFunction: boolean): Sym {
    const top = this.frames[this.frames.length - 1];
    const table = top ? top.symbols : this.globals;
    let s = table[name];
    if (!s) {
      s = { isFunction, hasPrototype: false };
      table[name] = s;
      if (top) top.names += nameBlocks(name.length);
      else this.add('rootNames', nameBlocks(name.length));
    } else if (isFunction) s.isFunction = true;
    return s;
  }

  /** Chars of a function's code as Espruino slices it: after `{` (and a leading `return`), to the last token. */
  private bodyChars(fn: Node): number {
    const body = fn.body;
    const stmts: Node[] = body.body;
    if (!stmts.length) return 0;
    let start = stmts[0].start;
    if (stmts[0].type === 'ReturnStatement') {
      start += 'return'.length; // JSV_FUNCTION_RETURN: the `return` keyword is not stored
      while (start < body.end && /\s/.test(this.src[start])) start++;
    }
    let end = body.end - 1; // the closing brace
    while (end > start && /\s/.test(this.src[end - 1])) end--;
    return Math.max(0, end - start);
  }

  /**
   * A function object created at load (jspeFunctionDefinition / jspeFunctionDefinitionInternal):
   * the function var, one name per parameter ("\xFF" + name), the code and scope links when the body has
   * any code, and "\xFFnam" for a named function expression. `transient`: invoked in place and dropped.
   */
  createFunction(fn: Node, transient: boolean): void {
    this.functions++;
    const parts: Array<[string, number]> = [];
    parts.push(['functions', 1]); // jsvNewWithFlags(JSV_FUNCTION)
    let params = 0;
    for (const p of fn.params) params += nameBlocks(1 + p.name.length); // jspeFunctionArguments: "\xFF"+name, no value
    parts.push(['params', params]);
    const chars = this.bodyChars(fn);
    if (chars > 0) { // code and scope are added only when lastTokenEnd > 0
      // "\xFFcod" (4 chars: one name block) → a native string into flash (jsvNewNativeString), or a RAM copy.
      parts.push(['codeLinks', 1 + (this.mode === 'storage' ? 1 : ramCodeBlocks(chars))]);
      // "\xFFsco" → jspeiGetScopesAsVar: nothing at the top level, the scope itself for one scope, else a
      // copy of the scope array (jsvCopy: the array + one int name per scope, values shared).
      const d = this.depth();
      parts.push(['scopeLinks', d === 0 ? 0 : d === 1 ? 1 : 1 + 1 + d]);
      if (!transient) {
        this.byDepth[d] = (this.byDepth[d] || 0) + 1;
        for (const f of this.frames) f.retained = true;
      }
    }
    if (fn.type === 'FunctionExpression' && fn.id) {
      // "\xFFnam" → the name as a string value (jslGetTokenValueAsVar)
      parts.push(['functionNames', nameBlocks(4) + stringBlocks(fn.id.name.length)]);
    }
    if (transient) {
      for (const [, b] of parts) this.transientBlocks += b;
    } else {
      this.retainedFunctions++;
      for (const [k, b] of parts) this.add(k, b);
    }
  }

  /**
   * Runs `fn`'s body as a call made at load (jspeFunctionCall): a new scope object holding the parameters
   * (names without "\xFF"), "\xFFrtn" unless the body starts with `return`, and the declared names. It
   * stays only if a function created inside links to it.
   */
  runFunction(fn: Node, definedAtDepth: number, args: Node[], beforeBody?: (f: Frame) => void): void {
    let own = 1; // functionRoot = jsvNewWithFlags(JSV_FUNCTION)
    const symbols: { [name: string]: Sym } = {};
    for (const p of fn.params) {
      own += nameBlocks(p.name.length); // jsvNewFromStringVar(param, 1, …) drops the "\xFF"
      symbols[p.name] = { isFunction: false, hasPrototype: false };
    }
    const stmts: Node[] = fn.body.body;
    if (!(stmts.length && stmts[0].type === 'ReturnStatement')) own += nameBlocks(4); // "\xFFrtn"
    const frame: Frame = { own, names: 0, retained: false, symbols, depth: definedAtDepth + 1 };
    for (let i = 0; i < args.length; i++) {
      const v = this.value(args[i]);
      this.storeInStringName('values', v);
    }
    this.frames.push(frame);
    if (beforeBody) beforeBody(frame);
    for (const s of stmts) this.statement(s);
    this.frames.pop();
    if (frame.retained) {
      this.add('scopes', frame.own);
      this.add('scopeNames', frame.names);
      // a retained inner scope keeps its callers' lexical scopes too (they are in its scope array)
      for (const f of this.frames) f.retained = true;
    }
  }

  /** A value stored under a string name: small ints pack into the name (jsvSetValueOfName). */
  storeInStringName(kind: string, v: Value): void {
    if (v.smallInt) return;
    this.add(kind, v.blocks);
  }

  /** A value stored under an int name (array element, numeric key): small ints and booleans pack. */
  storeInIntName(kind: string, v: Value): void {
    if (v.smallInt || v.bool) return;
    this.add(kind, v.blocks);
  }

  statement(s: Node): void {
    switch (s.type) {
      case 'VariableDeclaration':
        for (const d of s.declarations) {
          const isFn = !!d.init && d.init.type === 'FunctionExpression';
          const sym = this.declare(d.id.name, isFn);
          if (isFn) sym.fn = d.init;
          if (d.init) {
            const v = this.value(d.init);
            if (d.init.type === 'CallExpression' && iifeCallee(d.init)) sym.isFunction = true; // class IIFE returns its constructor
            this.storeInStringName('values', v);
          }
        }
        return;
      case 'FunctionDeclaration':
        this.createFunction(s, false);
        this.declare(s.id.name, true).fn = s;
        return;
      case 'ExpressionStatement': this.value(s.expression); return;
      case 'ReturnStatement': if (s.argument) this.value(s.argument); return;
      case 'ThrowStatement': if (s.argument) this.value(s.argument); return;
      case 'BlockStatement': for (const c of s.body) this.statement(c); return;
      case 'IfStatement':
        this.value(s.test);
        this.statement(s.consequent);
        if (s.alternate) this.statement(s.alternate);
        return;
      case 'ForStatement':
        if (s.init) { if (s.init.type === 'VariableDeclaration') this.statement(s.init); else this.value(s.init); }
        if (s.test) this.value(s.test);
        if (s.update) this.value(s.update);
        this.statement(s.body);
        return;
      case 'ForInStatement':
        if (s.left.type === 'VariableDeclaration') this.statement(s.left); else this.value(s.left);
        this.value(s.right);
        this.statement(s.body);
        return;
      case 'WhileStatement': case 'DoWhileStatement':
        this.value(s.test);
        this.statement(s.body);
        return;
      case 'TryStatement':
        this.statement(s.block);
        if (s.handler) this.statement(s.handler.body);
        if (s.finalizer) this.statement(s.finalizer);
        return;
      case 'SwitchStatement':
        this.value(s.discriminant);
        for (const c of s.cases) { if (c.test) this.value(c.test); for (const b of c.consequent) this.statement(b); }
        return;
      case 'LabeledStatement': this.statement(s.body); return;
      default: return; // empty, break, continue, debugger
    }
  }

  /** The `prototype` object of function `sym`, made on first access (jspGetNamedFieldInParents). */
  private touchPrototype(sym: Sym | null): void {
    if (!sym || !sym.isFunction || sym.hasPrototype) return;
    sym.hasPrototype = true;
    // a new object + "constructor" (11 chars) pointing back + the "prototype" (9 chars) name
    this.add('prototypes', 1 + nameBlocks('constructor'.length) + nameBlocks('prototype'.length));
  }

  /** Evaluates `n` as the load runs it; returns what its value takes if stored. */
  value(n: Node): Value {
    switch (n.type) {
      case 'Literal': {
        if (n.regex) return { blocks: 1 + stringBlocks(n.regex.pattern.length) }; // approximate: RegExp object + source
        if (typeof n.value === 'number') {
          const v = n.value;
          const isInt = Number.isInteger(v) && v >= -2147483648 && v <= 2147483647; // jsvNewFromLongInteger
          return { blocks: 1, smallInt: isInt && v >= PACKED_INT_MIN && v <= PACKED_INT_MAX };
        }
        if (typeof n.value === 'string') return { blocks: stringBlocks(n.value.length) }; // jslLexString → tokenValue
        if (typeof n.value === 'boolean') return { blocks: 1, bool: true }; // JSV_BOOLEAN
        if (n.value === null) return { blocks: 1 }; // jsvNewWithFlags(JSV_NULL)
        return NONE;
      }
      case 'Identifier': case 'ThisExpression': return NONE;
      case 'FunctionExpression':
        this.createFunction(n, false);
        return NONE;
      case 'ObjectExpression': {
        if (isModuleTable(n)) return this.moduleTable(n);
        this.add('objects', 1); // jsvNewObject
        for (const p of n.properties) {
          const k = keyText(p);
          this.add('properties', k.isInt ? 1 : nameBlocks(k.text.length));
          if (p.kind !== 'init') { // jsvAddGetterOrSetter: a JSV_GET_SET + a "get"/"set" name for the function
            this.createFunction(p.value, false);
            this.add('objects', 2);
            continue;
          }
          const v = this.value(p.value);
          if (k.isInt) this.storeInIntName('values', v); else this.storeInStringName('values', v);
        }
        return NONE;
      }
      case 'ArrayExpression':
        this.add('arrays', 1); // jsvNewEmptyArray
        for (const e of n.elements) {
          if (!e) continue;
          this.add('arrays', 1); // an int name per element (jspeFactorArray)
          this.storeInIntName('values', this.value(e));
        }
        return NONE;
      case 'UnaryExpression': {
        const v = this.value(n.argument);
        if (n.operator === 'void') return NONE;
        if (n.operator === '!') return { blocks: 1, bool: true };
        if (n.operator === '-' || n.operator === '+' || n.operator === '~') {
          if (n.argument.type === 'Literal' && typeof n.argument.value === 'number') {
            const x = n.operator === '-' ? -n.argument.value : n.operator === '~' ? ~n.argument.value : n.argument.value;
            return { blocks: 1, smallInt: Number.isInteger(x) && x >= PACKED_INT_MIN && x <= PACKED_INT_MAX };
          }
          return { blocks: 1 };
        }
        return v.blocks ? { blocks: 1 } : NONE; // typeof: a transient string
      }
      case 'BinaryExpression': {
        const a = this.value(n.left);
        const b = this.value(n.right);
        const l = this.literalString(n);
        if (l !== null) return { blocks: stringBlocks(l.length) };
        if (n.operator === '+' && (a.blocks || b.blocks)) return { blocks: 1 };
        if (/^(==|!=|===|!==|<|>|<=|>=|in|instanceof)$/.test(n.operator)) return { blocks: 1, bool: true };
        return { blocks: 1, smallInt: true }; // arithmetic on small values: assume it packs
      }
      case 'LogicalExpression': {
        const a = this.value(n.left);
        const b = this.value(n.right);
        return a.blocks >= b.blocks ? a : b;
      }
      case 'ConditionalExpression': {
        this.value(n.test);
        const a = this.value(n.consequent);
        const b = this.value(n.alternate);
        return a.blocks >= b.blocks ? a : b;
      }
      case 'SequenceExpression': {
        let last: Value = NONE;
        for (const e of n.expressions) last = this.value(e);
        return last;
      }
      case 'UpdateExpression': this.value(n.argument); return NONE;
      case 'AssignmentExpression': return this.assignment(n);
      case 'MemberExpression': {
        this.value(n.object);
        if (n.computed) this.value(n.property);
        else if (n.property.name === 'prototype' && n.object.type === 'Identifier') this.touchPrototype(this.lookup(n.object.name));
        return NONE;
      }
      case 'CallExpression': return this.call(n);
      case 'NewExpression': {
        for (const a of n.arguments) this.value(a);
        const typed = n.callee.type === 'Identifier' && /^(Uint8|Int8|Uint16|Int16|Uint32|Int32|Float32|Float64|Uint8Clamped)Array$/.test(n.callee.name);
        if (typed && n.arguments.length === 1 && n.arguments[0].type === 'Literal' && typeof n.arguments[0].value === 'number') {
          const bytes = n.arguments[0].value * Number(/(\d+)/.exec(n.callee.name)![1]) / 8;
          // the view + the ArrayBuffer + its data as a string (flat past the break-even)
          this.add('typedArrays', 2 + ramCodeBlocks(bytes));
          return NONE;
        }
        if (n.callee.type === 'Identifier') this.touchPrototype(this.lookup(n.callee.name));
        // jspeConstruct: a new object + "__proto__" (9 chars); the constructor body is not walked
        this.add('objects', 1 + nameBlocks('__proto__'.length));
        return NONE;
      }
      default: return NONE;
    }
  }

  /** The concatenation of string literals `n` stands for, or null. */
  private literalString(n: Node): string | null {
    if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
    if (n.type === 'BinaryExpression' && n.operator === '+') {
      const a = this.literalString(n.left);
      const b = a === null ? null : this.literalString(n.right);
      return a !== null && b !== null ? a + b : null;
    }
    return null;
  }

  private assignment(n: Node): Value {
    const v = this.value(n.right);
    const left = n.left;
    if (left.type === 'Identifier') {
      if (!this.lookup(left.name)) this.declare(left.name, false); // an undeclared name lands in root
      const sym = this.lookup(left.name)!;
      if (n.right.type === 'FunctionExpression' || (n.right.type === 'CallExpression' && iifeCallee(n.right))) sym.isFunction = true;
      if (n.operator === '=') this.storeInStringName('values', v);
      return v;
    }
    if (left.type === 'MemberExpression') {
      this.value(left.object);
      let keyChars = 1;
      let isInt = false;
      if (!left.computed) keyChars = left.property.name.length;
      else if (left.property.type === 'Literal') {
        const s = String(left.property.value);
        keyChars = s.length;
        isInt = /^(0|[1-9][0-9]*)$/.test(s);
      } else this.value(left.property);
      if (!left.computed && left.property.name === 'prototype' && left.object.type === 'Identifier') {
        // `X.prototype = …`: the name holds the new value; a prototype made by an earlier read is replaced
        const sym = this.lookup(left.object.name);
        if (sym) sym.hasPrototype = true;
      }
      if (n.operator === '=') {
        this.add('properties', isInt ? 1 : nameBlocks(keyChars)); // a new child (jsvCreateNewChild → jsvAddName)
        if (isInt) this.storeInIntName('values', v); else this.storeInStringName('values', v);
      }
      return v;
    }
    return v;
  }

  private call(n: Node): Value {
    const callee = iifeCallee(n);
    if (callee) {
      this.createFunction(callee, true);
      const args: Node[] = n.callee.type === 'MemberExpression' ? n.arguments.slice(1) : n.arguments;
      if (n.callee.type === 'MemberExpression' && n.arguments.length) this.value(n.arguments[0]);
      this.runFunction(callee, this.depth(), args);
      return NONE;
    }
    // Object.defineProperty(o, "name", { get: function … }): a getter/setter pair under a new name;
    // the descriptor object itself is dropped after the call.
    if (n.callee.type === 'MemberExpression' && !n.callee.computed && n.callee.object.type === 'Identifier' &&
      n.callee.object.name === 'Object' && n.callee.property.name === 'defineProperty' && n.arguments.length === 3 &&
      n.arguments[2].type === 'ObjectExpression') {
      this.value(n.arguments[0]);
      const key = n.arguments[1];
      this.add('properties', key.type === 'Literal' ? nameBlocks(String(key.value).length) : 1);
      this.add('objects', 1); // JSV_GET_SET (jsvAddGetterOrSetter)
      for (const p of n.arguments[2].properties) {
        this.value(p.value);
        const k = keyText(p).text;
        if ((k === 'get' || k === 'set') && p.value.type === 'FunctionExpression') this.add('objects', 1); // its "get"/"set" name
      }
      return NONE;
    }
    // `__extends(D, B)` at load (tools/es5-helpers.js): D.prototype = Object.create(B.prototype) — a new
    // object with "__proto__" (jswrap_object_create), the "prototype" name on D, and "constructor" on it.
    if (n.callee.type === 'Identifier' && n.arguments.length >= 2 && n.arguments[0].type === 'Identifier') {
      const helper = this.lookup(n.callee.name);
      if (helper && helper.fn && isExtendsHelper(this.src, helper.fn)) {
        for (const a of n.arguments) this.value(a);
        this.add('prototypes', 1 + nameBlocks('__proto__'.length) + nameBlocks('prototype'.length) + nameBlocks('constructor'.length));
        const d = this.lookup(n.arguments[0].name);
        if (d) d.hasPrototype = true;
        return NONE;
      }
    }
    // Any other call: its body is not walked (it runs whenever); what its arguments create is counted.
    this.value(n.callee);
    for (const a of n.arguments) this.value(a);
    return NONE;
  }

  /** The bundle's module table: each factory is created, then run (every module is required at boot). */
  private moduleTable(n: Node): Value {
    this.add('objects', 1);
    const depth = this.depth();
    for (const p of n.properties) {
      const k = keyText(p);
      this.add('properties', k.isInt ? 1 : nameBlocks(k.text.length));
      this.createFunction(p.value, false);
    }
    for (const p of n.properties) {
      const k = keyText(p);
      this.modules++;
      // the runtime's cache entry: `__c[id] = { exports: {} }` — key, object, "exports" name, exports object
      this.add('moduleCache', (k.isInt ? 1 : nameBlocks(k.text.length)) + 1 + nameBlocks('exports'.length) + 1);
      this.runFunction(p.value, depth, [], (f) => {
        // the factory's parameters are bound to the exports object, the module record and require
        f.symbols[p.value.params[0].name] = { isFunction: false, hasPrototype: false };
      });
    }
    return NONE;
  }
}

/** What Espruino allocates when `bundleSource` is loaded (from Storage by default) and its modules run. */
export function loadCost(bundleSource: string, options: LoadCostOptions = {}): LoadCost {
  // The bundle's entry is a named function declared and then called (tools/build/named-entry.ts): counted
  // as the IIFE it replaces, plus the name and the function object the declaration keeps in the root.
  const unnamed = unnameTopLevelIifes(bundleSource);
  const source = unnamed.code;
  const ast = acorn.parse(source, { ecmaVersion: 5, allowReturnOutsideFunction: false }) as Node;
  const c = new Counter(source, options.mode || 'storage');
  for (const s of ast.body) c.statement(s);
  for (const name of unnamed.names) c.add('names', nameBlocks(name.length) + 1);
  let blocks = 0;
  for (const k of Object.keys(c.breakdown)) blocks += c.breakdown[k];
  return {
    blocks,
    functions: c.functions,
    breakdown: c.breakdown,
    retainedFunctions: c.retainedFunctions,
    transientBlocks: c.transientBlocks,
    modules: c.modules,
    functionsByDepth: c.byDepth,
  };
}
