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

if (require.main === module) {
  try {
    const { report } = runBuild(parseBuildArgs(process.argv.slice(2)));
    console.log(formatReport(report));
  } catch (e) {
    console.error('build failed: ' + (e instanceof Error ? e.message : String(e)));
    process.exit(1);
  }
}
