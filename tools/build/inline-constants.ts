// Cross-module constant inlining for the device bundle (issue 8, "Memory": bundle size is RAM).
//
// tsc compiles `import { TCP_ACK } from './x'` to `var x_1 = require("tcp/wire/x")` and every use to a
// property read `x_1.TCP_ACK`, which terser cannot see through: bytes in the bundle and a lookup per
// use on the device. localiseConstants (bundle.ts) already turns a module's own `exports.X = 28`
// (assigned once) into `var __k_X = exports.X = 28`. This pass works on the whole wrapped bundle:
// when module M does `var a_1 = require("id")` and reads `a_1.X` where X is such a constant of module
// "id", the read becomes the literal. It does nothing when in doubt:
//  - the export is assigned more than once, or not to a number literal, in its own module;
//  - any module writes `alias.X` (assignment, compound assignment, ++/--) for that module;
//  - the alias name is declared more than once in M (a parameter, var or function of the same name
//    somewhere shadows it), or is assigned anywhere.
// Then a constant export nobody can read any more is no longer put on the exports object (see below).
import * as acorn from 'acorn';
import { applyEdits, Edit, Node, walk } from './ast';

interface ModuleFn {
  id: string;
  fn: Node;
}

/** The module functions of the registry `var __m = { "id": function (exports, module, require) {…} }`. */
export function registryModules(ast: Node): ModuleFn[] {
  const out: ModuleFn[] = [];
  walk(ast, (n) => {
    if (n.type !== 'VariableDeclarator' || !n.id || n.id.name !== '__m' || !n.init || n.init.type !== 'ObjectExpression') return;
    for (const p of n.init.properties) {
      if (p.key && p.key.type === 'Literal' && typeof p.key.value === 'string' && p.value.type === 'FunctionExpression') {
        out.push({ id: p.key.value, fn: p.value });
      }
    }
  });
  return out;
}

function numericLiteral(n: Node): string | null {
  if (n.type === 'Literal' && typeof n.value === 'number') return n.raw;
  if (n.type === 'UnaryExpression' && n.operator === '-' && n.argument.type === 'Literal' && typeof n.argument.value === 'number') {
    return '-' + n.argument.raw;
  }
  return null;
}

function isMember(n: Node, objName: string): boolean {
  return n && n.type === 'MemberExpression' && !n.computed && n.object.type === 'Identifier' && n.object.name === objName;
}

/** Is `n` (a MemberExpression) written to: `n = …`, `n += …`, `n++`, `--n`, `delete n`? */
function isWrite(n: Node, parent: Node | null): boolean {
  if (!parent) return false;
  if (parent.type === 'AssignmentExpression' && parent.left === n) return true;
  if (parent.type === 'UpdateExpression') return true;
  if (parent.type === 'UnaryExpression' && parent.operator === 'delete') return true;
  return false;
}

/**
 * The numeric constants a module exports: `exports.X` written exactly once in the module, by
 * `exports.X = <number>` (possibly inside `var __k_X = exports.X = <number>`).
 */
function moduleConstants(fn: Node): { [name: string]: string } {
  const writes: { [name: string]: number } = {};
  const values: { [name: string]: string | null } = {};
  walk(fn.body, (n, parent) => {
    if (!isMember(n, 'exports') || !isWrite(n, parent)) return;
    const name = n.property.name;
    writes[name] = (writes[name] || 0) + 1;
    values[name] = parent.type === 'AssignmentExpression' && parent.operator === '=' ? numericLiteral(parent.right) : null;
  });
  const out: { [name: string]: string } = {};
  for (const name of Object.keys(writes)) {
    const v = values[name];
    if (writes[name] === 1 && v !== null && v !== undefined) out[name] = v;
  }
  return out;
}

/** Every name the function declares anywhere inside (vars, functions, parameters, catch parameters). */
function declarationCounts(fn: Node): { [name: string]: number } {
  const counts: { [name: string]: number } = {};
  const add = (id: Node) => {
    if (id && id.type === 'Identifier') counts[id.name] = (counts[id.name] || 0) + 1;
  };
  walk(fn.body, (n) => {
    if (n.type === 'VariableDeclarator') add(n.id);
    else if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression') {
      if (n.id) add(n.id);
      for (const p of n.params) add(p);
    } else if (n.type === 'CatchClause' && n.param) add(n.param);
  });
  return counts;
}

