import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptySimStats, formatStatus, StatusPrinter } from '../../tools/sim/status';

test('the status line shows the device\'s connections and the forwarded ones apart, segments, retransmits, drops and the wire', () => {
  const s = emptySimStats();
  Object.assign(s, {
    uptimeMs: 3723000, deviceOpen: 5, deviceAccepted: 4210, forwardActive: 2, forwardTotal: 17, segmentsIn: 1200, segmentsOut: 1180, retransmits: 3,
    drops: 1, wireFrames: 2380, wireLost: 4, bytesToDevice: 512, bytesFromDevice: 20 * 1048576,
  });
  assert.is(formatStatus(s),
    'up 1:02:03 | device conns 5 open/4210 accepted | forwarded 2 open/17 total | segs in 1200 out 1180 | retx 3 | drops 1 | wire 2380 frames (4 lost) | fwd 512 B in, 20 MiB out');
});

test('tty mode rewrites one line in place and ends it with a newline on stop', () => {
  const out: string[] = [];
  const s = emptySimStats();
  const p = new StatusPrinter({ write: (t) => out.push(t) }, 'tty', () => s, 1000, 1e9);
  p.start();
  s.segmentsIn = 5;
  p.print();
  p.stop();
  assert.is(out.length, 4);
  assert.ok(out[0].startsWith('\r') && out[0].endsWith('\x1b[K'));
  assert.ok(!out[0].includes('\n'));
  assert.match(out[1], /segs in 5/);
  assert.is(out[3], '\n');
});

test('lines mode prints a line only when a counter other than uptime changed', () => {
  const out: string[] = [];
  const s = emptySimStats();
  const p = new StatusPrinter({ write: (t) => out.push(t) }, 'lines', () => s, 1e9);
  p.print();
  s.uptimeMs += 5000;
  p.print();
  assert.is(out.length, 1);
  s.retransmits = 1;
  p.print();
  assert.is(out.length, 2);
  assert.match(out[1], /retx 1/);
  assert.ok(out[1].endsWith('\n'));
  p.stop();
  assert.is(out.length, 2, 'lines mode leaves nothing open to close');
});

test('off mode prints nothing', () => {
  const out: string[] = [];
  const p = new StatusPrinter({ write: (t) => out.push(t) }, 'off', emptySimStats, 10);
  p.start();
  p.print();
  p.stop();
  assert.is(out.length, 0);
});

test.run();
