// The dgram link (hal/espruino/dgram-frame-device.ts) in the real interpreter (espruino-linux 2v29): it
// hands Espruino's socket one frame at a time and holds the rest until the socket's 'drain' event. What
// only the real interpreter shows: that a dgram socket does emit 'drain' when its queue empties
// (libs/network/socketserver.c, socketSendData), so held frames go out without the link's fallback
// (`resyncs` stays 0), and that the held frames are copies (E.toString([view])), whole and in order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { runUnderEspruino } from '../../tools/gate/espruino';
import { interpreterOrSkip } from '../helpers/espruino-real';

test('dgram link in espruino-linux: bursts go out whole and in order, paced by the socket\'s drain', () => {
  if (!interpreterOrSkip('linux', 'the dgram link')) return;
  const b = buildBundle({ entry: 'test/espruino-hal/dgram-bundle-entry.ts' });
  const r = runUnderEspruino(b.code, { timeoutMs: 20000 });
  assert.ok(r.ok, (r.problem || '') + '\n' + r.output);
  const all = Array.from({ length: 24 }, (_, i) => i + 1).join(',');
  assert.match(r.output, new RegExp('DGRAM RESULT ' + all + ' bad 0 tx 24 resyncs 0 errors 0'), r.output);
});

test.run();