/** `var a_1 = require("id")` at the top level of the module function: alias → id. */
function requireAliases(fn: Node): { [alias: string]: string } {
  const out: { [alias: string]: string } = {};
  for (const st of fn.body.body) {
    if (st.type !== 'VariableDeclaration') continue;
    for (const d of st.declarations) {
      const init = d.init;
      if (d.id.type === 'Identifier' && init && init.type === 'CallExpression' && init.callee.type === 'Identifier' &&
        init.callee.name === 'require' && init.arguments.length === 1 && init.arguments[0].type === 'Literal' &&
        typeof init.arguments[0].value === 'string') {
        out[d.id.name] = init.arguments[0].value;
      }
    }
  }
  return out;
}

export interface InlineResult {
  code: string;
  /** Reads replaced by literals. */
  inlined: number;
  /** Constant exports no longer assigned on the exports object (nothing can read them). */
  dropped: number;
}

/** Replaces cross-module reads of numeric constants in a wrapped bundle (see the top of this file). */
export function inlineCrossModuleConstants(code: string): InlineResult {
  const ast = acorn.parse(code, { ecmaVersion: 5, ranges: false });
  const mods = registryModules(ast);
  const consts: { [id: string]: { [name: string]: string } } = {};
  for (const m of mods) consts[m.id] = moduleConstants(m.fn);
  // Plan per module; then drop constants that any module writes through an alias.
  const plans: Array<{ fn: Node; aliases: { [alias: string]: string } }> = [];
  const writtenFromOutside: { [key: string]: boolean } = {};
  for (const m of mods) {
    const aliases = requireAliases(m.fn);
    const decl = declarationCounts(m.fn);
    const ok: { [alias: string]: string } = {};
    for (const a of Object.keys(aliases)) {
      if (decl[a] === 1 && consts[aliases[a]]) ok[a] = aliases[a];
    }
    // Aliases assigned anywhere (`a_1 = …`) are not trusted either.
    walk(m.fn.body, (n, parent) => {
      if (n.type === 'Identifier' && ok[n.name] && parent && parent.type === 'AssignmentExpression' && parent.left === n) delete ok[n.name];
      if (n.type === 'MemberExpression' && !n.computed && n.object.type === 'Identifier' && aliases[n.object.name] && isWrite(n, parent)) {
        writtenFromOutside[aliases[n.object.name] + '\u0000' + n.property.name] = true;
      }
    });
    plans.push({ fn: m.fn, aliases: ok });
  }
  const edits: Edit[] = [];
  for (const p of plans) {
    if (!Object.keys(p.aliases).length) continue;
    walk(p.fn.body, (n, parent) => {
      if (n.type !== 'MemberExpression' || n.computed || n.object.type !== 'Identifier') return;
      const id = p.aliases[n.object.name];
      if (!id) return;
      const name = n.property.name;
      const v = consts[id][name];
      if (v === undefined || writtenFromOutside[id + '\u0000' + name] || isWrite(n, parent)) return;
      // Parenthesised so `a_1.X.toString()` or `- a_1.X` stay the same expression.
      edits.push({ start: n.start, end: n.end, text: '(' + v + ')' });
    });
  }
  // Exports nobody can read any more: a constant of a module whose exports object never escapes
  // (every require of it is `var alias = require(id)` or a bare statement, every use of an alias is
  // `alias.name`, the module itself uses `exports` only as `exports.name`), whose name occurs nowhere
  // else in the bundle as a property (after the reads above are gone), keeps only its local copy:
  // `var __k_X = exports.X = 28` → `var __k_X = 28`. One property fewer on the device per constant.
  const escapes: { [id: string]: boolean } = {};
  for (const m of mods) {
    walk(m.fn.body, (n, parent) => {
      if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments.length === 1 &&
        n.arguments[0].type === 'Literal' && typeof n.arguments[0].value === 'string') {
        const top = parent && ((parent.type === 'VariableDeclarator' && parent.init === n) || parent.type === 'ExpressionStatement');
        if (!top) escapes[n.arguments[0].value] = true;
      }
      if (n.type === 'Identifier' && (n.name === 'exports' || n.name === 'module') &&
        !(parent && parent.type === 'MemberExpression' && parent.object === n && !parent.computed && n.name === 'exports')) {
        // `module` anywhere, or `exports` other than `exports.name`, lets the object escape (the
        // parameter list itself is outside the body walked here).
        escapes[m.id] = true;
      }
    });
    const aliases = requireAliases(m.fn);
    const decl = declarationCounts(m.fn);
    for (const a of Object.keys(aliases)) {
      if (decl[a] !== 1) { escapes[aliases[a]] = true; continue; }
      walk(m.fn.body, (n, parent) => {
        if (n.type !== 'Identifier' || n.name !== a) return;
        if (parent && parent.type === 'VariableDeclarator' && parent.id === n) return;
        if (parent && parent.type === 'MemberExpression' && parent.object === n && !parent.computed) return;
        if (parent && parent.type === 'MemberExpression' && parent.property === n && !parent.computed) return;
        if (parent && parent.type === 'Property' && parent.key === n && !parent.computed) return;
        escapes[aliases[a]] = true;
      });
    }
  }
  const inlinedAt: { [start: number]: boolean } = {};
  for (const e of edits) inlinedAt[e.start] = true;
  const propertyUses: { [name: string]: number } = {};
  walk(ast, (n) => {
    if (n.type === 'MemberExpression' && !n.computed && !inlinedAt[n.start]) propertyUses[n.property.name] = (propertyUses[n.property.name] || 0) + 1;
    if (n.type === 'Property' && !n.computed && n.key.type === 'Identifier') propertyUses[n.key.name] = (propertyUses[n.key.name] || 0) + 1;
    if (n.type === 'Literal' && typeof n.value === 'string') propertyUses[n.value] = (propertyUses[n.value] || 0) + 1;
  });
  let dropped = 0;
  for (const m of mods) {
    if (escapes[m.id]) continue;
    for (const st of m.fn.body.body) {
      if (st.type !== 'VariableDeclaration') continue;
      for (const d of st.declarations) {
        const init = d.init;
        if (!init || init.type !== 'AssignmentExpression' || init.operator !== '=' || !isMember(init.left, 'exports')) continue;
        const name = init.left.property.name;
        if (consts[m.id][name] === undefined || propertyUses[name] !== 1) continue; // 1: the assignment itself
        edits.push({ start: init.start, end: init.right.start, text: '' });
        dropped++;
      }
    }
  }
  return { code: applyEdits(code, edits), inlined: edits.length - dropped, dropped };
}

