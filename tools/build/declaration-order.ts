// The scopes of an ES5 program and the order its names are declared and used in: Espruino hoists
// neither function declarations nor `var`. The build uses it to declare first a `var` that the minifier
// left declared after its first use (declareLateVarsFirst); the gate (tools/gate/checks.ts) uses it to
// flag what would still run before its declaration.
import * as acorn from 'acorn';
import { isFunction } from './ast';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = any;

/** The property name a member expression reads (`a.b`, `a["b"]`), or null. */
export function propName(m: Node): string | null {
  if (m.type !== 'MemberExpression') return null;
  if (!m.computed && m.property.type === 'Identifier') return m.property.name;
  if (m.computed && m.property.type === 'Literal' && typeof m.property.value === 'string') return m.property.value;
  return null;
}

interface Decl {
  /** Index of the top-level statement of the scope's body that declares it (-1: parameter). */
  index: number;
  /** The function value when declared by `function f(){}` or `var f = function(){}`. */
  fn: Node | null;
  /** Declared only by `var` (no function declaration of that name in the scope). */
  isVar: boolean;
  /** Source offset of its first declaration (a declarator or function declaration). */
  pos: number;
}

export interface Scope {
  node: Node;
  parent: Scope | null;
  decls: Record<string, Decl>;
  /** Body statements (Program body or function body); null for catch scopes. */
  body: Node[] | null;
}

export function childNodes(n: Node): Node[] {
  const out: Node[] = [];
  for (const k of Object.keys(n)) {
    if (k === 'loc' || k === 'start' || k === 'end' || k === 'type') continue;
    const v = n[k];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === 'string') out.push(c);
    } else if (v && typeof v.type === 'string') out.push(v);
  }
  return out;
}

function declare(s: Scope, name: string, index: number, fn: Node | null, isVar = false, pos = -1): void {
  const d = s.decls[name];
  if (!d) s.decls[name] = { index, fn, isVar, pos };
  else {
    if (index < d.index) d.index = index;
    if (pos < d.pos) d.pos = pos;
    if (fn && !d.fn) d.fn = fn;
    d.isVar = d.isVar && isVar;
  }
}

/** Collects var and function declarations of a function body (not entering nested functions). */
function collectDecls(s: Scope): void {
  const body = s.body || [];
  for (let i = 0; i < body.length; i++) {
    const stack: Node[] = [body[i]];
    while (stack.length) {
      const n = stack.pop();
      if (n.type === 'FunctionDeclaration') {
        declare(s, n.id.name, i, n, false, n.start);
        continue; // its body is its own scope
      }
      if (n.type === 'FunctionExpression') continue;
      if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') {
        declare(s, n.id.name, i, n.init && n.init.type === 'FunctionExpression' ? n.init : null, true, n.start);
      }
      for (const c of childNodes(n)) stack.push(c);
    }
  }
}

export function resolve(s: Scope | null, name: string): Scope | null {
  for (let c = s; c; c = c.parent) if (Object.prototype.hasOwnProperty.call(c.decls, name)) return c;
  return null;
}

interface Frame {
  scope: Scope;
  stmt: number; // current top-level statement index in scope.body
  fn: Node | null; // function node of this frame (null for Program)
  iife: boolean;
}

export interface Ref {
  name: string;
  node: Node;
  /** The scope the name resolves to, null for a global. */
  target: Scope | null;
  /** Statement index in target's body containing the reference. */
  stmt: number;
  /** True when it runs while that statement runs (no function boundary but IIFEs in between). */
  immediate: boolean;
  /** The outermost function between target and the reference (for deferred references). */
  via: Node | null;
  /** Callee of a call expression. */
  isCall: boolean;
}

