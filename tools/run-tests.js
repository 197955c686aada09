#!/usr/bin/env node
// Runs every uvu test file under test/ (or the paths given) in one Node process with ts-node,
// streams uvu's output, and closes with the line CI counts: "N passed, M failed".
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const dir = args[0] || 'test';
const pattern = args[1] || '\\.test\\.ts$';
// Plain output (no colour codes) whatever the caller's terminal settings.
function plainEnv() {
  const env = Object.assign({}, process.env, { TS_NODE_TRANSPILE_ONLY: 'true' });
  delete env.FORCE_COLOR;
  return env;
}
const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
const res = spawnSync(process.execPath, [uvu, '-r', 'ts-node/register', '--no-color', dir, pattern], {
  cwd: root,
  env: plainEnv(),
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
const out = (res.stdout || '') + (res.stderr || '');
process.stdout.write(out);
const num = (label) => {
  const m = out.match(new RegExp('^\\s*' + label + ':\\s+(\\d+)', 'm'));
  return m ? Number(m[1]) : NaN;
};
const total = num('Total');
const passed = num('Passed');
let failed;
if (Number.isNaN(total) || Number.isNaN(passed)) {
  // uvu crashed before its summary (e.g. a file threw at load): count that as a failure.
  failed = 1;
  console.log('\ntest runner did not finish (exit ' + res.status + ')');
  console.log((Number.isNaN(passed) ? 0 : passed) + ' passed, ' + failed + ' failed');
  process.exit(1);
}
failed = total - passed - (num('Skipped') || 0);
if (res.status !== 0 && failed === 0) failed = 1;
console.log('\n' + passed + ' passed, ' + failed + ' failed');
process.exit(failed === 0 ? 0 : 1);
