// The memory part of the size report: what a board's firmware holds (the host estimate, and the figures
// measured in the board-sized interpreter) against the board's pool and Storage. The bundler
// (tools/build/bundle.ts) knows nothing of it; tools/build.ts prints both.
import { buildBundle } from './bundle';
import { STORAGE_FILE_OVERHEAD, storageBytes } from './storage-size';
import { loadCost } from './load-cost';
import { MEASURED_MEMORY, MeasuredMemory } from './measured-memory';
import { BOARD_LIMITS } from '../../firmware/boards';

export { BOARD_LIMITS, STORAGE_FILE_OVERHEAD };

/**
 * Share of a board's pool that must stay free at the firmware's fullest: Espruino needs working room
 * for strings, timers and the stack traces it builds when an error is created. 15 %, the rule the
 * presets are measured against in the board-sized interpreters (test/espruino-real/board-memory.test.ts).
 */
export const INTERPRETER_RESERVE = 0.15;

/** What the code costs once loaded: its bytes, and the blocks it takes when run from Storage. */
export interface CodeCost {
  bytes: number;
  /** Bytes written to Storage: the bundle as the espruino CLI pretokenises it (tools/build/storage-size.ts). */
  storageBytes: number;
  /** Blocks taken by what loading creates (functions, names, values; bodies stay in flash). */
  loadBlocks: number;
}

/** The code cost of a bundle's source (tools/build/load-cost.ts). */
export function codeCost(source: string): CodeCost {
  return { bytes: source.length, storageBytes: storageBytes(source), loadBlocks: loadCost(source).blocks };
}

/**
 * The memory part of the size report: what the board's firmware holds idle, per connection (idle, and at
 * its fullest: both buffers full and a response held), estimated from the live objects of
 * firmware/device.ts built from the board's preset (tools/model/board-memory.ts; names counted at their
 * mangled length), and the code when loaded from Storage (tools/build/load-cost.ts). A board fits when
 * code + idle + every allowed connection at its fullest leave the interpreter's reserve free.
 */
export function memoryReport(board: string, code: CodeCost, propertyNames?: { [name: string]: string }): { text: string; json: object } {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const { boardMemory } = require('../model/board-memory');
  const { mangledNameLength } = require('../model/espruino-memory');
  /* eslint-enable @typescript-eslint/no-var-requires */
  const name = board === 'default' ? require('../../firmware/boards').DEFAULT_BOARD : board; // eslint-disable-line @typescript-eslint/no-var-requires
  const m = boardMemory(name, propertyNames ? mangledNameLength(propertyNames) : undefined);
  const pool = BOARD_LIMITS[name];
  const pad = (label: string, v: string): string => '  ' + (label + '                                                                          ').slice(0, 72) + v;
  const lines = [
    'memory estimate for board "' + name + '" (Espruino blocks of 13 bytes' + (pool && pool.blockBytes > 13 ? '; the board\'s are ' + pool.blockBytes + ', so data costs a little less' : '') + '):',
    pad('code run from Storage (what loading creates; bodies stay in flash)', '~' + code.loadBlocks),
    pad('idle: stack and apps' + (m.dhcpBlocks ? ' (DHCP client ' + m.dhcpBlocks + ')' : ''), String(m.idleBlocks)),
    pad('per idle TCP connection (its two buffers: ' + m.bufferBlocks + ')', '+' + m.perTcpConnectionBlocks),
  ];
  if (m.perHttpConnectionBlocks) lines.push(pad('per idle keep-alive HTTP connection', '+' + m.perHttpConnectionBlocks));
  lines.push(pad('per connection at its fullest (' + (m.busyEchoConnectionBlocks ? 'echo ' + m.busyEchoConnectionBlocks : '') +
    (m.busyEchoConnectionBlocks && m.busyHttpConnectionBlocks ? ', ' : '') + (m.busyHttpConnectionBlocks ? 'HTTP ' + m.busyHttpConnectionBlocks : '') + ')',
  '+' + m.worstConnectionBlocks));
  let fit: object | null = null;
  if (pool) {
    const reserve = Math.ceil(pool.blocks * INTERPRETER_RESERVE);
    const usable = pool.blocks - reserve;
    const base = m.idleBlocks + code.loadBlocks;
    const need = base + m.maxConnections * m.worstConnectionBlocks;
    const conns = usable > base ? Math.min(m.maxConnections, Math.floor((usable - base) / m.worstConnectionBlocks)) : 0;
    const ramFits = need <= usable;
    const storageNeed = code.storageBytes + STORAGE_FILE_OVERHEAD;
    const storageFits = storageNeed <= pool.storageBytes;
    const fits = ramFits && storageFits;
    fit = { poolBlocks: pool.blocks, reserveBlocks: reserve, idlePlusCode: base, needBlocks: need, connectionsThatFit: conns, ramFits,
      storageBytes: pool.storageBytes, storageNeedBytes: storageNeed, storageFits, fits };
    lines.push('  Storage: ' + code.bytes + ' bytes, ' + code.storageBytes + ' pretokenised; the board has ' + pool.storageBytes +
      (storageFits ? ' — fits (' + (pool.storageBytes - storageNeed) + ' bytes spare)' : ' — DOES NOT FIT: ' + (storageNeed - pool.storageBytes) + ' bytes over'));
    lines.push('  RAM: pool ' + pool.blocks + ' blocks, ' + reserve + ' (15 %) kept free for the interpreter; code + idle + ' + m.maxConnections +
      ' connections at their fullest = ' + need + (ramFits ? ' — fits (' + (usable - need) + ' blocks spare)'
        : ' — DOES NOT FIT: ' + (need - usable) + ' blocks over; ' + conns + ' of ' + m.maxConnections + ' connections would fit'));
    lines.push('  (estimates from the host)');
    const measured = MEASURED_MEMORY[name];
    if (measured) lines.push(measuredLine('the preset as is', measured));
  } else {
    lines.push('  no verdict: board "' + name + '" has no fixed pool or Storage (it runs on a host: Espruino\'s Linux build or the simulator)');
  }
  return { text: lines.join('\n'), json: { board: m, code, boardPool: pool || null, fit } };
}

