// Walking acorn ASTs in the bundler's transforms (tools/build/inline-constants.ts, prototype-alias.ts).

export type Node = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The child nodes of `n`, in source order. */
export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const k of Object.keys(n)) {
    if (k === 'type' || k === 'start' || k === 'end') continue;
    const v = n[k];
    if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === 'string') out.push(c); }
    else if (v && typeof v.type === 'string') out.push(v);
  }
  return out;
}

/** Walks `root` depth first, calling `f(node, parent)`. */
export function walk(root: Node, f: (n: Node, parent: Node | null) => void): void {
  const stack: Array<[Node, Node | null]> = [[root, null]];
  while (stack.length) {
    const [n, p] = stack.pop()!;
    f(n, p);
    const cs = children(n);
    for (let i = cs.length - 1; i >= 0; i--) stack.push([cs[i], n]);
  }
}

/** A replacement of code[start, end) by `text`. */
export interface Edit { start: number; end: number; text: string }

/** `code` with non-overlapping `edits` applied (in any order). */
export function applyEdits(code: string, edits: Edit[]): string {
  const sorted = edits.slice().sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    parts.push(code.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(code.slice(at));
  return parts.join('');
}

/** A function declaration or expression (the ES5 the build and the gate parse has no arrow functions). */
export function isFunction(n: Node): boolean {
  return n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration';
}

/** Names a function declares in its own scope: parameters, `var`s, function declarations (not nested functions'). */
export function ownDeclarations(fn: Node): string[] {
  const names: string[] = [];
  for (const p of fn.params) if (p.type === 'Identifier') names.push(p.name);
  const stack: Node[] = [fn.body];
  while (stack.length) {
    const n = stack.pop();
    if (n.type === 'FunctionDeclaration') { names.push(n.id.name); continue; }
    if (n.type === 'FunctionExpression') continue;
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') names.push(n.id.name);
    for (const c of children(n)) stack.push(c);
  }
  return names;
}

/** Is this Identifier (child of `parent`) a variable reference or binding, not a property name or label? */
export function isVariable(n: Node, parent: Node | null): boolean {
  if (!parent) return true;
  if (parent.type === 'MemberExpression' && parent.property === n && !parent.computed) return false;
  if (parent.type === 'Property' && parent.key === n && !parent.computed) return false;
  if ((parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') && parent.label === n) return false;
  return true;
}
