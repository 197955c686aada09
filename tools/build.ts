// `npm run build -- [--board NAME] [--ip A.B.C.D/P [--gateway G] | --dhcp] [--entry FILE] [--out DIR] [--link dgram] [--verbose]`
// Builds the device bundle dist/firmware.js (one ES5 file Espruino runs as is), writes dist/size.json
// and prints the size report. Default entry: firmware/main.ts when it exists, else the device smoke
// test (tools/smoke/device-smoke.ts). `--board NAME` reaches the firmware as `BOARD` exported by the
// generated module firmware/board-selection.
import * as fs from 'fs';
import * as path from 'path';
import { buildBundle, defaultEntry, ROOT } from './build/bundle';
import { formatReport, sizeReport } from './build/size-report';
import { STORAGE_FILE_OVERHEAD, storageBytes } from './build/storage-size';
import { loadCost } from './build/load-cost';
import { MEASURED_MEMORY, MeasuredMemory } from './build/measured-memory';

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

/**
 * What the preset boards have for the firmware: the variable pool (blocks × bytes) and the flash Storage
 * the code is saved in (`saved_code` pages × page size in Espruino's boards/*.py). Pico: 5,100 variables
 * (boards/PICO_R1_3.py; measured: espruino-pico's process.memory().total), Storage 3 × 16 KB. Espruino WiFi:
 * boards/ESPRUINOWIFI.py says 8,190 variables (measured: espruino-wifi's process.memory().total), Storage
 * 1 × 64 KB. ESP32: up to 16,383 variables of 14 bytes, Storage 224 × 4 KB = 896 KB (boards/ESP32.py at 2v29).
 */
export const BOARD_LIMITS: { [board: string]: { blocks: number; blockBytes: number; storageBytes: number } } = {
  pico: { blocks: 5100, blockBytes: 13, storageBytes: 3 * 16384 },
  wifi: { blocks: 8190, blockBytes: 13, storageBytes: 65536 },
  esp32: { blocks: 16383, blockBytes: 14, storageBytes: 224 * 4096 },
};

export { STORAGE_FILE_OVERHEAD };

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
 * firmware/device.ts built from the board's preset (bench/lib/board-memory.ts; names counted at their
 * mangled length), and the code when loaded from Storage (tools/build/load-cost.ts). A board fits when
 * code + idle + every allowed connection at its fullest leave the interpreter's reserve free.
 */
export function memoryReport(board: string, code: CodeCost, propertyNames?: { [name: string]: string }): { text: string; json: object } {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const { boardMemory } = require('../bench/lib/board-memory');
  const { mangledNameLength } = require('../bench/lib/espruino-memory');
  /* eslint-enable @typescript-eslint/no-var-requires */
  const name = board === 'default' ? require('../firmware/boards').DEFAULT_BOARD : board; // eslint-disable-line @typescript-eslint/no-var-requires
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
  const boards = require('../firmware/boards'); // eslint-disable-line @typescript-eslint/no-var-requires
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
