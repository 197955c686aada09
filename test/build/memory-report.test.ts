// The size report's memory part (tools/build.ts memoryReport over bench/lib/board-memory.ts): what the
// board's own firmware objects hold idle and per connection, plus the code, against the board's pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryReport } from '../../tools/build';
import { boardMemory } from '../../bench/lib/board-memory';

test('a connection costs at least its two buffers at the board sizes; the DHCP client is counted on DHCP boards only', () => {
  const pico = boardMemory('pico');
  const esp = boardMemory('esp32');
  const sim = boardMemory('sim');
  assert.is(pico.bufferBlocks, 2 * (Math.ceil(2048 / 13) + 4));
  assert.ok(pico.perTcpConnectionBlocks > pico.bufferBlocks, 'socket state comes on top of the buffers');
  assert.ok(esp.perTcpConnectionBlocks - pico.perTcpConnectionBlocks >= esp.bufferBlocks - pico.bufferBlocks - 2);
  assert.ok(pico.dhcpBlocks > 0 && sim.dhcpBlocks === 0);
  assert.ok(pico.idleBlocks > pico.dhcpBlocks);
});

test('shorter (mangled) property names make the same objects cheaper', () => {
  const plain = boardMemory('pico');
  const short = boardMemory('pico', () => 1);
  assert.ok(short.idleBlocks < plain.idleBlocks, short.idleBlocks + ' < ' + plain.idleBlocks);
});

test('the verdict follows the arithmetic: idle + code + connections against the pool', () => {
  const m = boardMemory('pico');
  const per = Math.max(m.perTcpConnectionBlocks, m.perHttpConnectionBlocks);
  // A bundle small enough to leave room for exactly two connections.
  const codeBlocks = 5100 - m.idleBlocks - 2 * per - 1;
  const two = memoryReport('pico', codeBlocks * 13) as { text: string; json: { fit: { connectionsThatFit: number; fits: boolean } } };
  assert.is(two.json.fit.connectionsThatFit, 2);
  assert.match(two.text, /room for 2 of 4 connections/);
  const none = memoryReport('pico', 5100 * 13) as { text: string; json: { fit: { fits: boolean } } };
  assert.is(none.json.fit.fits, false);
  assert.match(none.text, /DOES NOT FIT/);
  assert.match(memoryReport('sim', 1000).text, /code loaded from Storage/);
});

test.run();