/** Walks the program: every identifier reference with where it resolves and when it runs. */
export function analyse(ast: Node): { refs: Ref[]; scopes: Scope[]; labels: Node[] } {
  const refs: Ref[] = [];
  const scopes: Scope[] = [];
  const labels: Node[] = [];
  const iifes = new Set<Node>();
  const frames: Frame[] = [];

  const progScope: Scope = { node: ast, parent: null, decls: {}, body: ast.body };
  collectDecls(progScope);
  scopes.push(progScope);

  function pushRef(name: string, node: Node, isCall: boolean): void {
    const cur = frames[frames.length - 1].scope;
    const target = resolve(cur, name);
    let stmt = -1;
    let immediate = true;
    let via: Node | null = null;
    if (target) {
      // Find the frame owning target (catch scopes share the frame of their function).
      let k = frames.length - 1;
      while (k > 0 && !scopeInFrame(target, frames[k])) k--;
      stmt = frames[k].stmt;
      for (let j = k + 1; j < frames.length; j++) {
        if (!frames[j].iife) {
          immediate = false;
          if (!via) via = frames[j].fn;
        }
      }
    }
    refs.push({ name, node, target, stmt, immediate, via, isCall });
  }

  function scopeInFrame(s: Scope, f: Frame): boolean {
    for (let c: Scope | null = f.scope; c; c = c.parent) {
      if (c === s) return true;
      if (c.body) return c === s; // stop at the frame's function scope
    }
    return false;
  }

  function visitFunction(fn: Node): void {
    const outer = frames[frames.length - 1].scope;
    let parent = outer;
    if (fn.type === 'FunctionExpression' && fn.id) {
      // A named function expression binds its name in a scope of its own.
      parent = { node: fn.id, parent: outer, decls: {}, body: null };
      declare(parent, fn.id.name, -1, fn);
    }
    const s: Scope = { node: fn, parent, decls: {}, body: fn.body.body };
    for (const p of fn.params) declare(s, p.name, -1, null);
    declare(s, 'arguments', -1, null);
    collectDecls(s);
    scopes.push(s);
    frames.push({ scope: s, stmt: -1, fn, iife: iifes.has(fn) });
    const body = fn.body.body;
    for (let i = 0; i < body.length; i++) {
      frames[frames.length - 1].stmt = i;
      visit(body[i]);
    }
    frames.pop();
  }

  function visit(n: Node): void {
    switch (n.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
        visitFunction(n);
        return;
      case 'Identifier':
        pushRef(n.name, n, false);
        return;
      case 'MemberExpression':
        visit(n.object);
        if (n.computed) visit(n.property);
        return;
      case 'Property':
        if (n.computed) visit(n.key);
        visit(n.value);
        return;
      case 'VariableDeclarator':
        if (n.init) visit(n.init);
        return;
      case 'LabeledStatement':
        labels.push(n);
        visit(n.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      case 'CatchClause': {
        const f = frames[frames.length - 1];
        const cs: Scope = { node: n, parent: f.scope, decls: {}, body: null };
        if (n.param && n.param.type === 'Identifier') declare(cs, n.param.name, -1, null);
        const saved = f.scope;
        f.scope = cs;
        visit(n.body);
        f.scope = saved;
        return;
      }
      case 'CallExpression':
      case 'NewExpression': {
        let callee = n.callee;
        // (function(){...})(), !function(){...}(), (function(){}).call(this)
        if (callee.type === 'MemberExpression' && isFunction(callee.object) && (propName(callee) === 'call' || propName(callee) === 'apply')) {
          callee = callee.object;
        }
        if (callee.type === 'FunctionExpression') iifes.add(callee);
        if (n.callee.type === 'Identifier') pushRef(n.callee.name, n.callee, true);
        else visit(n.callee);
        for (const a of n.arguments) visit(a);
        return;
      }
      default:
        for (const c of childNodes(n)) visit(c);
    }
  }

  frames.push({ scope: progScope, stmt: -1, fn: null, iife: false });
  for (let i = 0; i < ast.body.length; i++) {
    frames[0].stmt = i;
    visit(ast.body[i]);
  }
  return { refs, scopes, labels };
}


/**
 * Espruino hoists neither function declarations nor `var`: a statement that reads or calls a name
 * declared by a LATER statement of the same scope fails there. Flags (1) such references running
 * while the statement runs (IIFEs count as running), and (2) calls at statement i to a same-scope
 * function whose body (with the same-scope functions it calls in turn) reads a name declared after
 * statement i. Limits: calls through properties (`this.f()`, `exports.f()`), callbacks and other
 * modules are not followed.
 */
export type LateUse = (scope: Scope, name: string, node: Node, message: string) => void;

export function checkDeclarationOrder(refs: Ref[], late: LateUse): void {
  // Deferred references per function value: names of the target scope read inside it.
  const deferred = new Map<Node, Ref[]>();
  for (const r of refs) {
    if (!r.target || r.immediate || !r.via) continue;
    let l = deferred.get(r.via);
    if (!l) deferred.set(r.via, (l = []));
    l.push(r);
  }
  for (const r of refs) {
    if (!r.target || !r.immediate || !r.target.body) continue;
    const d = r.target.decls[r.name];
    // A later statement, or a `var` further on in the same one (an if/else whose first branch assigns a
    // name its second declares: what terser makes of two block-scoped `const`s of one name).
    if (d.index > r.stmt || (d.index === r.stmt && d.isVar && d.pos > r.node.start)) {
      late(r.target, r.name, r.node, '"' + r.name + '" is used before its declaration (Espruino does not hoist)');
      continue;
    }
    if (!r.isCall || !d.fn) continue;
    // Follow the call into the function's body, and into same-scope functions it calls.
    const seen = new Set<Node>();
    const todo: Node[] = [d.fn];
    while (todo.length) {
      const fn = todo.pop();
      if (seen.has(fn)) continue;
      seen.add(fn);
      for (const inner of deferred.get(fn) || []) {
        if (inner.target !== r.target) continue;
        const di = r.target.decls[inner.name];
        if (di.index > r.stmt) {
          late(r.target, inner.name, r.node, '"' + r.name + '()" runs before "' + inner.name + '" is declared (Espruino does not hoist)');
        } else if (inner.isCall && di.fn) todo.push(di.fn);
      }
    }
  }
}

/**
 * Build step (not a check): where a `var` is used before the statement that declares it — e.g. the
 * minifier merged two block-scoped `const`s of one name and kept the later `var` — adds `var name;`
 * at the top of that function (after its directives). Standard JS hoists `var` anyway, so this changes
 * nothing on Node or Duktape; on Espruino, which does not hoist, it keeps the name local. Returns the
 * code unchanged when there is nothing to move. Function declarations are terser's job (hoist_funs).
 */
export function declareLateVarsFirst(code: string): string {
  const ast = acorn.parse(code, { ecmaVersion: 5, sourceType: 'script' }) as Node;
  const { refs } = analyse(ast);
  const perScope = new Map<Scope, Record<string, boolean>>();
  checkDeclarationOrder(refs, (scope, name) => {
    const d = scope.decls[name];
    if (!d || !d.isVar) return;
    let names = perScope.get(scope);
    if (!names) perScope.set(scope, (names = {}));
    names[name] = true;
  });
  const inserts: Array<{ at: number; text: string }> = [];
  perScope.forEach((names, scope) => {
    const body: Node[] = scope.body || [];
    let at = scope.node.type === 'Program' ? 0 : scope.node.body.start + 1;
    for (const st of body) {
      if (st.type === 'ExpressionStatement' && typeof st.directive === 'string') at = st.end;
      else break;
    }
    inserts.push({ at, text: 'var ' + Object.keys(names).join(',') + ';' });
  });
  inserts.sort((a, b) => b.at - a.at);
  let out = code;
  for (const ins of inserts) out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  return out;
}
