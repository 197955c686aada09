// Safe property mangling for the device bundle (issue 8, "Memory": bundle size is RAM, and every
// property name of a live object costs name blocks on Espruino beyond 4 characters).
//
// terser renames only the names on an explicit, computed allow-list — never "everything but a
// reserved list". A name is on the list only if ALL of these hold:
//  (a) it is declared in our shipped TypeScript (tcp/, hal/ except hal/sim/, firmware/) as a class
//      member, interface or type-literal member, object-literal key, or export (TypeScript compiler API);
//  (b) it is not a JavaScript built-in (terser's own builtin reservation stays on, and every name a
//      property access resolves to in a lib .d.ts is reserved) nor an Espruino API member: everything
//      reachable from a `declare` (ambient) declaration, every property read on an `any`, the
//      explicit ESPRUINO_NAMES below, and every member of the NetworkJS driver (Espruino calls it by name);
//  (c) it never occurs as a word inside a string literal, template or quoted key anywhere in the bundle
//      (TypeScript sources of every bundled module, and the ES5 bundle itself: helpers, runtime, tsc output);
//  (d) it is not a key of an object that leaves (or enters) the program by name: everything reachable
//      from the types given to JSON.stringify, Object.keys/entries/getOwnPropertyNames, for…in, to a
//      call of an `any` or ambient function, or cast to/from `any`/`unknown`/index-signature types
//      (`counters as unknown as {[name]: number}` is how the status page gets its counters).
// When unsure, reserve. The mangled names are assigned here (most frequent name → shortest), so a
// build's names depend only on its input, and are handed to terser as its property name cache.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as acorn from 'acorn';

/**
 * Espruino API members the shipped code uses or hands over (docs/espruino.md §6, §7), reserved
 * explicitly even where the ambient declarations above would find them.
 */
export const ESPRUINO_NAMES = [
  // SPI: setup options, transfers
  'setup', 'send', 'write', 'sck', 'miso', 'mosi', 'baud', 'mode', 'order', 'bits', 'data', 'count',
  // pins and watches
  'repeat', 'edge', 'debounce', 'state', 'time', 'lastTime', 'irq', 'pin', 'data',
  // dgram (and Node's, which the tests use)
  'createSocket', 'bind', 'on', 'address', 'port', 'family', 'size', 'close', 'emit', 'removeAllListeners',
  'removeListener', 'addMembership',
  // E, process.memory, Storage, NetworkJS
  'sum', 'hwRand', 'toString', 'toUint8Array', 'getSizeOf', 'memory', 'free', 'total', 'usage', 'blocksize',
  'history', 'gc', 'gctime', 'stackEndAddress', 'read', 'readJSON', 'readArrayBuffer', 'erase', 'list',
  'compact', 'getFree', 'create', 'accept', 'recv', 'exports', 'raw',
  // Espruino's Object/Function prototype extras
  'clone', 'replaceWith',
];

/**
 * Names that are also properties of some JavaScript built-in (terser's DOM list, RegExp#flags, …) but that
 * the shipped code uses only on its own objects. The type analysis (rule b) would reserve any of them read
 * from a built-in or untyped value; none is called by the engine itself (as toString, valueOf, toJSON,
 * get/set of a property descriptor are). Renaming them saves ~1 KB of the WiFi bundle (measured
 * 2026-12-07: `flags` alone is 140 uses). The bundles run in the real interpreter in the gate.
 */
export const OUR_BUILTIN_NAMES = ['flags', 'closed', 'finish', 'finished', 'messageType', 'limits', 'listeners', 'waiting', 'pending'];

/** Never generated as a mangled name: keywords and short Espruino/JS names an object may inherit. */
const NEVER_GENERATE = ['do', 'if', 'in', 'on', 'id'];

export interface PropertyAnalysis {
  /** Names declared in shipped sources (rule a). */
  candidates: string[];
  /** Reserved names and the first reason found. */
  reserved: { [name: string]: string };
  /** candidates minus reserved, sorted. */
  allowed: string[];
}

function isShippedFile(abs: string, root: string): boolean {
  const rel = path.relative(root, abs).replace(/\\/g, '/');
  if (rel.startsWith('hal/sim/')) return false;
  return rel.startsWith('tcp/') || rel.startsWith('hal/') || rel.startsWith('firmware/');
}

const WORD = /[A-Za-z_$][\w$]*/g;

function words(s: string, into: (w: string) => void): void {
  const m = s.match(WORD);
  if (m) for (const w of m) into(w);
}

