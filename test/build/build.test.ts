// `npm run build`: one ES5 file, dist/size.json, and a size report whose numbers add up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { execSync } from 'child_process';
import { buildBundle, localiseConstants, SMOKE_ENTRY, BOARD_MODULE_ID } from '../../tools/build/bundle';
import { formatReport, partOf, sizeReport } from '../../tools/build/size-report';
import { parseBuildArgs, runBuild, buildConfig } from '../../tools/build';
import { boardConfig } from '../../firmware/boards';
import { runUnderDuk } from '../../tools/gate/duk';
import { checkBundle } from '../../tools/gate/checks';
import { declareLateVarsFirst } from '../../tools/build/declaration-order';

const smoke = buildBundle({ entry: SMOKE_ENTRY });

test('the size report sums: modules + runtime + one scope = file size; parts = their modules', () => {
  const r = sizeReport(smoke);
  assert.ok(r.modules.length >= 3);
  const minSum = r.modules.reduce((s, m) => s + m.minBytes, 0);
  // The shipped bundle is hoisted (modules in one scope): module bytes come from its registry shape.
  assert.ok(smoke.hoisted && r.measuredOnRegistryShape);
  assert.is(minSum + r.runtimeMinBytes + r.sharedScopeBytes, r.totalMinBytes);
  assert.ok(r.sharedScopeBytes < 0, 'one scope is smaller: ' + r.sharedScopeBytes);
  assert.is(r.totalMinBytes, Buffer.byteLength(smoke.code));
  assert.ok(r.runtimeMinBytes > 0 && r.runtimeMinBytes < 1000, String(r.runtimeMinBytes));
  for (const m of r.modules) {
    assert.ok(m.minBytes > 0, m.id + ' has no minified span');
    assert.ok(m.minBytes < m.es5Bytes, m.id + ' did not shrink');
  }
  for (const p of r.parts) {
    const mods = r.modules.filter((m) => m.part === p.part);
    assert.is(p.modules, mods.length);
    assert.is(p.minBytes, mods.reduce((s, m) => s + m.minBytes, 0));
    assert.is(p.es5Bytes, mods.reduce((s, m) => s + m.es5Bytes, 0));
  }
  assert.is(r.parts.reduce((s, p) => s + p.minBytes, 0), minSum);
  const text = formatReport(r);
  assert.match(text, new RegExp('total\\s+' + r.totalSourceBytes + '\\s+' + r.bundleEs5Bytes + '\\s+' + r.totalMinBytes));
  assert.match(text, 'measured on the registry shape');
  assert.match(text, new RegExp('one scope \\(hoisted\\)\\s+' + r.sharedScopeBytes));
});

test('the size report of a registry-shaped bundle measures its modules in it: modules + runtime = file size', () => {
  const reg = buildBundle({ entry: SMOKE_ENTRY, hoistModules: false });
  const r = sizeReport(reg);
  assert.not.ok(reg.hoisted || r.measuredOnRegistryShape);
  assert.is(r.sharedScopeBytes, 0);
  assert.is(r.modules.reduce((s, m) => s + m.minBytes, 0) + r.runtimeMinBytes, Buffer.byteLength(reg.code));
  assert.not.match(formatReport(r), 'one scope');
  // the same per-module figures as the hoisted bundle's report
  assert.equal(r.modules, sizeReport(smoke).modules);
});

test('parts group by top folder and layer', () => {
  assert.is(partOf('tcp/wire/checksum'), 'tcp/wire');
  assert.is(partOf('hal/drivers/w5500'), 'hal/drivers');
  assert.is(partOf('firmware/http/server'), 'firmware/http');
  assert.is(partOf('firmware/main'), 'firmware');
});

