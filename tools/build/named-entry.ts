// The bundle's top-level IIFEs (`!function(){…}()`, `(function(){…})()`) become named functions
// declared and then called: `function __etcpip(){…}__etcpip();`.
//
// Why: when an Error is created, Espruino records a stack trace through every function on the call
// stack (src/jswrap_error.c → jspAppendStackTrace, src/jslex.c jslPrintStackTrace). Measured on the
// Pico-sized interpreter (5,100 blocks), the pico bundle booted from Storage with 2,855 blocks free:
// with the code in one anonymous IIFE, the first thrown Error ("Invalid pin", caught by the firmware)
// ended in OUT OF MEMORY; with the same code in a named function declared and then called, the error
// was caught, logged, and the firmware went on with 2,786 blocks free (test/espruino-real/).
// Names start with `__` like the rest of the bundle's runtime, so a user's REPL code will not clobber them.
import * as acorn from 'acorn';
import { Edit, Node, applyEdits } from './ast';

/** The function expression an IIFE statement calls with no arguments, or null. */
function iifeFunction(st: Node): Node | null {
  if (st.type !== 'ExpressionStatement') return null;
  let e = st.expression;
  if (e.type === 'UnaryExpression' && e.operator === '!') e = e.argument;
  if (e.type !== 'CallExpression' || e.arguments.length !== 0) return null;
  const f = e.callee;
  if (f.type !== 'FunctionExpression' || f.id || f.params.length !== 0) return null;
  return f;
}

export function nameTopLevelIifes(code: string, baseName = '__etcpip'): { code: string; named: number } {
  const ast: Node = acorn.parse(code, { ecmaVersion: 5, sourceType: 'script' });
  const edits: Edit[] = [];
  for (const st of ast.body) {
    const f = iifeFunction(st);
    if (!f) continue;
    let name = baseName + (edits.length ? edits.length : '');
    while (new RegExp('(^|[^\\w$])' + name.replace(/\$/g, '\\$') + '(?![\\w$])').test(code)) name += '_';
    const body = code.slice(f.body.start, f.body.end);
    edits.push({ start: st.start, end: st.end, text: 'function ' + name + '()' + body + name + '();' });
  }
  return { code: applyEdits(code, edits), named: edits.length };
}

/**
 * The inverse, for counters that follow code run at load (tools/build/load-cost.ts): each
 * `function __etcpipN(){…}__etcpipN();` pair back to `!function(){…}();`, and the names it removed.
 */
export function unnameTopLevelIifes(code: string, baseName = '__etcpip'): { code: string; names: string[] } {
  const ast: Node = acorn.parse(code, { ecmaVersion: 5, sourceType: 'script' });
  const edits: Edit[] = [];
  const names: string[] = [];
  const body: Node[] = ast.body;
  for (let i = 0; i + 1 < body.length; i++) {
    const d = body[i];
    const c = body[i + 1];
    if (d.type !== 'FunctionDeclaration' || d.params.length !== 0 || d.id.name.indexOf(baseName) !== 0) continue;
    if (c.type !== 'ExpressionStatement' || c.expression.type !== 'CallExpression' || c.expression.arguments.length !== 0 ||
      c.expression.callee.type !== 'Identifier' || c.expression.callee.name !== d.id.name) continue;
    edits.push({ start: d.start, end: c.end, text: '!function()' + code.slice(d.body.start, d.body.end) + '();' });
    names.push(d.id.name);
  }
  return { code: applyEdits(code, edits), names };
}
