import { skipTest, AS_ROOT } from '../helpers/skip';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'child_process';
import { tapProblem as checkTapDevice } from '../../hal/sim/tap-bridge';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

test('a missing TAP is reported plainly, with the command that creates one', () => {
  const msg = checkTapDevice('etcpip-absent');
  assert.ok(msg);
  assert.match(msg as string, /etcpip-absent does not exist/);
  assert.match(msg as string, /ip tuntap add etcpip-absent mode tap user /);
});

test('an interface that is not a TAP is refused', () => {
  assert.match(checkTapDevice('lo') as string, /not a TUN\/TAP device/);
});

test('a TUN device is refused, a TAP accepted (root: creates and deletes its own, never up)', () => {
  if (!isRoot) {
    skipTest('TUN/TAP creation', 'needs root', AS_ROOT);
    return;
  }
  const made: string[] = [];
  try {
    execFileSync('ip', ['tuntap', 'add', 'etcpip-ck-tun', 'mode', 'tun']);
    made.push('etcpip-ck-tun');
    execFileSync('ip', ['tuntap', 'add', 'etcpip-ck-tap', 'mode', 'tap']);
    made.push('etcpip-ck-tap');
    assert.match(checkTapDevice('etcpip-ck-tun') as string, /is a TUN/);
    assert.is(checkTapDevice('etcpip-ck-tap'), null);
  } finally {
    for (const d of made) {
      try {
        execFileSync('ip', ['link', 'del', d]);
      } catch { /* already gone */ }
    }
  }
});

test.run();