/** One line of measured memory (tools/build/measured-memory.ts), with what is free at the fullest. */
function measuredLine(what: string, m: MeasuredMemory): string {
  const free = m.pool - m.fullest;
  const line = m.pool - Math.ceil(m.pool * INTERPRETER_RESERVE);
  return '  measured, ' + what + ' (' + m.interpreter + ', ' + m.date + '; test/espruino-real/board-memory.test.ts): idle ' + m.idle +
    ' used, at its fullest ' + m.fullest + ' of ' + m.pool + ' — ' + (free >= 0 ? free + ' free (' + Math.round(100 * free / m.pool) + ' %)' : (-free) + ' over the pool') +
    (m.fullest > line ? ', ' + (m.fullest - line) + ' blocks over the 15 % line' : '');
}

/**
 * The moonshot configuration: a board preset that leaves the HTTP server out, with it put back on port 80
 * (the status page, /bytes, /echo), the preset's buffers and connection limits unchanged.
 */
export function withHttp(config: { [key: string]: unknown }): { [key: string]: unknown } {
  return Object.assign({}, config, { apps: Object.assign({}, config.apps as object, { httpPort: 80 }) });
}

/**
 * For a board whose preset leaves the HTTP server out (the Pico): what the whole firmware (HTTP + echo)
 * would take there, and by how much it misses. Storage is measured here, by building it and pretokenising
 * it as the espruino CLI does; RAM is the measurement recorded in tools/build/measured-memory.ts.
 * Null for a board with HTTP or without a fixed pool.
 */
export function httpMissReport(board: string): { text: string; json: object } | null {
  const boards = require('../../firmware/boards'); // eslint-disable-line @typescript-eslint/no-var-requires
  const preset = boards.boardConfig(board);
  const pool = BOARD_LIMITS[board];
  if (!preset || !pool || preset.apps.httpPort) return null;
  const code = buildBundle({ entry: 'firmware/main.ts', board, config: withHttp(preset) }).code;
  const stored = storageBytes(code) + STORAGE_FILE_OVERHEAD;
  const over = stored - pool.storageBytes;
  const ram = MEASURED_MEMORY[board + '-http'] || null;
  const lines = ['HTTP + echo on a ' + board + ' (not in its preset): ' + code.length + ' bytes, ' + stored + ' in Storage with the file header; the board has ' +
    pool.storageBytes + (over > 0 ? ' — misses by ' + over + ' bytes' : ' — fits (' + (-over) + ' bytes spare)')];
  if (ram) lines.push(measuredLine('with HTTP', ram));
  return { text: lines.join('\n'), json: { bytes: code.length, storageNeedBytes: stored, storageBytes: pool.storageBytes, storageOverBytes: over, measuredRam: ram } };
}

