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
 * The memory part of the size report: what the firmware holds idle and per connection, estimated by
 * walking the live objects of a running stack + apps (bench/lib/espruino-memory.ts has the formula), and
 * the code's share when loaded from Storage (~1 block per 13 bytes of bundle, espruino.md: 5 KB → 402).
 */
function memoryReport(a: BuildArgs, bundleBytes: number): { text: string; json: object } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { memoryEstimate } = require('../bench/device-cost');
  const m = memoryEstimate();
  const pool = BOARD_POOLS[a.board];
  const codeBlocks = Math.ceil(bundleBytes / 13);
  const lines = [
    'memory estimate (Espruino blocks of ' + m.blockBytes + ' bytes, default 2 KB + 2 KB socket buffers):',
    '  idle (stack + HTTP and echo apps, no connection)  ' + m.idleBlocks,
    '  per TCP connection                                +' + m.perTcpConnectionBlocks,
    '  per keep-alive HTTP connection                    +' + m.perHttpConnectionBlocks,
    '  code loaded from Storage (bundle bytes / 13)       ~' + codeBlocks,
  ];
  if (pool) {
    const need = m.idleBlocks + codeBlocks;
    lines.push('  board "' + a.board + '" pool: ' + pool.blocks + ' blocks; idle + code ≈ ' + need +
      (need > pool.blocks ? '  — DOES NOT FIT: trim the build (fewer apps, one driver) or use a larger board' : '  — fits'));
  }
  return { text: lines.join('\n'), json: { estimate: m, codeBlocksFromStorage: codeBlocks, boardPool: pool || null } };
}

if (require.main === module) {
  try {
    const args = parseBuildArgs(process.argv.slice(2));
    const { report, bundle } = runBuild(args);
    console.log(formatReport(report));
    if (/firmware[\\/]main(\.ts)?$/.test(args.entry)) {
      const mem = memoryReport(args, bundle.code.length);
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