function propName(n: ts.PropertyName | ts.BindingName | undefined): string | null {
  if (!n) return null;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) return n.text;
  return null;
}

function isAmbient(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.canHaveModifiers(n)) {
      const mods = ts.getModifiers(n);
      if (mods && mods.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
    }
    if (ts.isSourceFile(n) && n.isDeclarationFile) return true;
  }
  return false;
}

interface SourceAnalysis {
  candidates: { [name: string]: true };
  reserved: { [name: string]: string };
}

const sourceCache: { [key: string]: SourceAnalysis } = Object.create(null);

/** The TypeScript part of the analysis, cached per file set and file versions (one build makes several bundles). */
function analyseSources(files: string[], root: string): SourceAnalysis {
  const key = root + '\n' + files.map((f) => {
    const st = fs.statSync(f);
    return f + ':' + st.size + ':' + st.mtimeMs;
  }).sort().join('\n');
  const hit = sourceCache[key];
  if (hit) return hit;
  const reserved: { [name: string]: string } = Object.create(null);
  const reserve = (name: string, why: string): void => {
    if (!(name in reserved)) reserved[name] = why;
  };
  const candidates: { [name: string]: true } = Object.create(null);
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2019,
    module: ts.ModuleKind.CommonJS,
    lib: ['lib.es2019.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const own = new Set(files.map((f) => path.resolve(f)));
  const isOwnDecl = (d: ts.Declaration): boolean => own.has(path.resolve(d.getSourceFile().fileName)) && !isAmbient(d);

  // Rule (d)/(b): a type's property names, recursively (properties, call signatures, index
  // signatures, type arguments). Private members are reserved but not followed.
  const seenTypes = new Set<ts.Type>();
  const reserveDeep = (t: ts.Type | undefined, why: string, at: ts.Node): void => {
    const stack: ts.Type[] = t ? [t] : [];
    while (stack.length) {
      const ty = stack.pop()!;
      if (seenTypes.has(ty)) continue;
      seenTypes.add(ty);
      if (ty.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) continue;
      if (ty.isUnionOrIntersection()) { for (const u of ty.types) stack.push(u); continue; }
      const args = (ty as ts.TypeReference).target ? checker.getTypeArguments(ty as ts.TypeReference) : [];
      for (const a of args) stack.push(a);
      const sym = ty.getSymbol() || ty.aliasSymbol;
      const decls = (sym && sym.declarations) || [];
      const fromLib = decls.length > 0 && decls.every((d) => d.getSourceFile().isDeclarationFile);
      for (const info of checker.getIndexInfosOfType(ty)) stack.push(info.type);
      for (const sig of ty.getCallSignatures().concat(ty.getConstructSignatures())) {
        for (const p of sig.getParameters()) stack.push(checker.getTypeOfSymbolAtLocation(p, at));
        stack.push(sig.getReturnType());
      }
      if (fromLib) continue; // built-ins (Array, Uint8Array, ...): terser reserves their names
      for (const p of checker.getPropertiesOfType(ty)) {
        reserve(p.name, why);
        const pd = p.declarations && p.declarations[0];
        const priv = pd && ts.canHaveModifiers(pd) && (ts.getModifiers(pd) || []).some((m) =>
          m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
        if (!priv) stack.push(checker.getTypeOfSymbolAtLocation(p, at));
      }
    }
  };
  const isLoose = (t: ts.Type): boolean =>
    !!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive | ts.TypeFlags.TypeParameter)) ||
    (checker.getIndexInfosOfType(t).length > 0 && checker.getPropertiesOfType(t).length === 0);
  const lacksNamesOf = (target: ts.Type, source: ts.Type): boolean => {
    if (isLoose(target)) return true;
    for (const p of checker.getPropertiesOfType(source)) if (!checker.getPropertyOfType(target, p.name)) return true;
    return false;
  };
  const isExternalCallee = (call: ts.CallExpression | ts.NewExpression): boolean => {
    const t = checker.getTypeAtLocation(call.expression);
    if (t.flags & ts.TypeFlags.Any) return true;
    const sig = checker.getResolvedSignature(call);
    const d = sig && sig.declaration;
    if (!d) return true;
    // Built-ins (lib .d.ts) do not see names, apart from LEAVING; ambient declarations in our files are Espruino's.
    if (d.getSourceFile().isDeclarationFile) return false;
    return isAmbient(d);
  };
  const LEAVING = /^(JSON\.stringify|Object\.keys|Object\.entries|Object\.getOwnPropertyNames)$/;

  for (const sf of program.getSourceFiles()) {
    if (!own.has(path.resolve(sf.fileName))) continue;
    const shipped = isShippedFile(sf.fileName, root);
    const networkJs = /firmware\/networkjs-driver[^/]*\.ts$/.test(sf.fileName.replace(/\\/g, '/'));
    const visit = (n: ts.Node): void => {
      // (c) words of every string literal and template piece.
      if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
        words(n.text, (w) => reserve(w, 'string literal in ' + path.basename(sf.fileName)));
      }
      // (a) declarations.
      if (shipped && !isAmbient(n)) {
        let name: string | null = null;
        if (ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isPropertySignature(n) ||
          ts.isMethodSignature(n) || ts.isPropertyAssignment(n)) name = propName(n.name);
        else if (ts.isShorthandPropertyAssignment(n)) name = n.name.text;
        else if (ts.isParameter(n) && ts.isConstructorDeclaration(n.parent) && ts.getModifiers(n)?.length) name = propName(n.name);
        else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name &&
          (ts.getModifiers(n) || []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) name = n.name.text;
        else if (ts.isVariableStatement(n) && (ts.getModifiers(n) || []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
          for (const d of n.declarationList.declarations) { const x = propName(d.name); if (x) candidates[x] = true; }
        } else if (ts.isExportSpecifier(n)) name = n.name.text;
        if (name) candidates[name] = true;
      }
      // Accessors become Object.defineProperty(…, "name", …): keep them as they are.
      if (ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)) {
        const x = propName(n.name);
        if (x) reserve(x, 'accessor');
      }
      // The NetworkJS driver is called by Espruino by name.
      if (networkJs && (ts.isClassDeclaration(n) || ts.isInterfaceDeclaration(n))) {
        for (const m of n.members) { const x = propName(m.name as ts.PropertyName); if (x) reserve(x, 'NetworkJS driver'); }
      }
      // (b) ambient declarations: everything reachable from their types.
      if (ts.canHaveModifiers(n) && (ts.getModifiers(n) || []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) {
        const stack: ts.Node[] = [n];
        while (stack.length) {
          const x = stack.pop()!;
          if ((ts.isPropertySignature(x) || ts.isMethodSignature(x)) && propName(x.name)) reserve(propName(x.name)!, 'ambient declaration');
          if (ts.isIdentifier(x) && (ts.isVariableDeclaration(x.parent) || ts.isFunctionDeclaration(x.parent))) {
            const s = checker.getSymbolAtLocation(x);
            if (s) reserveDeep(checker.getTypeOfSymbolAtLocation(s, x), 'ambient declaration', x);
          }
          ts.forEachChild(x, (c) => { stack.push(c); });
        }
      }
      // (b) property reads that resolve outside our code (lib, ambient) or not at all (any).
      if (ts.isPropertyAccessExpression(n)) {
        const s = checker.getSymbolAtLocation(n.name);
        const ds = (s && s.declarations) || [];
        if (!s || !ds.length || ds.some((d) => !isOwnDecl(d))) reserve(n.name.text, 'property of an external or any value');
      }
      // Object-literal keys whose target type does not name them (any, index signature, external).
      if (ts.isObjectLiteralExpression(n)) {
        const ct = checker.getContextualType(n);
        const lt = checker.getTypeAtLocation(n);
        if (ct && lacksNamesOf(ct, lt)) reserveDeep(lt, 'object literal into a loose type', n);
        if (ct) {
          for (const p of n.properties) {
            const x = propName(p.name as ts.PropertyName);
            if (!x) continue;
            const cp = checker.getPropertyOfType(ct, x);
            if (cp && (cp.declarations || []).some((d) => !isOwnDecl(d))) reserve(x, 'object literal key of an external type');
          }
        }
      }
      // (d) casts that forget or invent names.
      if ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && !(n.parent && (ts.isAsExpression(n.parent) || ts.isTypeAssertionExpression(n.parent)))) {
        // `x as unknown as T` is one cast from x's type to T.
        let inner: ts.Expression = n.expression;
        while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
        if ((ts.isAsExpression(inner) || ts.isTypeAssertionExpression(inner)) && isLoose(checker.getTypeAtLocation(inner))) inner = inner.expression;
        const src = checker.getTypeAtLocation(inner);
        let dst = checker.getTypeAtLocation(n);
        // `f(x as any)` into a parameter our own code types: the parameter's type is where x goes.
        const call = n.parent;
        if (isLoose(dst) && call && (ts.isCallExpression(call) || ts.isNewExpression(call)) && (call.arguments || [] as readonly ts.Node[]).indexOf(n as ts.Node) >= 0) {
          const sig = checker.getResolvedSignature(call);
          const d = sig && sig.declaration;
          const pt = checker.getContextualType(n);
          if (d && !d.getSourceFile().isDeclarationFile && !isAmbient(d) && pt && !isLoose(pt)) dst = pt;
        }
        if (isLoose(dst)) reserveDeep(src, 'cast to a loose type at ' + path.basename(sf.fileName) + ':' + n.getText(sf).slice(0, 50), n);
        if (isLoose(src)) reserveDeep(dst, 'cast from a loose type at ' + path.basename(sf.fileName) + ':' + n.getText(sf).slice(0, 50), n);
      }
      // (d) values that leave by name, or cross into / out of code we cannot see.
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const callee = n.expression.getText(sf);
        const external = LEAVING.test(callee) || isExternalCallee(n);
        if (external) for (const a of n.arguments || []) reserveDeep(checker.getTypeAtLocation(a), 'argument to ' + callee, a);
      }
      if (ts.isForInStatement(n)) reserveDeep(checker.getTypeAtLocation(n.expression), 'for…in', n);
      // An `any` flowing into a typed place: that type describes something from outside.
      if (ts.isExpression(n) && !ts.isObjectLiteralExpression(n)) {
        const p = n.parent;
        const slot = p && (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken ||
          ts.isVariableDeclaration(p) && p.initializer === n || ts.isPropertyDeclaration(p) && p.initializer === n ||
          ts.isPropertyAssignment(p) && p.initializer === n || ts.isReturnStatement(p) ||
          ts.isCallExpression(p) && (p.arguments as readonly ts.Node[]).indexOf(n as ts.Node) >= 0 ||
          ts.isNewExpression(p) && ((p.arguments || []) as readonly ts.Node[]).indexOf(n as ts.Node) >= 0);
        if (slot) {
          const t = checker.getTypeAtLocation(n);
          if (t.flags & ts.TypeFlags.Any) {
            const ct = checker.getContextualType(n);
            if (ct && !(ct.flags & ts.TypeFlags.Any)) reserveDeep(ct, 'any assigned to a typed place', n);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const result = { candidates, reserved };
  sourceCache[key] = result;
  return result;
}

/**
 * Analyses the TypeScript files of one bundle (absolute paths) and the ES5 bundle text.
 * `root` decides which files are shipped (rule a).
 */
export function analyseProperties(files: string[], es5Code: string, root: string): PropertyAnalysis {
  const src = analyseSources(files, root);
  const candidates = src.candidates;
  const reserved: { [name: string]: string } = Object.create(null);
  for (const k of Object.keys(src.reserved)) reserved[k] = src.reserved[k];
  const reserve = (name: string, why: string): void => {
    if (!(name in reserved)) reserved[name] = why;
  };
  // (c) on the ES5 bundle: strings the compiler made (defineProperty names, __rest keys) and the
  // helpers' and runtime's property names.
  for (const tok of acorn.tokenizer(es5Code, { ecmaVersion: 5 })) {
    if (tok.type === acorn.tokTypes.string || tok.type === acorn.tokTypes.template) words(String((tok as unknown as { value: unknown }).value), (w) => reserve(w, 'string in the ES5 bundle'));
  }
  const helperStart = es5Code.indexOf('var __c = {};');
  if (helperStart > 0) words(es5Code.slice(0, helperStart), (w) => reserve(w, 'helpers'));
  // The generated board module (firmware/board-selection): its exports and keys stay as they are.
  const gen = /^"firmware\/board-selection": function \(exports, module, require\) \{$/m.exec(es5Code);
  if (gen) words(es5Code.slice(gen.index, es5Code.indexOf('\n}', gen.index)), (w) => reserve(w, 'generated board module'));
  const regStart = es5Code.indexOf('var __g = ');
  if (regStart > 0) words(es5Code.slice(regStart), (w) => reserve(w, 'runtime'));
  for (const n of ESPRUINO_NAMES) reserve(n, 'Espruino API');
  for (const n of builtinNames()) if (OUR_BUILTIN_NAMES.indexOf(n) < 0) reserve(n, 'JavaScript built-in');
  const allowed = Object.keys(candidates).filter((n) => !(n in reserved) && /^[A-Za-z_$][\w$]*$/.test(n)).sort();
  return { candidates: Object.keys(candidates).sort(), reserved, allowed };
}

let builtinCache: string[] | null = null;

/**
 * The names terser's own builtin reservation covers (its tools/domprops.js and the own and prototype
 * property names of the standard constructors), so the allow-list and the reported mangle map agree
 * with what terser does.
 */
export function builtinNames(): string[] {
  if (builtinCache) return builtinCache;
  const out: { [n: string]: true } = Object.create(null);
  try {
    const src = fs.readFileSync(require.resolve('terser/package.json').replace(/package\.json$/, 'tools/domprops.js'), 'utf8');
    const re = /"((?:[^"\\]|\\.)*)"/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(src))) out[m[1]] = true;
  } catch (e) {
    // terser's list not found: its own reservation still applies inside terser
  }
  const g = globalThis as unknown as { [k: string]: unknown };
  const ctors = ['Object', 'Array', 'Function', 'Number', 'String', 'Boolean', 'Error', 'Math', 'Date', 'RegExp', 'Symbol',
    'ArrayBuffer', 'DataView', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'eval', 'EvalError',
    'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'isFinite', 'isNaN', 'JSON', 'Map', 'parseFloat',
    'parseInt', 'Promise', 'Proxy', 'RangeError', 'ReferenceError', 'Reflect', 'Set', 'SyntaxError', 'TypeError', 'Uint8Array',
    'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'URIError', 'WeakMap', 'WeakSet'];
  for (const c of ctors) {
    const v = g[c] as { prototype?: object } | undefined;
    if (!v) continue;
    for (const n of Object.getOwnPropertyNames(v)) out[n] = true;
    if (v.prototype) for (const n of Object.getOwnPropertyNames(v.prototype)) out[n] = true;
  }
  builtinCache = Object.keys(out);
  return builtinCache;
}

const FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$';
const REST = FIRST + '0123456789';

function nthName(i: number): string {
  let s = FIRST[i % FIRST.length];
  i = Math.floor(i / FIRST.length);
  while (i > 0) {
    i -= 1;
    s += REST[i % REST.length];
    i = Math.floor(i / REST.length);
  }
  return s;
}

/**
 * Assigns short names: the most frequent property (counted as `.name` and `name:` in `code`) gets
 * the shortest. A generated name never equals any word in `code` that is not itself being renamed.
 */
export function assignNames(allowed: string[], code: string): { [name: string]: string } {
  const allow: { [n: string]: true } = Object.create(null);
  for (const n of allowed) allow[n] = true;
  const count: { [n: string]: number } = Object.create(null);
  const taken: { [n: string]: true } = Object.create(null);
  for (const n of NEVER_GENERATE) taken[n] = true;
  words(code, (w) => {
    if (allow[w]) count[w] = (count[w] || 0) + 1;
    else taken[w] = true;
  });
  const order = allowed.slice().sort((a, b) => (count[b] || 0) - (count[a] || 0) || (a < b ? -1 : a > b ? 1 : 0));
  const out: { [name: string]: string } = {};
  let i = 0;
  for (const n of order) {
    let m = nthName(i++);
    while (taken[m] || allow[m]) m = nthName(i++);
    // Only when shorter; a name left as it is is not renamed at all (and its short name stays free).
    if (m.length < n.length) out[n] = m;
    else i--;
  }
  return out;
}

/**
 * Shipped files of types only, never a bundle module (their imports are elided), whose declarations are
 * ours all the same (rule a): the stack's ports, which hal/ implements. Without them an access through
 * a port type (`random.nextU32()`) would count as a property of an external value and stay unmangled.
 */
export const TYPE_ONLY_SOURCES = ['tcp/ports.ts'];

/** The TypeScript files behind a wrapped bundle's registry ids (generated modules have none), and TYPE_ONLY_SOURCES. */
export function bundleFiles(es5Code: string, root: string): string[] {
  const out: string[] = [];
  const re = /^"([^"]+)": function \(exports, module, require\) \{$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(es5Code))) {
    for (const ext of ['.ts', '.js']) {
      const f = path.join(root, m[1] + ext);
      if (fs.existsSync(f)) { out.push(f); break; }
    }
  }
  for (const t of TYPE_ONLY_SOURCES) {
    const f = path.join(root, t);
    if (out.length && fs.existsSync(f)) out.push(f);
  }
  return out;
}

/** Escapes a name for an exact-match alternative in a RegExp. */
export function exactNamesRegex(names: string[]): RegExp {
  if (!names.length) return /^$a/; // matches nothing
  return new RegExp('^(?:' + names.map((n) => n.replace(/\$/g, '\\$')).join('|') + ')$');
}
