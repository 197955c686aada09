#!/usr/bin/env node
// Runs every uvu test file under test/ (or the directory and file pattern given) in one Node process with
// ts-node, streams uvu's output as it comes with a progress line per file, and closes with the line CI
// counts: "N passed, M failed".
//
// No file can hang the run: a file that runs longer than ETCPIP_TEST_FILE_TIMEOUT_S (default 900 s) is
// named, counted as failed, and the run ends (its process group is stopped: SIGTERM, which lets the
// namespace helpers clean up, then SIGKILL).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const dir = args[0] || 'test';
const pattern = args[1] || '\\.test\\.ts$';
const fileLimitMs = 1000 * (Number(process.env.ETCPIP_TEST_FILE_TIMEOUT_S) || 900);

// Plain output (no colour codes) whatever the caller's terminal settings.
function plainEnv() {
  const env = Object.assign({}, process.env, { TS_NODE_TRANSPILE_ONLY: 'true' });
  delete env.FORCE_COLOR;
  return env;
}

/** The test files uvu will run (the same walk and pattern), relative to `dir`, for the progress lines. */
function testFiles(base) {
  const out = [];
  const re = new RegExp(pattern);
  const walk = (d) => {
    let entries = [];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch (e) { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules') walk(p); }
      else if (re.test(path.relative(base, p))) out.push(path.relative(base, p));
    }
  };
  const abs = path.resolve(root, base);
  if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return [path.basename(abs)];
  walk(abs);
  return out;
}

// The machine's own set-up first (Debian packages the tests use): tools/test-setup.js.
require('./test-setup');

const files = testFiles(dir);
const started = Date.now();
const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
const child = spawn(process.execPath, [uvu, '-r', 'ts-node/register', '--no-color', dir, pattern], {
  cwd: root, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true,
});

let out = '';
let current = null;
let currentSince = Date.now();
let done = 0;
let timedOut = null;
const seconds = (ms) => Math.round(ms / 1000) + ' s';

function take(chunk, stream) {
  const s = chunk.toString();
  out += s;
  if (out.length > 50e6) out = out.slice(-20e6); // bounded; the summary is at the end
  stream.write(s);
  // uvu names each file on a line of its own before its results.
  for (const line of s.split('\n')) {
    const name = line.trim();
    if (name && files.indexOf(name) >= 0 && name !== current) {
      if (current) done++;
      current = name;
      currentSince = Date.now();
      process.stdout.write('[' + (done + 1) + '/' + files.length + ', ' + seconds(Date.now() - started) + '] ' + name + '\n');
    }
  }
}
child.stdout.on('data', (b) => take(b, process.stdout));
child.stderr.on('data', (b) => take(b, process.stderr));

function stopGroup() {
  try { process.kill(-child.pid, 'SIGTERM'); } catch (e) { /* gone */ }
  setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 5000).unref();
}

const watchdog = setInterval(() => {
  if (Date.now() - currentSince > fileLimitMs && !timedOut) {
    timedOut = current || 'loading the test files (uvu loads every file before it runs the first)';
    process.stdout.write('\nTIMEOUT: ' + timedOut + ' ran over ' + seconds(fileLimitMs) +
      ' (ETCPIP_TEST_FILE_TIMEOUT_S); stopping the run\n');
    stopGroup();
  }
}, 1000);

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { stopGroup(); process.exit(130); });
}

child.on('close', (status) => {
  clearInterval(watchdog);
  const num = (label) => {
    const m = out.match(new RegExp('^\\s*' + label + ':\\s+(\\d+)', 'm'));
    return m ? Number(m[1]) : NaN;
  };
  const total = num('Total');
  const passed = num('Passed');
  if (timedOut || Number.isNaN(total) || Number.isNaN(passed)) {
    // A file ran over its time, or uvu crashed before its summary (e.g. a file threw at load).
    const p = Number.isNaN(passed) ? 0 : passed;
    console.log('\ntest runner did not finish' + (timedOut ? ' (' + timedOut + ' ran over its time)' : ' (exit ' + status + ')'));
    console.log(p + ' passed, 1 failed');
    process.exit(1);
  }
  let failed = total - passed - (num('Skipped') || 0);
  if (status !== 0 && failed === 0) failed = 1;
  // Tests this machine cannot run say so with one marked line each (test/helpers/skip.ts); they return
  // early, so uvu counts them as passed. Under CI=true a skip is a failure (skipTest throws there too).
  const skips = [];
  const re = /\*\*\* ETCPIP-SKIPPED: (.+?) \*\*\*/g;
  for (let m = re.exec(out); m; m = re.exec(out)) if (skips.indexOf(m[1]) < 0) skips.push(m[1]);
  if (skips.length) {
    console.log('\nskipped (' + skips.length + '):');
    for (const s of skips) console.log('  - ' + s);
    if (process.env.CI === 'true') failed += skips.length;
  }
  console.log('\n' + Math.max(0, passed - skips.length) + ' passed, ' + failed + ' failed, ' + skips.length + ' skipped');
  process.exit(failed === 0 ? 0 : 1);
});
