// `X.prototype` once per class in the device bundle (issue 8, "Memory": bundle size is RAM).
//
// tsc's ES5 class is an IIFE whose body assigns every method as `X.prototype.m = function …` (and
// accessors through `Object.defineProperty(X.prototype, …)`), which terser keeps as `t.prototype.m=`
// — 10 bytes of `prototype` per method, ~200 times in the firmware. This pass declares
// `var __pr_X = X.prototype;` right after the constructor's declaration — after `__extends(X, _super)`
// has replaced the prototype, as tsc orders them — and uses it in the statements that follow at the
// IIFE's top level (not inside nested functions, which may run at any time). terser then names it
// with one letter. Classes that assign `X.prototype` itself, or use it fewer than 3 times, are left.
import * as acorn from 'acorn';
import { applyEdits, children, Edit, Node, isFunction } from './ast';

/** `N.prototype` member expressions in `root`, not descending into functions; `assigned` if one is written. */
function prototypeReads(root: Node, name: string): { nodes: Node[]; assigned: boolean } {
  const nodes: Node[] = [];
  let assigned = false;
  const stack: Array<[Node, Node | null]> = [[root, null]];
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    if (n !== root && isFunction(n)) continue;
    if (n.type === 'MemberExpression' && !n.computed && n.object.type === 'Identifier' && n.object.name === name &&
      n.property.name === 'prototype') {
      if (parent && ((parent.type === 'AssignmentExpression' && parent.left === n) || parent.type === 'UpdateExpression')) assigned = true;
      nodes.push(n);
      continue;
    }
    for (const c of children(n)) stack.push([c, n]);
  }
  return { nodes, assigned };
}

export function aliasPrototypes(code: string): { code: string; classes: number; replaced: number } {
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const edits: Edit[] = [];
  let classes = 0;
  const stack: Node[] = [ast];
  while (stack.length) {
    const n = stack.pop();
    for (const c of children(n)) stack.push(c);
    if (n.type !== 'FunctionExpression' || !n.body || n.body.type !== 'BlockStatement') continue;
    const body: Node[] = n.body.body;
    const last = body[body.length - 1];
    if (!last || last.type !== 'ReturnStatement' || !last.argument || last.argument.type !== 'Identifier') continue;
    const name = last.argument.name;
    const di = body.findIndex((s) => s.type === 'FunctionDeclaration' && s.id && s.id.name === name);
    if (di < 0) continue;
    // The constructor may read N.prototype itself only through nested code; anything before the
    // declaration (e.g. `__extends(N, _super)`) must not touch N.prototype's binding.
    const alias = '__pr_' + name;
    if (code.indexOf(alias) >= 0) continue;
    const reads: Node[] = [];
    let bad = false;
    for (let i = 0; i < body.length; i++) {
      if (i === di) continue;
      const r = prototypeReads(body[i], name);
      if (r.assigned) bad = true;
      if (i > di && i < body.length - 1) for (const x of r.nodes) reads.push(x);
    }
    if (bad || reads.length < 3) continue;
    classes++;
    const decl = body[di];
    edits.push({ start: decl.end, end: decl.end, text: '\nvar ' + alias + ' = ' + name + '.prototype;' });
    for (const x of reads) edits.push({ start: x.start, end: x.end, text: alias });
  }
  return { code: applyEdits(code, edits), classes, replaced: edits.length - classes };
}
