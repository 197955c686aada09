#!/usr/bin/env node
// What a fresh Debian machine needs before `npm test`, installed by the test command itself
// (tools/run-tests.js calls this first; .ci/run only runs `npm install && npm test`):
// network namespaces and TAP peers (iproute2, socat, dnsmasq, ping, curl, hping3, udhcpc, dig, ethtool),
// the second JS engine of the gate (duktape), captures (tcpdump, tshark), the status page screenshot
// (chromium), and qemu-user for the board-sized Espruino interpreters (i386 programs this kernel may
// refuse). As root with apt it installs what is missing; otherwise it names what is missing and the one
// command that installs it. ETCPIP_SKIP_SETUP=1 skips this step. `npm run bench` asks for two more through
// `ensure` (bench/run.ts): apache2-utils (ab) and valgrind.
'use strict';
const { spawnSync } = require('child_process');

const PACKAGES = ['iproute2', 'socat', 'duktape', 'dnsmasq-base', 'tcpdump', 'tshark', 'hping3', 'curl', 'chromium',
  'ethtool', 'udhcpc', 'iputils-ping', 'dnsutils', 'qemu-user'];

function installed(p) {
  const r = spawnSync('dpkg', ['-s', p], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Installs the Debian packages of `packages` that are missing (as root with apt), else names them. */
function ensure(packages, label) {
  if (process.env.ETCPIP_SKIP_SETUP === '1') return;
  if (spawnSync('dpkg', ['--version'], { stdio: 'ignore' }).error) return; // not Debian: nothing to check
  const missing = packages.filter((p) => !installed(p));
  if (!missing.length) return;
  const command = 'apt-get update && apt-get install -y --no-install-recommends ' + missing.join(' ');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error) {
    console.log(label + ': missing Debian packages: ' + missing.join(' ') + '\n  what needs them will skip or fail; as root run: ' + command);
    return;
  }
  console.log(label + ': installing ' + missing.join(' ') + ' (apt-get)');
  const env = Object.assign({}, process.env, { DEBIAN_FRONTEND: 'noninteractive' });
  spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit', timeout: 600000 });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends'].concat(missing), { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 1800000 });
  const still = missing.filter((p) => !installed(p));
  if (r.status !== 0 || still.length) console.log(label + ': could not install ' + (still.join(' ') || '(apt-get failed)') + '; run: ' + command);
}

ensure(PACKAGES, 'test set-up');
module.exports = { ensure };