/**
 * Registry keys as small numbers: `"tcp/wire/ipv4": function (exports, module, require) {` → `7: …`,
 * `require("tcp/wire/ipv4")` → `require(7)`, `__r("firmware/main")` → `__r(0)` — module ids are long
 * strings, each stored once in the registry and once per require. Requires of names not in the
 * registry (Espruino's built-in modules) keep their strings. Returns the new code and id → key.
 */
export function shortenModuleIds(code: string): { code: string; keys: { [id: string]: number } } {
  const keys: { [id: string]: number } = Object.create(null);
  const head = /^("(?:[^"\\]|\\.)*"): function \(exports, module, require\) \{$/gm;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = head.exec(code))) keys[JSON.parse(m[1])] = n++;
  const key = (lit: string): string | null => {
    const id = JSON.parse(lit);
    return typeof keys[id] === 'number' ? String(keys[id]) : null;
  };
  const out = code
    .replace(head, (whole, lit: string) => { const k = key(lit); return k === null ? whole : k + ': function (exports, module, require) {'; })
    .replace(/\b(require|__r)\(("(?:[^"\\]|\\.)*")\)/g, (whole, fn: string, lit: string) => { const k = key(lit); return k === null ? whole : fn + '(' + k + ')'; });
  return { code: out, keys };
}
