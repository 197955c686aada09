// The size report's memory part (tools/build.ts memoryReport over tools/model/board-memory.ts): what the
// board's own firmware objects hold idle and per connection, plus the code, against the board's pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryReport, codeCost, httpMissReport, withHttp, INTERPRETER_RESERVE, STORAGE_FILE_OVERHEAD, BOARD_LIMITS } from '../../tools/build';
import { storageBytes } from '../../tools/build/storage-size';
import { MEASURED_MEMORY } from '../../tools/build/measured-memory';
import { buildBundle } from '../../tools/build/bundle';
import { boardMemory } from '../../tools/model/board-memory';
import { boardConfig } from '../../firmware/boards';

test('a connection costs at least its two buffers at the board sizes; the DHCP client is counted on DHCP boards only', () => {
  const wifi = boardMemory('wifi');
  const esp = boardMemory('esp32');
  const sim = boardMemory('sim');
  const pico = boardMemory('pico');
  const wifiBuffers = boardConfig('wifi')!.buffers;
  assert.is(wifi.bufferBlocks, Math.ceil(wifiBuffers.rxBytes / 13) + 4 + Math.ceil(wifiBuffers.txBytes / 13) + 4);
  assert.ok(wifi.perTcpConnectionBlocks > wifi.bufferBlocks, 'socket state comes on top of the buffers');
  assert.ok(esp.perTcpConnectionBlocks - wifi.perTcpConnectionBlocks >= esp.bufferBlocks - wifi.bufferBlocks - 2);
  assert.ok(wifi.dhcpBlocks > 0 && sim.dhcpBlocks === 0 && pico.dhcpBlocks === 0);
  assert.ok(wifi.idleBlocks > wifi.dhcpBlocks);
  // The Pico runs no HTTP server: no HTTP connection to count.
  assert.is(pico.perHttpConnectionBlocks, 0);
  assert.is(pico.busyHttpConnectionBlocks, 0);
  assert.ok(pico.idleBlocks < wifi.idleBlocks);
});

test('shorter (mangled) property names make the same objects cheaper', () => {
  const plain = boardMemory('wifi');
  const short = boardMemory('wifi', () => 1);
  assert.ok(short.idleBlocks < plain.idleBlocks, short.idleBlocks + ' < ' + plain.idleBlocks);
});

test('a connection at its fullest costs more than an idle one: both buffers full, a response held', () => {
  const m = boardMemory('wifi');
  assert.ok(m.busyEchoConnectionBlocks > m.perTcpConnectionBlocks, JSON.stringify(m));
  assert.ok(m.busyHttpConnectionBlocks > m.perHttpConnectionBlocks, JSON.stringify(m));
  // The status page (~3.3 KB, ~250 blocks as bytes) is made a part at a time: a stalled client holds about one part.
  assert.ok(m.busyHttpConnectionBlocks - m.perHttpConnectionBlocks < 200, JSON.stringify(m)); // the page alone is ~250
  assert.is(m.worstConnectionBlocks, Math.max(m.busyEchoConnectionBlocks, m.busyHttpConnectionBlocks, m.perTcpConnectionBlocks, m.perHttpConnectionBlocks));
});

test('the verdict follows the arithmetic: code + idle + every allowed connection at its fullest, against the pool less the reserve', () => {
  const m = boardMemory('wifi');
  const pool = BOARD_LIMITS.wifi.blocks;
  const usable = pool - Math.ceil(pool * INTERPRETER_RESERVE);
  type Fit = { text: string; json: { fit: { connectionsThatFit: number; fits: boolean; needBlocks: number } } };
  // Code that leaves room for exactly all connections, then one block more.
  const exact = usable - m.idleBlocks - m.maxConnections * m.worstConnectionBlocks;
  const fits = memoryReport('wifi', { bytes: 1000, storageBytes: 900, loadBlocks: exact }) as Fit;
  assert.is(fits.json.fit.fits, true);
  assert.is(fits.json.fit.needBlocks, usable);
  assert.match(fits.text, /fits \(0 blocks spare\)/);
  const over = memoryReport('wifi', { bytes: 1000, storageBytes: 900, loadBlocks: exact + 1 }) as Fit;
  assert.is(over.json.fit.fits, false);
  assert.is(over.json.fit.connectionsThatFit, m.maxConnections - 1);
  assert.match(over.text, /DOES NOT FIT: 1 blocks over/);
  // Storage: the pretokenised code plus a file's overhead against the board's Storage, on its own.
  type Sto = { text: string; json: { fit: { storageFits: boolean; ramFits: boolean; fits: boolean } } };
  const small = m.idleBlocks; // any load cost that fits
  const full = memoryReport('pico', { bytes: 60000, storageBytes: 3 * 16384 - STORAGE_FILE_OVERHEAD, loadBlocks: small }) as Sto;
  assert.is(full.json.fit.storageFits, true);
  const tooBig = memoryReport('pico', { bytes: 60000, storageBytes: 3 * 16384 - STORAGE_FILE_OVERHEAD + 1, loadBlocks: small }) as Sto;
  assert.is(tooBig.json.fit.storageFits, false);
  assert.is(tooBig.json.fit.ramFits, true);
  assert.is(tooBig.json.fit.fits, false);
  assert.match(tooBig.text, /Storage: 60000 bytes, 49089 pretokenised; the board has 49152 — DOES NOT FIT: 1 bytes over/);
  assert.match(memoryReport('sim', { bytes: 1000, storageBytes: 900, loadBlocks: 10 }).text, /code run from Storage/);
});

test('every device preset fits its Storage, and its pool with all its connections at their fullest', () => {
  for (const board of ['pico', 'wifi', 'esp32']) {
    const b = buildBundle({ entry: 'firmware/main.ts', board });
    const r = memoryReport(board, codeCost(b.code), b.propertyNames) as { text: string; json: { fit: { fits: boolean } } };
    assert.ok(r.json.fit.fits, board + ':\n' + r.text);
    // Beside the estimate, the figures measured in the board-sized interpreter.
    const m = MEASURED_MEMORY[board];
    assert.ok(r.text.indexOf('measured, the preset as is (' + m.interpreter) > 0 && r.text.indexOf('at its fullest ' + m.fullest + ' of ' + m.pool) > 0, r.text);
  }
});

test('the Pico with HTTP (the moonshot): the size report says by how many bytes it misses Storage, and its measured RAM', () => {
  const r = httpMissReport('pico')!;
  const preset = boardConfig('pico')! as unknown as { [key: string]: unknown };
  const stored = storageBytes(buildBundle({ entry: 'firmware/main.ts', board: 'pico', config: withHttp(preset) }).code) + STORAGE_FILE_OVERHEAD;
  const json = r.json as { storageNeedBytes: number; storageOverBytes: number };
  assert.is(json.storageNeedBytes, stored);
  assert.is(json.storageOverBytes, stored - BOARD_LIMITS.pico.storageBytes);
  assert.match(r.text, json.storageOverBytes > 0 ? 'misses by ' + json.storageOverBytes + ' bytes' : 'fits (');
  const ram = MEASURED_MEMORY['pico-http'];
  assert.match(r.text, 'at its fullest ' + ram.fullest + ' of 5100');
  assert.match(r.text, (ram.fullest - (5100 - 765)) + ' blocks over the 15 % line');
  // Boards whose preset has the HTTP server get no such line.
  assert.is(httpMissReport('wifi'), null);
  assert.is(httpMissReport('esp32'), null);
});

test.run();
