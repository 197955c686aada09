// `npm run build -- [--board NAME] [--ip A.B.C.D/P [--gateway G] | --dhcp] [--entry FILE] [--out DIR] [--link dgram] [--verbose]`
// Builds the device bundle dist/firmware.js (one ES5 file Espruino runs as is), writes dist/size.json
// and prints the size report. Default entry: firmware/main.ts when it exists, else the device smoke
// test (tools/smoke/device-smoke.ts). `--board NAME` reaches the firmware as `BOARD` exported by the
// generated module firmware/board-selection.
import * as fs from 'fs';
import * as path from 'path';
import { buildBundle, defaultEntry, ROOT } from './build/bundle';
import { formatReport, sizeReport } from './build/size-report';
import { codeCost, memoryReport, httpMissReport } from './build/memory-report';

export interface BuildArgs {
  entry: string;
  board: string;
  out: string;
  /** `--link dgram`: the preset whole, but frames over UDP instead of its SPI chip (see presetOnDgram). */
  link?: 'dgram';
  /** `--ip A.B.C.D/P [--gateway G]` or `--dhcp`: the board's address, instead of the preset's. */
  ip?: { address: string; prefixLength: number; gateway: string };
  dhcp?: boolean;
  /** Print the size of every module (the table), not only the summary. */
  verbose?: boolean;
}

/** `--ip`'s value, A.B.C.D/P (P 1..30, 24 if left out), or null if malformed. */
function parseIpArg(v: string): { address: string; prefixLength: number } | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(v);
  if (!m || [1, 2, 3, 4].some((i) => Number(m[i]) > 255)) return null;
  const prefixLength = m[5] === undefined ? 24 : Number(m[5]);
  if (prefixLength < 1 || prefixLength > 30) return null;
  return { address: m[1] + '.' + m[2] + '.' + m[3] + '.' + m[4], prefixLength };
}

export const BUILD_USAGE = 'usage: npm run build -- [--board NAME] [--ip A.B.C.D/P [--gateway A.B.C.D] | --dhcp] [--entry FILE] [--out DIR] [--link dgram] [--verbose]\n' +
  '  --board NAME   a preset of firmware/boards.ts: pico, wifi (the default), esp32, linux, sim\n' +
  '  --ip A.B.C.D/P the board\'s static address (prefix 24 if left out), instead of the preset\'s\n' +
  '  --gateway G    with --ip: the default gateway (none if left out: only the local subnet is reachable)\n' +
  '  --dhcp         get the address by DHCP, instead of the preset\'s (needs the DHCP client: larger firmware)\n' +
  '  --entry FILE   another entry (e.g. examples/tcp-app.ts); default firmware/main.ts\n' +
  '  --out DIR      where firmware.js and size.json go (default dist/)\n' +
  '  --link dgram   keep the board preset whole (apps, buffers, connection limits, backlog, address)\n' +
  '                 but carry frames over UDP (hal/espruino/dgram-frame-device.ts) instead of its SPI chip, and\n' +
  '                 touch no pins: the board\'s firmware runs in an Espruino Linux build (tools/dgram-tap-relay.ts)\n' +
  '  --verbose      the size of every module, not only the summary';

export function parseBuildArgs(argv: string[]): BuildArgs {
  const a: BuildArgs = { entry: defaultEntry(), board: 'default', out: path.join(ROOT, 'dist') };
  let gateway = '';
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--entry' && v) { a.entry = v; i++; }
    else if (k === '--board' && v) { a.board = v; i++; }
    else if (k === '--out' && v) { a.out = path.resolve(v); i++; }
    else if (k === '--link' && v) {
      if (v !== 'dgram') throw new Error('--link takes "dgram" (the preset\'s own link is the default)');
      a.link = 'dgram'; i++;
    }
    else if (k === '--ip') {
      const ip = v ? parseIpArg(v) : null;
      if (!ip) throw new Error('--ip wants A.B.C.D/P (P 1..30), got "' + (v || '') + '"');
      a.ip = { address: ip.address, prefixLength: ip.prefixLength, gateway: a.ip ? a.ip.gateway : '' };
      i++;
    }
    else if (k === '--gateway') {
      const g = v ? parseIpArg(v) : null;
      if (!g || (v as string).indexOf('/') >= 0) throw new Error('--gateway wants A.B.C.D, got "' + (v || '') + '"');
      gateway = g.address;
      i++;
    }
    else if (k === '--dhcp') a.dhcp = true;
    else if (k === '--verbose' || k === '-v') a.verbose = true;
    else if (k === '--help' || k === '-h') {
      console.log(BUILD_USAGE);
      process.exit(0);
    } else throw new Error('unknown argument: ' + k + ' (try --help)');
  }
  if (a.dhcp && a.ip) throw new Error('--dhcp and --ip exclude each other');
  if (gateway && !a.ip) throw new Error('--gateway goes with --ip');
  if (a.ip && gateway) a.ip.gateway = gateway;
  return a;
}

