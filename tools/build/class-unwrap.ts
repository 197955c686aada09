// tsc's ES5 classes without their IIFE, in the device bundle's modules (issue 8, "Memory").
//
// tsc compiles a class to `var X = (function (_super) { __extends(X, _super); function X(){…}
// X.prototype.m = function(){…}; return X; }(Base));`. On Espruino every function keeps a link to the
// scopes it was defined in: one block at depth 1, k + 2 blocks (a copied scope array) at depth k ≥ 2
// (src/jsparse.c jspeiGetScopesAsVar; ../../../helper-briefs/s3-loadcost-findings.md §1), and the IIFE's
// own scope stays alive as long as its methods do. So each method inside a class IIFE inside a module
// factory pays for one extra scope. This pass puts the class at the module's top level instead:
//   var X_super = Base; __extends(X, X_super); function X(){…} X.prototype.m = function(){…};
// the IIFE's parameter renamed to a name no other code of the module uses, its statements kept in
// their order (`__extends` still runs before anything reads X.prototype; terser's hoist_funs moves the
// declaration of X up, as it did inside the IIFE), `return X` dropped.
// It does nothing when in doubt: the IIFE body must be only what tsc emits for a class (the function
// declaration of X, expression statements, `var` declarations, a final `return X`), must not use
// `this`/`arguments` at its own level, nothing it declares may be named anywhere else in the module, and
// X must be declared only by that `var`. A class extending Error is left (the gate reports it in its
// IIFE form).
import * as acorn from 'acorn';
import { applyEdits, children, Edit, Node, isFunction, isVariable, ownDeclarations } from './ast';
import { registryModules } from './inline-constants';




/** Every variable name written in `root` (references and bindings, any scope), except inside `skip`. */
function variableNames(root: Node, skip: Node | null, into: { [name: string]: true }): void {
  const stack: Array<[Node, Node | null]> = [[root, null]];
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    if (n === skip) continue;
    if (n.type === 'Identifier' && isVariable(n, parent)) into[n.name] = true;
    for (const c of children(n)) stack.push([c, n]);
  }
}

/** Identifier nodes in the body of function `fn` that refer to the binding `name` of its scope (not shadowed below). */
function referencesTo(fn: Node, name: string): Node[] {
  const out: Node[] = [];
  const stack: Array<[Node, Node | null]> = [[fn.body, fn]];
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    if (isFunction(n)) {
      if (ownDeclarations(n).indexOf(name) >= 0 || (n.type === 'FunctionExpression' && n.id && n.id.name === name)) continue;
      for (const c of children(n)) if (c !== n.id) stack.push([c, n]);
      continue;
    }
    if (n.type === 'CatchClause' && n.param && n.param.name === name) continue;
    if (n.type === 'Identifier' && n.name === name && isVariable(n, parent)) out.push(n);
    for (const c of children(n)) stack.push([c, n]);
  }
  return out;
}

/** Does `root` use `this` or `arguments` at its own function level? */
function usesOwnThis(root: Node): boolean {
  const stack: Array<[Node, Node | null]> = [];
  for (const c of children(root)) stack.push([c, root]);
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    if (isFunction(n)) continue;
    if (n.type === 'ThisExpression') return true;
    if (n.type === 'Identifier' && n.name === 'arguments' && isVariable(n, parent)) return true;
    for (const c of children(n)) stack.push([c, n]);
  }
  return false;
}

export interface UnwrapResult {
  code: string;
  /** Classes put at their module's top level. */
  unwrapped: number;
  /** Class-shaped IIFEs left as they were, with why (module id: class: reason). */
  left: string[];
}

/** The class IIFE a module-level statement holds: `var X = (function (p?) {…}(arg?));`, or null. */
function classIife(st: Node): { name: string; fn: Node; arg: Node | null } | null {
  if (st.type !== 'VariableDeclaration' || st.declarations.length !== 1) return null;
  const d = st.declarations[0];
  if (d.id.type !== 'Identifier' || !d.init || d.init.type !== 'CallExpression') return null;
  const fn = d.init.callee;
  if (fn.type !== 'FunctionExpression' || fn.id || fn.params.length > 1) return null;
  if (d.init.arguments.length !== fn.params.length) return null;
  const body: Node[] = fn.body.body;
  const last = body[body.length - 1];
  if (!last || last.type !== 'ReturnStatement' || !last.argument || last.argument.type !== 'Identifier') return null;
  if (last.argument.name !== d.id.name) return null;
  return { name: d.id.name, fn, arg: d.init.arguments[0] || null };
}

