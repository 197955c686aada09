// Safe property mangling (tools/build/mangle.ts): only names on the computed allow-list are renamed;
// a name that also occurs as a string, leaves by JSON or belongs to Espruino keeps its spelling; the
// built firmware serves the same status JSON keys as without mangling; the map is stable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import * as ts from 'typescript';
import { buildBundle, minifyEs5Detailed } from '../../tools/build/bundle';
import { analyseProperties, ESPRUINO_NAMES, OUR_BUILTIN_NAMES } from '../../tools/build/mangle';
import { exchange } from '../firmware/http-client';
import { bootBundle } from '../helpers/bundle-sandbox';
import { estimateBlocks, mangledNameLength } from '../../tools/model/espruino-memory';
import { memoryEstimate } from '../../bench/device-cost';

// ---- a planted fixture: shipped-looking sources under a temporary root

const FIXTURE: { [id: string]: string } = {
  'tcp/planted': [
    'export class Planted {',
    '  renameMe = 1;',          // ours, used only as a property: mangled
    '  plantedField = 2;',      // also read by its string name below: kept
    '  shownField = 3;',        // leaves through JSON.stringify: kept
    '  send(): number { return this.renameMe + this.plantedField; }', // an Espruino API name: kept
    '}',
    'export function show(o: { shownField: number }): string { return JSON.stringify(o); }',
  ].join('\n'),
  'tcp/entry': [
    "import { Planted, show } from './planted';",
    'declare function print(s: string): void;',
    'const p = new Planted();',
    "print(String(p['plantedField']));",
    'print(show({ shownField: p.shownField }));',
    'print(String(p.send()) + String(p.renameMe));',
  ].join('\n'),
};

function fixtureBundle(): { root: string; es5: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-mangle-'));
  const parts: string[] = [];
  for (const id of Object.keys(FIXTURE)) {
    const file = path.join(root, id + '.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, FIXTURE[id]);
    const js = ts.transpileModule(FIXTURE[id], { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, noEmitHelpers: true } })
      .outputText.replace(/require\("\.\/planted"\)/, 'require("tcp/planted")');
    parts.push(JSON.stringify(id) + ': function (exports, module, require) {\n' + js + '\n}');
  }
  const es5 = '(function () {\n"use strict";\nvar __c = {};\nvar __m = {\n' + parts.join(',\n') + '\n};\n' +
    'var __g = typeof require === "function" ? require : undefined;\n' +
    'var __r = function (id) {\n  var c = __c[id];\n  if (c) return c.exports;\n  var f = __m[id];\n  if (!f) return __g(id);\n' +
    '  c = __c[id] = { exports: {} };\n  f(c.exports, c, __r);\n  return c.exports;\n};\n__r("tcp/entry");\n})();\n';
  return { root, es5 };
}

function runPrint(code: string): string[] {
  const out: string[] = [];
  vm.runInNewContext(code, { print: (s: unknown) => out.push(String(s)) });
  return out;
}

