// `npm run build [-- --entry FILE] [-- --board NAME] [-- --out DIR]`
// Builds the device bundle dist/firmware.js (one ES5 file Espruino runs as is), writes dist/size.json
// and prints the size report. Default entry: firmware/main.ts when it exists, else the device smoke
// test (tools/smoke/device-smoke.ts). `--board NAME` reaches the firmware as `BOARD` exported by the
// generated module firmware/board-selection.
import * as fs from 'fs';
import * as path from 'path';
import { buildBundle, defaultEntry, ROOT } from './build/bundle';
import { formatReport, sizeReport } from './build/size-report';

export interface BuildArgs {
  entry: string;
  board: string;
  out: string;
}

export function parseBuildArgs(argv: string[]): BuildArgs {
  const a: BuildArgs = { entry: defaultEntry(), board: 'default', out: path.join(ROOT, 'dist') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--entry' && v) { a.entry = v; i++; }
    else if (k === '--board' && v) { a.board = v; i++; }
    else if (k === '--out' && v) { a.out = path.resolve(v); i++; }
    else if (k === '--help' || k === '-h') {
      console.log('usage: npm run build -- [--entry FILE] [--board NAME] [--out DIR]');
      process.exit(0);
    } else throw new Error('unknown argument: ' + k);
  }
  return a;
}

/** Rejects a board name firmware/boards.ts does not know (when that file exists). */
export function checkBoard(board: string): void {
  const file = path.join(ROOT, 'firmware', 'boards.ts');
  if (!fs.existsSync(file)) return;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const boards = require(file);
  if (typeof boards.boardConfig === 'function' && !boards.boardConfig(board)) {
    const known = typeof boards.boardNames === 'function' ? boards.boardNames().join(', ') : '?';
    throw new Error('unknown board "' + board + '" (known: ' + known + ')');
  }
}

export function runBuild(a: BuildArgs) {
  checkBoard(a.board);
  const b = buildBundle({ entry: a.entry, board: a.board });
  const r = sizeReport(b);
  fs.mkdirSync(a.out, { recursive: true });
  fs.writeFileSync(path.join(a.out, 'firmware.js'), b.code);
  fs.writeFileSync(path.join(a.out, 'size.json'), JSON.stringify(r, null, 2) + '\n');
  return { bundle: b, report: r };
}

/** Variable pools of the boards the presets target (../shared/espruino.md "Memory"): blocks × bytes. */
const BOARD_POOLS: { [board: string]: { blocks: number; blockBytes: number } } = {
  default: { blocks: 5100, blockBytes: 13 }, // the Pico preset
  pico: { blocks: 5100, blockBytes: 13 },
  wifi: { blocks: 8190, blockBytes: 13 },
  esp32: { blocks: 16383, blockBytes: 14 },
};

/**
 * The memory part of the size report: what the board's firmware holds idle and per connection,
 * estimated from the live objects of firmware/device.ts built from the board's preset
 * (bench/lib/board-memory.ts; names counted at their mangled length), and the code's share when loaded
 * from Storage (~1 block per 13 bytes of bundle, ../shared/espruino.md "Memory": 5 KB → 402 blocks).
 */
export function memoryReport(board: string, bundleBytes: number, propertyNames?: { [name: string]: string }): { text: string; json: object } {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const { boardMemory } = require('../bench/lib/board-memory');
  const { mangledNameLength } = require('../bench/lib/espruino-memory');
  /* eslint-enable @typescript-eslint/no-var-requires */
  const name = board === 'default' ? require('../firmware/boards').DEFAULT_BOARD : board; // eslint-disable-line @typescript-eslint/no-var-requires
  const m = boardMemory(name, propertyNames ? mangledNameLength(propertyNames) : undefined);
  const pool = BOARD_POOLS[name];
  const codeBlocks = Math.ceil(bundleBytes / 13);
  const pad = (label: string, v: string): string => '  ' + (label + '                                                            ').slice(0, 58) + v;
  const lines = [
    'memory estimate for board "' + name + '" (Espruino blocks of 13 bytes):',
    pad('idle: stack, echo and HTTP apps' + (m.dhcpBlocks ? ' (DHCP client ' + m.dhcpBlocks + ')' : ''), String(m.idleBlocks)),
    pad('per TCP connection (its two buffers: ' + m.bufferBlocks + ')', '+' + m.perTcpConnectionBlocks),
    pad('per keep-alive HTTP connection', '+' + m.perHttpConnectionBlocks),
    pad('code loaded from Storage (bundle bytes / 13)', '~' + codeBlocks),
  ];
  let fit: object | null = null;
  if (pool) {
    const base = m.idleBlocks + codeBlocks;
    const per = Math.max(m.perTcpConnectionBlocks, m.perHttpConnectionBlocks);
    const room = pool.blocks - base;
    const conns = room > 0 ? Math.min(m.maxConnections, Math.floor(room / per)) : 0;
    fit = { poolBlocks: pool.blocks, idlePlusCode: base, connectionsThatFit: conns, fits: conns >= 1 };
    lines.push('  pool ' + pool.blocks + ' blocks; idle + code ≈ ' + base + (conns >= 1
      ? '; room for ' + conns + ' of ' + m.maxConnections + ' connections (' + (pool.blocks - base - conns * per) + ' blocks left) — fits'
      : ' — DOES NOT FIT: ' + (base + per - pool.blocks) + ' blocks over with one connection'));
    lines.push('  (before the interpreter\'s own use of the pool; estimates from the host, not a board)');
  }
  return { text: lines.join('\n'), json: { board: m, codeBlocksFromStorage: codeBlocks, boardPool: pool || null, fit } };
}

if (require.main === module) {
  try {
    const args = parseBuildArgs(process.argv.slice(2));
    const { report, bundle } = runBuild(args);
    console.log(formatReport(report));
    if (/firmware[\\/]main(\.ts)?$/.test(args.entry)) {
      const mem = memoryReport(args.board, bundle.code.length, bundle.propertyNames);
      console.log(mem.text);
      const sizeFile = path.join(args.out, 'size.json');
      const json = JSON.parse(fs.readFileSync(sizeFile, 'utf8'));
      json.memory = mem.json;
      fs.writeFileSync(sizeFile, JSON.stringify(json, null, 2) + '\n');
    }
  } catch (e) {
    console.error('build failed: ' + (e instanceof Error ? e.message : String(e)));
    process.exit(1);
  }
}
