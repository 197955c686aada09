// DSACKs (RFC 2883) and undoing a needless fast recovery (RFC 3708 §3.2; tcp/tcp/sack.ts) in the real
// interpreter (espruino-linux 2v29), on the `linux` preset's device as its firmware builds it: the bundle
// of bench/device/path-micro.ts in the shipped (hoisted) shape, whose scripted peer holds every 40th body
// segment of a download back as reordering would, SACKs the segments after it, takes the held one when the
// device retransmits it and reports the retransmission a duplicate. The host tests (test/tcp/dsack-undo)
// pin the behaviour; this one shows the same code doing it where Espruino runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { runUnderEspruino } from '../../tools/gate/espruino';
import { interpreterOrSkip } from '../helpers/espruino-real';
import { values } from '../../bench/espruino-path';

test('linux preset in espruino-linux: reordered segments are retransmitted, reported twice, and every such recovery undone', () => {
  if (!interpreterOrSkip('linux', 'DSACK undo')) return;
  const b = buildBundle({ entry: 'bench/device/path-micro.ts', hoistModules: true });
  const r = runUnderEspruino('var PATH_BYTES = 300000; var PATH_REORDER = 40;\n' + b.code + '\nquit();\n', { timeoutMs: 60000 });
  assert.ok(r.ok, (r.problem || '') + '\n' + r.output.slice(-2000));
  const v = values(r.output); // (throws if the run did not print "P done")
  assert.ok(v.bytes >= 300000, 'the whole download: ' + v.bytes);
  assert.is(v.corrupt, 0, 'every body segment as /bytes sends it');
  assert.is(v.internalErrors, 0);
  assert.ok(v.dsacks >= 3, 'segments held back and reported twice: ' + v.dsacks);
  assert.is(v.fastRetransmits, v.dsacks, 'each held segment retransmitted once');
  assert.is(v.recoveriesUndone, v.dsacks, 'every recovery undone');
  assert.is(v.retransmits, 0, 'no timeout');
});

test.run();