/** Why this class IIFE cannot be unwrapped in `factory`, or null. */
function refusal(factory: Node, st: Node, c: { name: string; fn: Node; arg: Node | null }, newParam: string | null): string | null {
  const body: Node[] = c.fn.body.body;
  let decls = 0;
  for (let i = 0; i < body.length - 1; i++) {
    const s = body[i];
    if (s.type === 'FunctionDeclaration') {
      if (s.id.name !== c.name) return 'declares another function (' + s.id.name + ')';
      decls++;
    } else if (s.type === 'VariableDeclaration') {
      if (s.kind !== 'var') return 'a ' + s.kind + ' declaration';
    } else if (s.type !== 'ExpressionStatement' || typeof s.directive === 'string') return 'a ' + s.type;
  }
  if (decls !== 1) return 'no single declaration of ' + c.name;
  if (usesOwnThis(c.fn)) return 'uses this/arguments outside its methods';
  if (c.arg && c.arg.type === 'Identifier' && /Error$/.test(c.arg.name)) return 'extends ' + c.arg.name;
  // Names the IIFE would bring into the module's scope must be unused elsewhere in the module.
  const outside: { [name: string]: true } = {};
  variableNames(factory.body, st, outside);
  for (const p of factory.params) outside[p.name] = true;
  const mine = ownDeclarations(c.fn).filter((n) => n !== c.name && (!c.fn.params[0] || n !== c.fn.params[0].name));
  for (const n of mine) if (outside[n]) return '"' + n + '" is also used elsewhere in the module';
  if (newParam !== null) {
    const inside: { [name: string]: true } = {};
    variableNames(c.fn, null, inside);
    if (outside[newParam] || inside[newParam]) return '"' + newParam + '" is taken';
  }
  // X itself: declared only by this `var` in the module's scope.
  const factoryDecls = ownDeclarations(factory).filter((n) => n === c.name);
  if (factoryDecls.length !== 1) return c.name + ' is declared more than once in the module';
  return null;
}

/** A name for the IIFE's parameter that nothing in the module uses. */
function freshName(base: string, factory: Node): string {
  const used: { [name: string]: true } = {};
  variableNames(factory, null, used);
  let name = base;
  for (let i = 2; used[name]; i++) name = base + '_' + i;
  return name;
}

/**
 * Unwraps the class IIFEs at the top level of every module factory of a wrapped bundle (the registry
 * `var __m = { "id": function (exports, module, require) {…} }`, tools/build/bundle.ts).
 */
export function unwrapClasses(code: string): UnwrapResult {
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const edits: Edit[] = [];
  const left: string[] = [];
  let unwrapped = 0;
  for (const mod of registryModules(ast)) {
    const factory = mod.fn;
    for (const st of factory.body.body as Node[]) {
      const c = classIife(st);
      if (!c) continue;
      const param = c.fn.params[0] ? c.fn.params[0].name : null;
      const newParam = param === null ? null : freshName(c.name + param, factory);
      const why = refusal(factory, st, c, newParam);
      if (why) { left.push(mod.id + ': ' + c.name + ': ' + why); continue; }
      const body: Node[] = c.fn.body.body;
      const from = body[0].start;
      const to = body[body.length - 1].start; // up to the `return X;`
      const inner: Edit[] = [];
      if (param !== null) {
        for (const r of referencesTo(c.fn, param)) inner.push({ start: r.start - from, end: r.end - from, text: newParam! });
      }
      const text = (param !== null ? 'var ' + newParam + ' = ' + code.slice(c.arg!.start, c.arg!.end) + ';\n' : '') +
        applyEdits(code.slice(from, to), inner).replace(/\s+$/, '');
      edits.push({ start: st.start, end: st.end, text });
      unwrapped++;
    }
  }
  return { code: applyEdits(code, edits), unwrapped, left };
}
