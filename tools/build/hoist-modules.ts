// The device bundle's modules in one scope (issue 8, "Memory": what loading costs is RAM).
//
// The registry shape (tools/build/bundle.ts wrap) gives every module a factory function, an exports
// object with one property per export, a cache entry, and its own scope that every function defined in
// it keeps alive; each cross-module use is a property read `m_1.X`. This pass puts the module bodies
// one after the other into ONE function scope (an IIFE, so their names stay local and the minifier
// shortens them), in exactly the order `__r` would run them, and:
//  - renames every module-level name to one unique in the whole bundle (name$k, k = the module's index),
//    by a scope walk that respects shadowing (nested functions' parameters, vars, function declarations,
//    function-expression names, catch parameters);
//  - turns `exports.X = e;` into `var X$k = e;` (or, for `exports.X = f;` of a module-level function or
//    a var declared once before and never written again, just uses f), and `var v = exports.X = e;`
//    into `var v$k = e;`;
//  - points `m_1.X` straight at the exporting module's variable, where `m_1` is the importer's
//    module-level `var m_1 = require("id")` (found by the same scope walk, not by name) and drops the
//    require. Built-in requires (`require("Storage")`) stay calls of Espruino's own `require`.
// A module whose exports object is needed as an object — an export written more than once or inside a
// function (tsc's `export let`), `exports` used other than as `exports.X`, an import used other than
// as `alias.X` reads of names it exports — keeps one: `var exports$k = {};`, and importers read it.
//
// Order (Espruino hoists neither functions nor `var`: everything must be declared before it runs):
// `__r` runs a module's statements in order and, at a require of a module not yet run, that module's
// whole body first. The emission does the same: module A's statements, with B's body placed right
// before the statement of A that first requires B. An import cycle (which `__r` would run with a
// half-filled exports object) fails the build, naming the cycle; so does any shape this pass cannot
// order exactly (a bundled require inside a function, `module`, `arguments` at module level).
import * as acorn from 'acorn';
import { applyEdits, children, Edit, Node, isFunction, isVariable, ownDeclarations } from './ast';
import { registryModules } from './inline-constants';

export class HoistError extends Error {}

export interface HoistResult {
  code: string;
  /** Module ids in the order their bodies run (= `__r`'s instantiation order). */
  order: string[];
  /** Modules that kept an exports object (see the top of this file), with why. */
  kept: string[];
}

type Names = { [name: string]: true };




export interface Ref {
  node: Node;
  parent: Node;
  name: string;
  /** Inside a function nested in the module function (runs later), not at the module's own level. */
  nested: boolean;
}

/**
 * Identifiers in `fn`'s body (and declaration ids) that refer to the bindings `names` of fn's own scope:
 * a nested function that declares the name (parameter, var, function declaration, its own expression
 * name) hides it, and so does a catch parameter inside its clause.
 */
export function scopeRefs(fn: Node, names: Names): Ref[] {
  const out: Ref[] = [];
  const visit = (n: Node, parent: Node, hidden: Names, nested: boolean): void => {
    if (isFunction(n)) {
      if (n.type === 'FunctionDeclaration' && names[n.id.name] && !hidden[n.id.name]) out.push({ node: n.id, parent: n, name: n.id.name, nested });
      const h: Names = Object.assign({}, hidden);
      for (const x of ownDeclarations(n)) h[x] = true;
      if (n.type === 'FunctionExpression' && n.id) h[n.id.name] = true;
      for (const p of n.params) visit(p, n, h, true);
      visit(n.body, n, h, true);
      return;
    }
    if (n.type === 'CatchClause') {
      const h: Names = Object.assign({}, hidden);
      h[n.param.name] = true;
      visit(n.body, n, h, nested);
      return;
    }
    if (n.type === 'Identifier' && isVariable(n, parent) && names[n.name] && !hidden[n.name]) out.push({ node: n, parent, name: n.name, nested });
    for (const c of children(n)) visit(c, n, hidden, nested);
  };
  visit(fn.body, fn, {}, false);
  return out;
}

function isWriteTarget(n: Node, parent: Node): boolean {
  return (parent.type === 'AssignmentExpression' && parent.left === n) || parent.type === 'UpdateExpression' ||
    (parent.type === 'UnaryExpression' && parent.operator === 'delete');
}

