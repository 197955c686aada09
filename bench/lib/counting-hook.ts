// A counting build for the benchmark only: installs a require hook that compiles the shipped modules
// (tcp/, hal/drivers/, firmware/http/, firmware/apps/) with tsc and inserts a counter at the start of
// every function body and every loop body (acorn finds them). Counting happens only while
// `counts.on` is true, so the harness can attribute work to one stack. Nothing here ships.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as acorn from 'acorn';

export interface Site {
  kind: 'call' | 'loop';
  file: string;
  /** Line in tsc's output (close to, not the same as, the TypeScript source line). */
  line: number;
  name: string;
}

export interface Counts {
  on: boolean;
  n: number[];
  sites: Site[];
}

const ROOT = path.resolve(__dirname, '..', '..');
const INSTRUMENTED = ['tcp/', 'hal/drivers/', 'firmware/http/', 'firmware/apps/', 'firmware/bytes'];

export const counts: Counts = { on: false, n: [], sites: [] };

function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < pos; i = src.indexOf('\n', i + 1)) line++;
  return line;
}

/** Returns `js` with counters inserted; registers one site per function and loop. */
export function instrument(js: string, file: string): string {
  const ast = acorn.parse(js, { ecmaVersion: 'latest', sourceType: 'script', locations: false }) as any;
  const edits: Array<{ pos: number; text: string }> = [];
  const site = (kind: Site['kind'], node: any, name: string): string => {
    const id = counts.sites.length;
    counts.sites.push({ kind, file, line: lineOf(js, node.start), name });
    counts.n.push(0);
    return '__wc.on&&__wc.n[' + id + ']++;';
  };
  // Each entry: a node and the name of the function it is in (loops are reported by function, since
  // tsc's output lines do not match the TypeScript source's).
  const stack: Array<[any, string]> = [[ast, '(module)']];
  while (stack.length) {
    const [n, fnName] = stack.pop() as [any, string];
    if (!n || typeof n.type !== 'string') continue;
    let inner = fnName;
    const isFn = n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';
    const isLoop = n.type === 'ForStatement' || n.type === 'ForInStatement' || n.type === 'ForOfStatement' ||
      n.type === 'WhileStatement' || n.type === 'DoWhileStatement';
    if (isFn) {
      const name = (n.id && n.id.name) || n.__name || 'anonymous';
      inner = name;
      const inc = site('call', n, name);
      if (n.body.type === 'BlockStatement') edits.push({ pos: n.body.start + 1, text: inc });
      else {
        edits.push({ pos: n.body.start, text: '(' + inc.slice(0, -1) + ',' });
        edits.push({ pos: n.body.end, text: ')' });
      }
    } else if (isLoop) {
      const inc = site('loop', n, n.type.replace('Statement', '') + ' in ' + fnName);
      if (n.body.type === 'BlockStatement') edits.push({ pos: n.body.start + 1, text: inc });
      else {
        edits.push({ pos: n.body.start, text: '{' + inc });
        edits.push({ pos: n.body.end, text: '}' });
      }
    }
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) for (const c of v) stack.push([c, inner]);
      else if (v && typeof v.type === 'string') stack.push([v, inner]);
    }
    // Methods: name the function after its key.
    if ((n.type === 'MethodDefinition' || n.type === 'Property') && n.value && n.key && n.key.name &&
        (n.value.type === 'FunctionExpression' || n.value.type === 'ArrowFunctionExpression') && !n.value.id) {
      n.value.__name = n.key.name;
    }
  }
  // Apply from the end so earlier positions stay valid (stable for equal positions: later edit first).
  const order = edits.map((e, i) => ({ e, i })).sort((x, y) => y.e.pos - x.e.pos || y.i - x.i);
  let out = js;
  for (const { e } of order) out = out.slice(0, e.pos) + e.text + out.slice(e.pos);
  return out;
}

/** Installs the hook; call before the first require of a shipped module. */
export function installCountingHook(): Counts {
  (global as any).__wc = counts;
  const prev = require.extensions['.ts'];
  if (!prev) throw new Error('the counting hook needs ts-node loaded first (node -r ts-node/register)');
  require.extensions['.ts'] = function (module: any, filename: string): void {
    const rel = path.relative(ROOT, filename).replace(/\\/g, '/');
    if (!INSTRUMENTED.some((p) => rel.startsWith(p))) return prev(module, filename);
    const src = fs.readFileSync(filename, 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
      fileName: filename,
    }).outputText;
    module._compile(instrument(js, rel), filename);
  } as any;
  return counts;
}