test('runBuild writes dist/firmware.js (the minified bundle) and dist/size.json', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-build-'));
  try {
    const { bundle, report } = runBuild({ entry: SMOKE_ENTRY, board: 'default', out });
    assert.is(fs.readFileSync(path.join(out, 'firmware.js'), 'utf8'), bundle.code);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'size.json'), 'utf8'));
    assert.is(saved.totalMinBytes, report.totalMinBytes);
    assert.is(saved.modules.length, report.modules.length);
    assert.not.match(bundle.code, /\n\s+/); // minified: no indented lines
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('argument parsing: --entry, --board, --out; unknown arguments are errors', () => {
  const a = parseBuildArgs(['--entry', 'x.ts', '--board', 'sim', '--out', '/tmp/x']);
  assert.is(a.entry, 'x.ts');
  assert.is(a.board, 'sim');
  assert.is(a.out, '/tmp/x');
  assert.throws(() => parseBuildArgs(['--frob']));
});

test('--ip / --gateway / --dhcp replace the preset\'s address and nothing else; bad values and conflicts are errors', () => {
  const a = parseBuildArgs(['--board', 'pico', '--ip', '10.1.2.3/16', '--gateway', '10.1.0.1']);
  const c = buildConfig(a) as { ipv4: unknown; buffers: { maxConnections: number }; apps: unknown };
  assert.equal(c.ipv4, { address: '10.1.2.3', prefixLength: 16, gateway: '10.1.0.1', dns: [] });
  const pico = boardConfig('pico')!;
  assert.equal(c.buffers, pico.buffers, 'the preset otherwise whole');
  assert.equal(c.apps, pico.apps);
  assert.equal((buildConfig(parseBuildArgs(['--board', 'pico', '--ip', '192.168.0.9'])) as { ipv4: { prefixLength: number } }).ipv4.prefixLength, 24);
  assert.is((buildConfig(parseBuildArgs(['--board', 'pico', '--dhcp'])) as { ipv4: unknown }).ipv4, 'dhcp');
  assert.is(buildConfig(parseBuildArgs(['--board', 'pico'])), undefined, 'no override: the preset as it is');
  assert.throws(() => parseBuildArgs(['--ip', '10.1.2.300/24']), /--ip/);
  assert.throws(() => parseBuildArgs(['--ip', '10.1.2.3/31']), /--ip/);
  assert.throws(() => parseBuildArgs(['--ip', '10.1.2.3', '--dhcp']), /exclude/);
  assert.throws(() => parseBuildArgs(['--gateway', '10.1.0.1']), /goes with --ip/);
});