test('a planted name used as a string, JSON output or Espruino API keeps its spelling; the rest is renamed', () => {
  const { root, es5 } = fixtureBundle();
  try {
    const files = Object.keys(FIXTURE).map((id) => path.join(root, id + '.ts'));
    const a = analyseProperties(files, es5, root);
    assert.ok(a.candidates.includes('renameMe') && a.candidates.includes('plantedField') && a.candidates.includes('shownField'));
    assert.ok(a.allowed.includes('renameMe'), 'renameMe is allowed: ' + a.reserved.renameMe);
    assert.not.ok(a.allowed.includes('plantedField'), 'plantedField occurs as a string');
    assert.match(a.reserved.plantedField, /string/);
    assert.not.ok(a.allowed.includes('shownField'), 'shownField leaves through JSON.stringify');
    assert.not.ok(a.allowed.includes('send'), 'send is an Espruino API name');
    const plain = minifyEs5Detailed(es5, { mangleProperties: false, root });
    const mangled = minifyEs5Detailed(es5, { root });
    assert.ok(mangled.propertyNames.renameMe && mangled.propertyNames.renameMe.length < 'renameMe'.length);
    assert.not.ok('plantedField' in mangled.propertyNames);
    assert.not.match(mangled.code, 'renameMe');
    assert.match(mangled.code, 'plantedField');
    assert.match(mangled.code, '.send(');
    assert.equal(runPrint(mangled.code), runPrint(plain.code));
    assert.equal(runPrint(mangled.code), ['2', '{"shownField":3}', '31']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// ---- the firmware: Espruino and status names stay, the map is stable

const sim = buildBundle({ entry: 'firmware/main.ts', board: 'sim' });
const simPlain = buildBundle({ entry: 'firmware/main.ts', board: 'sim', mangleProperties: false });

test('the firmware bundle is smaller mangled; Espruino API and NetworkJS driver names are never renamed', () => {
  const names = Object.keys(sim.propertyNames);
  assert.ok(names.length > 100, names.length + ' names renamed');
  assert.ok(sim.code.length < simPlain.code.length, sim.code.length + ' < ' + simPlain.code.length);
  assert.equal(simPlain.propertyNames, {});
  for (const n of ESPRUINO_NAMES) assert.not.ok(Object.prototype.hasOwnProperty.call(sim.propertyNames, n), n);
  for (const n of ['create', 'close', 'accept', 'recv', 'send', 'setup', 'write', 'hwRand', 'sum', 'toString', 'blocksize']) {
    assert.not.ok(Object.prototype.hasOwnProperty.call(sim.propertyNames, n), n);
  }
  for (const n of names) assert.ok(sim.propertyNames[n].length < n.length, n + ' → ' + sim.propertyNames[n]);
  // Names a built-in also has are renamed only when listed as ours (the socket's flags, say); what the
  // engine calls by itself, and property-descriptor keys, never.
  assert.ok(OUR_BUILTIN_NAMES.filter((n) => Object.prototype.hasOwnProperty.call(sim.propertyNames, n)).length >= 5);
  for (const n of ['toString', 'valueOf', 'toJSON', 'constructor', 'prototype', 'get', 'set', 'value', 'length', 'name', 'message', 'then']) {
    assert.not.ok(Object.prototype.hasOwnProperty.call(sim.propertyNames, n), n);
  }
  // Two mangled names never coincide.
  const back: { [m: string]: string } = {};
  for (const n of names) {
    assert.not.ok(back[sim.propertyNames[n]], sim.propertyNames[n] + ' for both ' + back[sim.propertyNames[n]] + ' and ' + n);
    back[sim.propertyNames[n]] = n;
  }
});

test('a bundle with the NetworkJS driver keeps every name Espruino calls or reads on it', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { NetworkJsDriver } = require('../../firmware/networkjs-driver');
  const b = buildBundle({ entry: 'firmware/networkjs-driver.ts' });
  const methods = Object.getOwnPropertyNames(NetworkJsDriver.prototype).filter((n) => n !== 'constructor');
  for (const n of ['create', 'close', 'accept', 'recv', 'send']) assert.ok(methods.includes(n), n);
  for (const n of methods) assert.not.ok(Object.prototype.hasOwnProperty.call(b.propertyNames, n), n + ' is renamed');
  assert.ok(Object.keys(b.propertyNames).length > 0, 'other names are renamed');
});

test('the mangle map is the same for the same input', () => {
  const again = minifyEs5Detailed(sim.es5Code, { shortModuleIds: true }); // as buildBundle does
  assert.equal(again.propertyNames, sim.propertyNames);
  assert.ok(again.code === sim.code, 'the same minified bundle');
});

// ---- the built bundle's status JSON, mangled vs not

function serveStatus(code: string): { json: unknown; html: string } {
  const b = bootBundle(code);
  const x = exchange(b.client.connect({ host: '10.0.2.15', port: 80 }),
    'GET /api/status HTTP/1.1\r\nHost: d\r\n\r\nGET / HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
  b.run(x.done, 2000000);
  assert.ok(x.done(), 'the connection finished');
  const reader = x.reader;
  assert.equal(reader.responses.map((r) => r.status), [200, 200]);
  return { json: JSON.parse(reader.responses[0].body), html: reader.responses[1].body };
}

function keyPaths(v: unknown, prefix: string, out: string[]): string[] {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of Object.keys(v as object)) {
      out.push(prefix + k);
      keyPaths((v as { [k: string]: unknown })[k], prefix + k + '.', out);
    }
  }
  return out;
}

test('the status JSON and page served by the mangled bundle have the same keys as the TypeScript firmware\'s', () => {
  const mangled = serveStatus(sim.code);
  const plain = serveStatus(simPlain.code);
  const keys = keyPaths(mangled.json, '', []);
  assert.equal(keys, keyPaths(plain.json, '', []));
  for (const k of ['board', 'uptimeMs', 'counters.tcp.retransmits', 'counters.device.rxFrames', 'counters.http.requests', 'memory.blockSize']) {
    assert.ok(keys.includes(k), k);
  }
  const labels = (h: string) => (h.match(/<th>[^<]*<\/th>/g) || []).join(',');
  assert.is(labels(mangled.html), labels(plain.html));
  assert.match(labels(mangled.html), '<th>rx segments</th>');
});

test('with short module ids (as device builds have them) the bundle still boots and serves the same status keys', () => {
  // Registry shape (the shipped bundle is hoisted: no registry, no ids at all).
  const short = minifyEs5Detailed(sim.es5Code, { shortModuleIds: true, hoistModules: false });
  const long = minifyEs5Detailed(sim.es5Code, { hoistModules: false });
  assert.ok(short.code.length < long.code.length, short.code.length + ' < ' + long.code.length);
  assert.match(long.code, '"tcp/stack"');
  assert.ok(sim.hoisted);
  assert.not.match(sim.code, '"tcp/stack"');
  assert.equal(short.propertyNames, sim.propertyNames);
  assert.not.match(short.code, '"tcp/stack"');
  assert.is(short.moduleKeys!['firmware/main'] >= 0, true);
  assert.equal(keyPaths(serveStatus(short.code).json, '', []), keyPaths(serveStatus(simPlain.code).json, '', []));
});

test('the memory estimate can count property names at their mangled length', () => {
  // 1 object block + a name of 15 characters (1 + ceil(11/10) = 3) + a short one (1).
  const o = { retransmissions: 1, ab: 2 };
  assert.is(estimateBlocks(o), 5);
  assert.is(estimateBlocks(o, new Set(), { nameLength: mangledNameLength({ retransmissions: 'Qa' }) }), 3);
  const names = buildBundle({ entry: 'firmware/main.ts', board: 'wifi' }).propertyNames;
  const plain = memoryEstimate();
  const mangled = memoryEstimate({ nameLength: mangledNameLength(names) });
  assert.ok(mangled.idleBlocks < plain.idleBlocks, mangled.idleBlocks + ' < ' + plain.idleBlocks);
  assert.ok(mangled.perTcpConnectionBlocks < plain.perTcpConnectionBlocks, mangled.perTcpConnectionBlocks + ' < ' + plain.perTcpConnectionBlocks);
  if (process.env.DBG) console.log(plain, mangled);
});

test.run();
