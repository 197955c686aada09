// A board whose buffers are too small for window scaling (RFC 7323 §2) and SACK (RFC 2018) builds
// tcp/tcp/window-scale.off.ts and tcp/tcp/sack.off.ts in their place (tools/build/profile.ts). Then the
// stack must behave exactly like a peer that does not implement them: no options offered, options
// offered by the peer ignored (RFC 7323 §2.2, RFC 2018 §4). The stack is loaded with the `.off` modules
// swapped in, in a child process (test/tcp/fixtures/features-off.ts); the same run without the swap is
// the control, showing every check below can fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { spawnSync } from 'child_process';

const ROOT = path.resolve(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function run(features: 'on' | 'off'): any {
  const env = Object.assign({}, process.env, { TS_NODE_TRANSPILE_ONLY: 'true', FEATURES: features });
  const res = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'test/tcp/fixtures/features-off.ts')],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 120000 });
  if (res.status !== 0) throw new Error('fixture failed (' + res.status + '): ' + res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop() as string);
}

const off = run('off');
const on = run('on');

test('the .off modules are the ones loaded (and not in the control run)', () => {
  assert.is(off.SACK, 0);
  assert.is(off.WINDOW_SCALING, 0);
  assert.is(on.SACK, 1);
  assert.is(on.WINDOW_SCALING, 1);
});

test('RFC 7323 out: no window-scale option offered or answered; the peer\'s shift is ignored', () => {
  assert.is(off.synWindowScale, -1, 'active SYN');
  assert.is(off.synAckWindowScale, -1, 'SYN|ACK to a SYN offering it');
  assert.equal(off.activeShifts, [0, 0]);
  assert.is(off.activeSndWnd, 100, 'the peer window taken unscaled');
  assert.is(off.activeAckWindow, 65534, 'our window field unscaled (capped at 65535, SWS)');
  // Control: the full stack offers and uses scaling.
  assert.is(on.synWindowScale, 2);
  assert.is(on.synAckWindowScale, 2);
  assert.equal(on.activeShifts, [7, 2]);
});

test('RFC 2018 out: SACK-permitted never offered or answered, no SACK blocks sent', () => {
  assert.is(off.synSackPermitted, false);
  assert.is(off.synAckSackPermitted, false);
  assert.is(off.activeSackOk, false);
  assert.ok(off.oooHeld, 'out-of-order data is still held');
  assert.equal(off.dupAckSack, [], 'duplicate ACK without SACK blocks');
  assert.is(on.synSackPermitted, true);
  assert.is(on.synAckSackPermitted, true);
  assert.equal(on.dupAckSack, [1101, 1201]);
});

test('RFC 2018 out: SACK blocks from the peer are ignored; loss recovery is NewReno alone', () => {
  assert.is(off.scoreboard, null);
  assert.is(off.sackRetransmits, 0);
  assert.is(off.fastRetransmits, 1);
  assert.equal(off.lossRetransmits, [0], 'only the fast retransmit; no hole chosen from SACK blocks');
  assert.ok(Array.isArray(on.scoreboard) && on.scoreboard.length > 0);
  assert.equal(on.lossRetransmits, [0, 2000]);
  assert.is(on.sackRetransmits, 1);
});

test('against the full stack over a lossy wire: the full peer falls back to neither option; the transfer is byte-exact', () => {
  assert.is(off.peerSack, 1, 'the peer is the full stack');
  assert.ok(off.serverIsUnderTest, 'the listener is the stack with the .off modules');
  assert.equal(off.peerShifts, [0, 0], 'the full stack offered scaling; not in force');
  assert.is(off.peerSackOk, false);
  assert.equal(off.serverShifts, [0, 0]);
  assert.is(off.serverSackOk, false);
  const t = off.transfer;
  assert.equal(t.events, ['a:close', 'b:close']);
  assert.is(t.aGot, 300000);
  assert.is(t.bGot, 300000);
  assert.ok(t.aHashOk && t.bHashOk);
  assert.ok(t.retransmits > 0, 'loss was recovered from');
  assert.is(t.sackRetransmits, 0);
  // Control: two full stacks negotiate both.
  assert.equal(on.peerShifts, [2, 2]);
  assert.is(on.peerSackOk, true);
  assert.is(on.serverSackOk, true);
});

test.run();