/** `require("lit")` with one string literal argument: the literal, else null. */
function requiredId(call: Node): string | null {
  if (call.type !== 'CallExpression' || call.arguments.length !== 1) return null;
  const a = call.arguments[0];
  return a.type === 'Literal' && typeof a.value === 'string' ? a.value : null;
}

interface Mod {
  id: string;
  k: number;
  fn: Node;
  stmts: Node[];
  pExports: string;
  pModule: string;
  pRequire: string;
  top: Names;
  refs: Ref[];
  /** Bundled requires: the call node, the required module's index, and the top-level statement holding it. */
  requires: Array<{ call: Node; j: number; stmt: Node; alias: string | null }>;
  /** Export name → the defining top-level statement and its form. */
  defs: { [name: string]: { stmt: Node; form: 'ident' | 'expr' | 'var' } };
  keptWhy: string | null;
  exportsName: string;
  /** Export name → the variable holding it (plain modules). */
  exportVar: { [name: string]: string };
  rename: { [name: string]: string };
}

/**
 * Hoists the modules of a wrapped bundle (the registry `var __m = {…}` and runtime `__c`, `__g`, `__r`,
 * followed by `__r(entry);`) into one IIFE that replaces the registry and runtime. Throws HoistError
 * for an import cycle or a shape it cannot order exactly (see the top of this file).
 */