test('--board reaches the firmware as BOARD from the generated firmware/board-selection', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-board-'));
  try {
    const entry = path.join(dir, 'entry.ts');
    const rel = path.relative(dir, path.join(__dirname, '..', '..', BOARD_MODULE_ID)).replace(/\\/g, '/');
    fs.writeFileSync(entry, "import { BOARD } from '" + rel + "';\ndeclare const print: (s: string) => void;\nprint('board=' + BOARD);\n");
    const b = buildBundle({ entry, board: 'sim' });
    assert.ok(b.modules.some((m) => m.id === BOARD_MODULE_ID && m.sourceBytes === 0));
    const r = runUnderDuk(b.code);
    assert.ok(r.ok, r.output);
    assert.match(r.output, /board=sim/);
    assert.match(runUnderDuk(buildBundle({ entry }).code).output, /board=default/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown --board names are rejected when firmware/boards.ts knows the boards', () => {
  if (!fs.existsSync(path.join(__dirname, '..', '..', 'firmware', 'boards.ts'))) return;
  assert.throws(() => runBuild({ entry: SMOKE_ENTRY, board: 'no-such-board', out: os.tmpdir() }), /unknown board/);
});

test('the bundle keeps no helpers from TypeScript and no "use strict" surprises: its modules are in one named function after it', () => {
  // the smoke test needs no helper; the modules' one scope is a named function, declared then called
  // (tools/build/named-entry.ts: a thrown Error stays cheap on a board)
  assert.match(smoke.code, /^"use strict";function __etcpip\(\)\{/);
  assert.match(smoke.code, /\}__etcpip\(\);$/);
  assert.not.match(smoke.code, /extendStatics|Array\.prototype\.slice/);
});

test('exported number constants are read locally inside their module; reassigned exports are left alone', () => {
  const js = 'exports.A = 28;\nexports.C = 1;\nfunction f(b) { return b[exports.A] + exports.AB + exports.C; }\nexports.C = 2;\n';
  assert.is(localiseConstants(js), 'var __k_A = exports.A = 28;\nexports.C = 1;\nfunction f(b) { return b[__k_A] + exports.AB + exports.C; }\nexports.C = 2;\n');
  assert.is(localiseConstants('exports.D = 3;\nexports.D++;\n'), 'exports.D = 3;\nexports.D++;\n');
});

test('a var the minifier leaves declared after its first use is declared first (after directives)', () => {
  assert.is(declareLateVarsFirst('function f(a){if(a){r=1}for(;;){var r;break}return r}'), 'function f(a){var r;if(a){r=1}for(;;){var r;break}return r}');
  assert.is(declareLateVarsFirst('function f(){"use strict";r=1;var r;return r}'), 'function f(){"use strict";var r;r=1;var r;return r}');
  // Within one statement: the if-branch assigns the name the else-branch declares (terser's output for
  // two block-scoped consts of one name; on Espruino the assignment overwrote a top-level function d).
  assert.is(declareLateVarsFirst('function d(){}function f(t,o){if(o===0){var k=null!==(d=t.O)&&d.r}else if(o>0){var d;(d=t.g()).x=1}}'),
    'function d(){}function f(t,o){var d;if(o===0){var k=null!==(d=t.O)&&d.r}else if(o>0){var d;(d=t.g()).x=1}}');
  const clean = 'function f(){var r=1;return r}';
  assert.is(declareLateVarsFirst(clean), clean);
  const sameStatement = 'function f(a){for(var i=0;i<a;i++){var r=i;a-=r}return a}';
  assert.is(declareLateVarsFirst(sameStatement), sameStatement);
});

test('two block-scoped consts of one name (as in a driver reset loop) build into a bundle that passes the gate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-vars-'));
  try {
    const entry = path.join(dir, 'loops.ts');
    fs.writeFileSync(entry, [
      'declare const print: (s: string) => void;',
      'export function ready(first: boolean, read: () => number): boolean {',
      '  if (first) { for (let i = 0; i < 3; i++) { const st = read(); if ((st & 8) === 0 && (st & 1)) return true; } return false; }',
      '  for (let j = 0; j < 3; j++) { const st = read(); if ((st & 8) === 0 && (st & 1)) return true; }',
      '  return false;',
      '}',
      "print('ready ' + ready(true, function () { return 1; }) + ' ' + ready(false, function () { return 8; }));",
    ].join('\n'));
    const b = buildBundle({ entry });
    assert.equal(checkBundle(b.code).map((f) => f.message), []);
    const r = runUnderDuk(b.code);
    assert.match(r.output, /ready true false/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('imported functions are called as m.f(): safe because no exported function of shipped code reads this', () => {
  const files = execSync("git ls-files 'tcp/*.ts' 'hal/*.ts' 'firmware/*.ts'", { cwd: path.join(__dirname, '..', '..') })
    .toString().trim().split('\n').filter((f) => !f.startsWith('hal/sim/'));
  const readsThis: string[] = [];
  for (const f of files) {
    const sf = ts.createSourceFile(f, fs.readFileSync(path.join(__dirname, '..', '..', f), 'utf8'), ts.ScriptTarget.ES2019, true);
    for (const st of sf.statements) {
      if (!ts.isFunctionDeclaration(st) || !(ts.getCombinedModifierFlags(st) & ts.ModifierFlags.Export)) continue;
      const walk = (n: ts.Node): void => {
        if (n.kind === ts.SyntaxKind.ThisKeyword) readsThis.push(f + ': ' + (st.name ? st.name.text : '?'));
        if (ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isClassLike(n)) return;
        ts.forEachChild(n, walk);
      };
      ts.forEachChild(st, walk);
    }
  }
  assert.equal(readsThis, []);
  const fw = buildBundle({ entry: 'firmware/main.ts', board: 'sim', minify: false }).es5Code;
  assert.not.match(fw, /\(0, [\w$]+_\d+\.[\w$]+\)\(/);
  assert.match(fw, /seq_1\.seqAdd\(/);
});

test.run();