/** The configuration a build uses: the preset's, on the dgram link with --link, its address replaced by --ip/--dhcp. Null: the preset as it is. */
export function buildConfig(a: BuildArgs): { [key: string]: unknown } | undefined {
  if (!a.link && !a.ip && !a.dhcp) return undefined;
  const boards = require('../firmware/boards'); // eslint-disable-line @typescript-eslint/no-var-requires
  const c = a.link ? presetOnDgram(a.board) : Object.assign({}, boards.boardConfig(a.board));
  if (a.dhcp) c.ipv4 = 'dhcp';
  if (a.ip) c.ipv4 = { address: a.ip.address, prefixLength: a.ip.prefixLength, gateway: a.ip.gateway, dns: [] };
  return c;
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

/**
 * A board preset's whole configuration with its SPI chip swapped for the dgram link: the same apps,
 * buffers, connection limits, backlog, address and NetworkJS setting; no pin is touched (the dgram link
 * uses none), and the chip's driver is left out for the dgram device (tools/build/profile.ts).
 */
export function presetOnDgram(board: string): { [key: string]: unknown } {
  const boards = require('../firmware/boards'); // eslint-disable-line @typescript-eslint/no-var-requires
  const c = boards.boardConfig(board);
  if (!c) throw new Error('unknown board "' + board + '"');
  // Two frames held, as a stand-in for the chip's driver (a chip keeps waiting frames in its own memory).
  return Object.assign({}, c, { link: 'dgram', description: c.description + ' [frames over UDP: dgram link]',
    dgram: Object.assign({}, c.dgram, { frames: 2 }) });
}

export function runBuild(a: BuildArgs) {
  checkBoard(a.board);
  const b = buildBundle({ entry: a.entry, board: a.board, config: buildConfig(a) });
  const r = sizeReport(b);
  fs.mkdirSync(a.out, { recursive: true });
  fs.writeFileSync(path.join(a.out, 'firmware.js'), b.code);
  fs.writeFileSync(path.join(a.out, 'size.json'), JSON.stringify(r, null, 2) + '\n');
  return { bundle: b, report: r };
}

// The size report's memory part (what the firmware holds on the board, against its pool and Storage) is
// tools/build/memory-report.ts; re-exported here for the tools and tests that use it with the build.
export { BOARD_LIMITS, STORAGE_FILE_OVERHEAD, INTERPRETER_RESERVE, CodeCost, codeCost, memoryReport, withHttp, httpMissReport } from './build/memory-report';

if (require.main === module) {
  try {
    const args = parseBuildArgs(process.argv.slice(2));
    const { report, bundle } = runBuild(args);
    console.log(formatReport(report, !!args.verbose));
    if (/firmware[\\/]main(\.ts)?$/.test(args.entry)) {
      const mem = memoryReport(args.board, codeCost(bundle.code), bundle.propertyNames);
      console.log(mem.text);
      const sizeFile = path.join(args.out, 'size.json');
      const json = JSON.parse(fs.readFileSync(sizeFile, 'utf8'));
      json.memory = mem.json;
      const miss = !args.ip && !args.dhcp && !args.link ? httpMissReport(args.board) : null;
      if (miss) { console.log(miss.text); json.httpMiss = miss.json; }
      fs.writeFileSync(sizeFile, JSON.stringify(json, null, 2) + '\n');
    }
  } catch (e) {
    console.error('build failed: ' + (e instanceof Error ? e.message : String(e)));
    process.exit(1);
  }
}