export function hoistModules(code: string, opts: { topLevel?: boolean } = {}): HoistResult {
  // topLevel (measured, not shipped; see tools/build/bundle.ts): the bodies at the file's top level,
  // every name `__`-prefixed (they would be the board's globals, and the minifier keeps them whole).
  const pre = opts.topLevel ? '__' : '';
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const fns = registryModules(ast);
  if (!fns.length) throw new HoistError('no module registry (var __m = {…}) in the bundle');
  // The statement list holding the registry and runtime, and the entry call `__r("id");`.
  let list: Node[] | null = null;
  const findList = (n: Node): void => {
    if (list) return;
    const body = n.type === 'Program' ? n.body : n.type === 'BlockStatement' ? n.body : null;
    if (body && body.some((s: Node) => s.type === 'VariableDeclaration' && s.declarations.some((d: Node) => d.id.name === '__m'))) { list = body; return; }
    for (const c of children(n)) findList(c);
  };
  findList(ast);
  const stmts: Node[] = list!;
  const runtime: Node[] = [];
  let entryStmt: Node | null = null;
  let entryId: string | null = null;
  for (const s of stmts) {
    if (s.type === 'VariableDeclaration' && s.declarations.length === 1 && ['__c', '__m', '__g', '__r'].indexOf(s.declarations[0].id.name) >= 0) runtime.push(s);
    if (s.type === 'ExpressionStatement' && s.expression.type === 'CallExpression' && s.expression.callee.type === 'Identifier' &&
      s.expression.callee.name === '__r') {
      if (entryStmt) throw new HoistError('more than one __r(entry) call');
      entryStmt = s;
      entryId = requiredId(s.expression);
    }
  }
  if (!entryStmt || entryId === null) throw new HoistError('no __r("entry") call next to the registry');
  const index: { [id: string]: number } = Object.create(null);
  fns.forEach((m, k) => { index[m.id] = k; });
  if (index[entryId] === undefined) throw new HoistError('entry ' + entryId + ' is not in the registry');

  // Every name written anywhere: new names must be none of them (so nothing is captured or shadowed).
  const used: Names = Object.create(null);
  const all: Node[] = [ast];
  while (all.length) {
    const n = all.pop();
    if (n.type === 'Identifier') used[n.name] = true;
    for (const c of children(n)) all.push(c);
  }
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 2; used[name]; i++) name = base + '_' + i;
    used[name] = true;
    return name;
  };

  // Pass 1: each module's module-level names, their references, its requires and export definitions.
  const mods: Mod[] = fns.map((m, k) => {
    const fn = m.fn;
    const p = (i: number, d: string): string => (fn.params[i] ? fn.params[i].name : d);
    const mod: Mod = {
      id: m.id, k, fn, stmts: fn.body.body, pExports: p(0, 'exports'), pModule: p(1, 'module'), pRequire: p(2, 'require'),
      top: Object.create(null), refs: [], requires: [], defs: Object.create(null), keptWhy: null, exportsName: '', exportVar: Object.create(null),
      rename: Object.create(null),
    };
    for (const x of ownDeclarations(fn)) mod.top[x] = true;
    mod.refs = scopeRefs(fn, mod.top);
    const at = (msg: string, n: Node): HoistError => new HoistError(m.id + ': ' + msg + ' (at ' + code.slice(n.start, Math.min(n.end, n.start + 60)) + ')');
    // `arguments` at the module's own level would be the factory's arguments.
    const st: Node[] = [fn.body];
    while (st.length) {
      const n = st.pop();
      if (isFunction(n)) continue;
      if (n.type === 'Identifier' && n.name === 'arguments') throw at('uses `arguments` at module level', n);
      for (const c of children(n)) st.push(c);
    }
    const topStmtOf = (n: Node): Node => {
      for (const s of mod.stmts) if (s.start <= n.start && n.end <= s.end) return s;
      throw at('not inside a top-level statement', n);
    };
    for (const r of mod.refs) {
      if (r.name === mod.pModule && r.node !== fn.params[1]) throw at('uses `' + r.name + '` (the module object)', r.node);
      if (r.name !== mod.pRequire) continue;
      const call = r.parent;
      if (call.type !== 'CallExpression' || call.callee !== r.node) throw at('uses `require` other than as a call', r.node);
      const id = requiredId(call);
      if (id === null) throw at('require of something other than a string literal', call);
      if (index[id] === undefined) continue; // built into Espruino: its own require, unchanged
      if (r.nested) throw at('requires ' + id + ' inside a function (its order would change)', call);
      const stmt = topStmtOf(call);
      let alias: string | null = null;
      const fine = (stmt.type === 'ExpressionStatement' && (stmt.expression === call ||
          (stmt.expression.type === 'CallExpression' && stmt.expression.callee.type === 'Identifier' && stmt.expression.arguments[0] === call))) ||
        (stmt.type === 'VariableDeclaration' && stmt.declarations[0].init === call);
      if (!fine) throw at('requires ' + id + ' where the order of evaluation around it would change', call);
      if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1) alias = stmt.declarations[0].id.name;
      mod.requires.push({ call, j: index[id], stmt, alias });
    }
    // Export definitions at the module's top level.
    for (const s of mod.stmts) {
      let asg: Node | null = null;
      let form: 'ident' | 'expr' | 'var' = 'expr';
      if (s.type === 'ExpressionStatement' && s.expression.type === 'AssignmentExpression') asg = s.expression;
      if (s.type === 'VariableDeclaration' && s.declarations.length === 1 && s.declarations[0].init &&
        s.declarations[0].init.type === 'AssignmentExpression') { asg = s.declarations[0].init; form = 'var'; }
      if (!asg || asg.operator !== '=' || asg.left.type !== 'MemberExpression' || asg.left.computed ||
        asg.left.object.type !== 'Identifier' || asg.left.object.name !== mod.pExports) continue;
      const name = asg.left.property.name;
      if (mod.defs[name]) { mod.keptWhy = 'exports.' + name + ' assigned more than once'; continue; }
      if (form === 'expr' && asg.right.type === 'Identifier' && mod.top[asg.right.name]) form = 'ident';
      mod.defs[name] = { stmt: s, form };
    }
    return mod;
  });

  // Pass 2: which modules keep an exports object.
  for (const mod of mods) {
    for (const r of mod.refs) {
      if (r.name !== mod.pExports || r.node === mod.fn.params[0]) continue;
      const member = r.parent.type === 'MemberExpression' && r.parent.object === r.node && !r.parent.computed ? r.parent : null;
      if (!member) { mod.keptWhy = mod.keptWhy || '`exports` used as an object'; continue; }
      const name = member.property.name;
      const def = mod.defs[name];
      const isDef = def && (def.form === 'var' ? def.stmt.declarations[0].init.left === member : def.stmt.expression.left === member);
      if (isDef) continue;
      if (!def) { mod.keptWhy = mod.keptWhy || 'reads exports.' + name + ', which it does not define at its top level'; continue; }
      // any other write (in an expression, in a function): the module keeps its object
      let written = false;
      walkParents(mod.fn.body, member, (n, parent) => { if (n === member && isWriteTarget(n, parent)) written = true; });
      if (written) mod.keptWhy = mod.keptWhy || 'exports.' + name + ' written again (e.g. export let)';
    }
    // `exports.X = f` with f reassigned, or a var not declared exactly once before it: an expression export.
    for (const name of Object.keys(mod.defs)) {
      const def = mod.defs[name];
      if (def.form !== 'ident') continue;
      const f = def.stmt.expression.right.name;
      let ok = true;
      let declaredBefore = 0;
      for (const r of mod.refs) {
        if (r.name !== f) continue;
        if (r.parent.type === 'FunctionDeclaration' && r.parent.id === r.node) { declaredBefore++; continue; }
        if (r.parent.type === 'VariableDeclarator' && r.parent.id === r.node) {
          if (r.parent.init && r.node.start < def.stmt.start && !r.nested) declaredBefore++; else ok = false;
          continue;
        }
        if (isWriteTarget(r.node, r.parent)) ok = false;
      }
      if (!ok || declaredBefore !== 1 || f === mod.pExports || f === mod.pRequire) def.form = 'expr';
    }
  }
  for (const mod of mods) {
    for (const q of mod.requires) {
      const dep = mods[q.j];
      if (!q.alias) { if (!(q.stmt.type === 'ExpressionStatement' && q.stmt.expression === q.call)) dep.keptWhy = dep.keptWhy || 'required other than by `var alias = require(…)` in ' + mod.id; continue; }
      for (const r of mod.refs) {
        if (r.name !== q.alias) continue;
        if (r.parent.type === 'VariableDeclarator' && r.parent.id === r.node && r.parent.init === q.call) continue;
        const member = r.parent.type === 'MemberExpression' && r.parent.object === r.node && !r.parent.computed ? r.parent : null;
        let why: string | null = null;
        if (!member) why = mod.id + ' uses its import of it as an object';
        else if (!dep.defs[member.property.name]) why = mod.id + ' reads .' + member.property.name + ', which it does not export';
        else walkParents(mod.fn.body, member, (n, parent) => { if (n === member && isWriteTarget(n, parent)) why = mod.id + ' writes .' + member.property.name; });
        if (why) dep.keptWhy = dep.keptWhy || why;
      }
    }
  }

  // Pass 3: names. Module-level names → name$k; exports of plain modules → variables.
  for (const mod of mods) {
    for (const x of Object.keys(mod.top)) {
      if (x === mod.pModule || x === mod.pRequire) continue;
      if (x === mod.pExports) { if (mod.keptWhy) mod.rename[x] = mod.exportsName = fresh(pre + 'exports$' + mod.k); continue; }
      mod.rename[x] = fresh(pre + x + '$' + mod.k);
    }
  }
  // Aliases of plain modules vanish (their reads are rewritten); they are not renamed.
  const plainAlias = (mod: Mod, name: string): Mod | null => {
    for (const q of mod.requires) if (q.alias === name && !mods[q.j].keptWhy) return mods[q.j];
    return null;
  };
  for (const mod of mods) {
    if (mod.keptWhy) continue;
    for (const name of Object.keys(mod.defs)) {
      const def = mod.defs[name];
      if (def.form === 'ident') mod.exportVar[name] = mod.rename[def.stmt.expression.right.name];
      else if (def.form === 'var') mod.exportVar[name] = mod.rename[def.stmt.declarations[0].id.name];
      else mod.exportVar[name] = fresh(pre + name + '$x' + mod.k);
    }
  }

  // Pass 4: edits, per module.
  const dropped: { [start: number]: true } = Object.create(null); // top-level statements that go
  const edits: Edit[] = [];
  for (const mod of mods) {
    const skipRanges: Array<[number, number]> = [];
    for (const q of mod.requires) {
      const dep = mods[q.j];
      if (q.stmt.type === 'ExpressionStatement' && q.stmt.expression === q.call) { dropped[q.stmt.start] = true; continue; }
      if (q.alias && !dep.keptWhy) { dropped[q.stmt.start] = true; continue; }
      edits.push({ start: q.call.start, end: q.call.end, text: dep.exportsName });
      skipRanges.push([q.call.start, q.call.end]);
    }
    if (!mod.keptWhy) {
      for (const name of Object.keys(mod.defs)) {
        const def = mod.defs[name];
        if (def.form === 'ident') { dropped[def.stmt.start] = true; continue; }
        const asg = def.form === 'var' ? def.stmt.declarations[0].init : def.stmt.expression;
        const text = def.form === 'var' ? '' : 'var ' + mod.exportVar[name] + ' = ';
        const start = def.form === 'var' ? asg.start : def.stmt.start;
        edits.push({ start, end: asg.right.start, text });
        skipRanges.push([start, asg.right.start]);
      }
    }
    const skipped = (n: Node): boolean => dropped[topOf(mod, n).start] === true || skipRanges.some(([a, b]) => a <= n.start && n.end <= b);
    for (const r of mod.refs) {
      if (r.name === mod.pRequire || r.name === mod.pModule) continue;
      if (skipped(r.node)) continue;
      if (r.name === mod.pExports && !mod.keptWhy) {
        edits.push({ start: r.parent.start, end: r.parent.end, text: mod.exportVar[r.parent.property.name] });
        continue;
      }
      const dep = plainAlias(mod, r.name);
      if (dep) { edits.push({ start: r.parent.start, end: r.parent.end, text: dep.exportVar[r.parent.property.name] }); continue; }
      edits.push({ start: r.node.start, end: r.node.end, text: mod.rename[r.name] });
    }
  }
  edits.sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) {
    if (edits[i].start < edits[i - 1].end) throw new HoistError('internal: overlapping edits at ' + edits[i].start);
  }

  // Pass 5: emission in __r's order.
  const state: number[] = mods.map(() => 0);
  const order: string[] = [];
  const out: string[] = [];
  const stack: number[] = [];
  const textOf = (s: Node): string => applyEdits(code.slice(s.start, s.end),
    edits.filter((e) => e.start >= s.start && e.end <= s.end).map((e) => ({ start: e.start - s.start, end: e.end - s.start, text: e.text })));
  const emit = (k: number): void => {
    const mod = mods[k];
    state[k] = 1;
    stack.push(k);
    order.push(mod.id);
    out.push('// ' + mod.id);
    if (mod.keptWhy) out.push('var ' + mod.exportsName + ' = {};');
    for (const s of mod.stmts) {
      for (const q of mod.requires) {
        if (q.stmt !== s) continue;
        if (state[q.j] === 1) {
          const cyc = stack.slice(stack.indexOf(q.j)).map((i) => mods[i].id).concat(mods[q.j].id);
          throw new HoistError('import cycle: ' + cyc.join(' -> '));
        }
        if (state[q.j] === 0) emit(q.j);
      }
      if (!dropped[s.start]) out.push(textOf(s));
    }
    stack.pop();
    state[k] = 2;
  };
  emit(index[entryId]);

  const iife = opts.topLevel ? out.join('\n') : '(function () {\n' + out.join('\n') + '\n})();';
  const outer: Edit[] = runtime.map((s) => ({ start: s.start, end: s.end, text: '' }));
  outer.push({ start: entryStmt!.start, end: entryStmt!.end, text: iife });
  return {
    code: applyEdits(code, outer),
    order,
    kept: mods.filter((m) => m.keptWhy && state[m.k] === 2).map((m) => m.id + ': ' + m.keptWhy),
  };
}

function topOf(mod: Mod, n: Node): Node {
  for (const s of mod.stmts) if (s.start <= n.start && n.end <= s.end) return s;
  return mod.fn.body;
}

/** Calls f(node, parent) for `target` found under `root` (walks only the branch containing it). */
function walkParents(root: Node, target: Node, f: (n: Node, parent: Node) => void): void {
  let n = root;
  for (;;) {
    const next = children(n).filter((c) => c.start <= target.start && target.end <= c.end);
    const c = next.length ? next[0] : null;
    if (!c) return;
    if (c === target) { f(c, n); return; }
    n = c;
  }
}
