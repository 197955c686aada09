// Memory ceilings (issue 8): the estimate `npm run build` and the bench print (bench/device-cost.ts
// memoryEstimate, Espruino blocks of 13 bytes walked from the live objects) must stay below these
// bounds. Before the work on issue 8 the numbers were idle 1,431, +582 per TCP connection, +620 per
// keep-alive HTTP connection; the bounds sit a few percent above what the stack holds now, so a change
// that makes every connection or the idle stack noticeably heavier fails here and has to say why.
// bench/memory-breakdown.ts shows where the blocks go.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryEstimate } from '../../bench/device-cost';
import { measureAll, grouped } from '../../bench/memory-breakdown';

// Idle 818 -> 821 on 2026-12-08: the counter of fast recoveries undone by DSACKs (tcp/tcp/sack.ts; the estimate
// walks the host objects with their full property names, which the device bundle shortens).
const IDLE_MAX = 822;
const PER_TCP_MAX = 500;
const PER_HTTP_MAX = 520;

test('memory estimate: idle stack, per TCP connection and per keep-alive HTTP connection stay under their ceilings', () => {
  const m = memoryEstimate();
  const info = JSON.stringify(m);
  assert.ok(m.idleBlocks <= IDLE_MAX, 'idle ' + m.idleBlocks + ' > ' + IDLE_MAX + ': ' + info);
  assert.ok(m.perTcpConnectionBlocks <= PER_TCP_MAX, 'per TCP connection ' + m.perTcpConnectionBlocks + ' > ' + PER_TCP_MAX + ': ' + info);
  assert.ok(m.perHttpConnectionBlocks <= PER_HTTP_MAX, 'per HTTP connection ' + m.perHttpConnectionBlocks + ' > ' + PER_HTTP_MAX + ': ' + info);
  // Sanity: the two 2 KB buffers are part of each connection, so the numbers measure something.
  assert.ok(m.perTcpConnectionBlocks > m.bufferBlocks, info);
});

test('the breakdown tool adds up to the same estimate, and charges each connection to its socket', () => {
  const m = memoryEstimate();
  const b = measureAll(); // throws if any snapshot differs from estimateBlocks
  assert.equal(b.totals, [m.idleBlocks, m.idleBlocks + m.perTcpConnectionBlocks,
    m.idleBlocks + m.perTcpConnectionBlocks + m.perHttpConnectionBlocks]);
  const sock = grouped(b.tcp, 4).find((r) => r.path === 'device.stack.tcp.sockets[0]');
  assert.ok(sock && sock.blocks >= m.bufferBlocks, 'the connection\'s socket holds its buffers: ' + JSON.stringify(sock));
});

test.run();
