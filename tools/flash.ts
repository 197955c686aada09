// `npm run flash -- --port /dev/ttyACM0 [--board NAME] [--ip A.B.C.D/P [--gateway G] | --dhcp] [--save] [--no-pretokenise] [--baud 115200] [--file FILE]`
//
// Builds the firmware (tools/build.ts → dist/firmware.js) and uploads it with the `espruino` CLI
// (EspruinoTools 0.1.67, the npm package), in four steps, each reported plainly:
//   1. build         (skipped with --file FILE)
//   2. probe         the board must answer a marker expression: else "no board answering"
//   3. upload        to RAM, or with --save to Storage as .bootcde, which Espruino runs at boot from
//                    flash (function bodies stay in flash: less RAM). Storage uploads are pretokenised
//                    by the CLI (--config PRETOKENISE=1: keywords and operators become one byte, and, as
//                    the probed firmware version allows, strings from 2v20.48 and integers from 2v26
//                    become raw tokens), unless --no-pretokenise. The CLI refuses to pretokenise RAM
//                    uploads, so those go as they are.
//   4. verify        (--save) the length and CRC32 of .bootcde read back from the board must match
//                    what the CLI was asked to write; only then does it say "flashed".
// Workarounds for the CLI (docs/espruino.md): --no-ble (no D-Bus here),
// SERIAL_THROTTLE_SEND=1 (small uploads otherwise never finish), --board FILE.json (offline: no board
// JSON download), and pseudo-terminals are bridged to TCP with socat (the CLI rejects PTY paths). The
// CLI runs through tools/flash/espruino-cli.js, which gives its pretokenise plugin the probed version
// (with --board it would see none) and sends bytes above 0x7F as single bytes on tcp:// ports.
// Exit codes: 0 ok, 2 no port, 3 no board answering, 4 out of memory, 5 board error, 6 verify failed,
// 1 anything else (build failure, bad arguments).
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { STORAGE_FILE_OVERHEAD } from './build/storage-size';
import { crc32OfText } from '../hal/sim/crc32';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'tools', 'flash', 'espruino-cli.js');

export interface FlashArgs {
  port: string;
  board: string;
  save: boolean;
  baud: number;
  file: string;
  /** Storage file for --save. */
  storageName: string;
  verbose: boolean;
  /** With --save: let the CLI pretokenise the code (default true; --no-pretokenise sets false). */
  pretokenise?: boolean;
  /** Passed to the build: --ip A.B.C.D/P, --gateway G, --dhcp (the board's address instead of the preset's). */
  buildOptions: string[];
}

export const FLASH_USAGE = 'usage: npm run flash -- --port PORT [--board NAME] [--ip A.B.C.D/P [--gateway G] | --dhcp] [--save] [options]\n' +
  'Builds the firmware for the board and uploads it with the espruino CLI, then (with --save) reads it back to check.\n' +
  '  --port PORT, -p   the board\'s serial port (/dev/ttyACM0 for a Pico or WiFi on USB, /dev/ttyUSB0 for an ESP32),\n' +
  '                    or tcp://HOST:PORT; a pseudo-terminal is bridged with socat\n' +
  '  --board NAME      the preset (firmware/boards.ts): pico, wifi (default), esp32\n' +
  '  --ip A.B.C.D/P    the board\'s static address instead of the preset\'s (prefix 24 if left out)\n' +
  '  --gateway G       with --ip: the default gateway\n' +
  '  --dhcp            get the address by DHCP instead (larger firmware: the DHCP client comes in)\n' +
  '  --save            write to Storage as .bootcde: it runs at every power-on, and its function bodies\n' +
  '                    stay in flash (less RAM); without it, the code goes to RAM and is lost at reset\n' +
  '  --no-pretokenise  with --save: store the code as text (by default the CLI pretokenises it: smaller)\n' +
  '  --baud N, -b      serial speed (default 115200; USB boards ignore it)\n' +
  '  --file FILE       upload FILE instead of building (e.g. a dist/firmware.js built before)\n' +
  '  --verbose, -v     print everything the espruino CLI says\n' +
  'Exit codes: 0 flashed, 2 no such port, 3 no board answering, 4 out of memory / Storage full, 5 board error,\n' +
  '6 read-back did not match, 1 anything else.';

export class FlashError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export function parseArgs(argv: string[]): FlashArgs {
  const a: FlashArgs = { port: '', board: 'default', save: false, baud: 115200, file: '', storageName: '.bootcde', verbose: false, buildOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--port' || k === '-p') { a.port = v; i++; }
    else if (k === '--board') { a.board = v; i++; }
    else if (k === '--baud' || k === '-b') { a.baud = Number(v); i++; }
    else if (k === '--file') { a.file = v; i++; }
    else if ((k === '--ip' || k === '--gateway') && v) { a.buildOptions.push(k, v); i++; }
    else if (k === '--dhcp') a.buildOptions.push(k);
    else if (k === '--save') a.save = true;
    else if (k === '--no-pretokenise') a.pretokenise = false;
    else if (k === '--verbose' || k === '-v') a.verbose = true;
    else if (k === '--help' || k === '-h') {
      throw new FlashError(FLASH_USAGE, 0);
    } else throw new FlashError('unknown argument ' + k + ' (try --help)', 1);
  }
  if (!a.port) throw new FlashError('no port given: use --port /dev/ttyACM0 (or tcp://HOST:PORT)', 2);
  if (!(a.baud > 0)) throw new FlashError('bad --baud', 1);
  return a;
}

/** A firmware version as process.env.VERSION gives it ("2v29", "2v20.48"), or null. */
export function parseVersion(v: string): { major: number; minor: number } | null {
  const m = /^(\d+)v(\d+)(\.\d+)?$/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/**
 * The environment the CLI would otherwise read from the board or download (offline operation), for
 * firmware `version` (the probed one once known). The CLI only uses VERSION_MAJOR/MINOR from it (Storage
 * exists from 1v96); the pretokenise plugin never sees it (tools/flash/espruino-cli.js).
 */
function boardJson(version: string = '2v29', file?: string): string {
  const f = file || path.join(os.tmpdir(), 'etcpip-flash-board-' + process.pid + '.json');
  const v = parseVersion(version) || { major: 2, minor: 29 };
  fs.writeFileSync(f, JSON.stringify({
    VERSION: version, VERSION_MAJOR: v.major, VERSION_MINOR: v.minor,
    // Modules the firmware may require(); all are built into the Pico/WiFi/ESP32/Linux firmwares.
    info: { builtin_modules: ['Storage', 'NetworkJS', 'net', 'http', 'dgram', 'Flash', 'crypto'] },
  }));
  return f;
}

/** 81622 → "81,622". */
function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

interface CliResult { code: number | null; out: string }

/**
 * Runs the espruino CLI, echoing its lines with a prefix; resolves with everything it printed.
 * `version`: the firmware version its pretokenise plugin tokenises for (null: none known).
 */
function runCli(args: string[], log: (s: string) => void, timeoutMs: number, version: string | null = null): Promise<CliResult> {
  return new Promise((resolve) => {
    const env = Object.assign({}, process.env);
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    delete env.ETCPIP_ESPRUINO_VERSION;
    if (version) env.ETCPIP_ESPRUINO_VERSION = version;
    const child: ChildProcess = spawn(process.execPath, [CLI].concat(args), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let partial = '';
    const onData = (b: Buffer): void => {
      const s = b.toString('latin1');
      out += s;
      partial += s;
      let i;
      while ((i = partial.indexOf('\n')) >= 0) {
        const line = partial.substring(0, i).replace(/\r$/, '');
        partial = partial.substring(i + 1);
        if (line.trim()) log('  espruino| ' + line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => { out += '\n[flash: espruino CLI timed out]\n'; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function cliBase(a: FlashArgs, port: string, board: string): string[] {
  return ['--no-ble', '--board', board, '--config', 'SERIAL_THROTTLE_SEND=1', '-b', String(a.baud), '-p', port];
}

/** A PTY path is not accepted by the CLI: bridge it to a local TCP port with socat. */
async function bridgePty(dev: string, log: (s: string) => void): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  // fork: each CLI run (probe, upload, verify) is a new TCP connection that opens the PTY afresh.
  const child = spawn('socat', ['TCP-LISTEN:' + port + ',bind=127.0.0.1,reuseaddr,fork', 'FILE:' + dev + ',raw,echo=0'], { stdio: 'ignore' });
  let failed = false;
  child.on('error', () => { failed = true; });
  for (let i = 0; i < 100 && !isListening(port); i++) {
    if (failed) throw new FlashError('cannot bridge ' + dev + ': socat is not installed', 2);
    await sleep(20);
  }
  log('  bridged pseudo-terminal ' + dev + ' to tcp://127.0.0.1:' + port + ' (socat)');
  return { url: 'tcp://127.0.0.1:' + port, stop: () => child.kill() };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** Whether a local TCP port is in LISTEN state (Linux /proc; without it, assume yes after a pause). */
function isListening(port: number): boolean {
  try {
    const hex = ':' + ('000' + port.toString(16).toUpperCase()).slice(-4) + ' ';
    return fs.readFileSync('/proc/net/tcp', 'latin1').split('\n').some((l) => l.indexOf(hex) >= 0 && / 0A /.test(l));
  } catch (e) {
    return true;
  }
}

/** The offset of the first byte outside printable ASCII/tab/newline, or -1. */
export function firstNonAscii(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 126 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) return i;
  }
  return -1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The CLI options for a Storage upload (pretokenised unless told not to). */
function storageArgs(a: FlashArgs): string[] {
  const r = ['--storage', a.storageName + ':-'];
  if (a.pretokenise !== false) r.push('--config', 'PRETOKENISE=1');
  return r;
}

/**
 * What the CLI will store for a --save upload to a board running firmware `version`: run it with -n -o
 * (transform only, no board) exactly as the upload will run it, and replay its Storage writes locally.
 */
export async function expectedStorage(a: FlashArgs, version: string | null, log: (s: string) => void = () => {}, board?: string): Promise<string> {
  const ownBoard = !board;
  const boardFile = board || boardJson(version || '2v29', path.join(os.tmpdir(), 'etcpip-flash-stage-board-' + process.pid + '.json'));
  try {
    return await stage(a, boardFile, version, log);
  } finally {
    if (ownBoard) { try { fs.unlinkSync(boardFile); } catch (e) { /* gone */ } }
  }
}

async function stage(a: FlashArgs, board: string, version: string | null, log: (s: string) => void): Promise<string> {
  const staged = path.join(os.tmpdir(), 'etcpip-flash-staged-' + process.pid + '.js');
  const r = await runCli(['--no-ble', '--board', board, '-n', '-o', staged].concat(storageArgs(a), [a.file]), a.verbose ? log : () => {}, 60000, version);
  if (!fs.existsSync(staged)) throw new FlashError('the espruino CLI could not prepare the upload:\n' + r.out, 1);
  const files: { [k: string]: string } = {};
  const Storage = {
    write(name: string, data: string, offset?: number, size?: number): void {
      if (size !== undefined) files[name] = '\xff'.repeat(size);
      if (offset === undefined) { files[name] = data; return; }
      const f = files[name];
      files[name] = f.substring(0, offset) + data + f.substring(offset + data.length);
    },
  };
  vm.runInNewContext(fs.readFileSync(staged, 'latin1'), {
    require: (m: string) => (m === 'Storage' ? Storage : {}), load: () => {}, setTime: () => {},
    atob: (s: string) => Buffer.from(s, 'base64').toString('latin1'),
  });
  fs.unlinkSync(staged);
  const content = files[a.storageName];
  if (content === undefined) throw new FlashError('the espruino CLI did not produce a Storage upload', 1);
  return content;
}

function boardProblem(out: string): FlashError | null {
  if (/Out of Memory|LOW MEMORY|not enough memory/i.test(out)) {
    return new FlashError('the board ran out of memory while loading the firmware. Use --save (code runs from ' +
      'flash Storage), a smaller --board preset (smaller buffers), or a board with more RAM.', 4);
  }
  if (/Not enough free space in Storage|Unable to find or create file/i.test(out)) {
    return new FlashError('the board\'s Storage is full: erase it (require("Storage").eraseAll()) and try again.', 4);
  }
  const m = /(Uncaught [^\r\n]*|ERROR: [^\r\n]*)/.exec(out);
  if (m) return new FlashError('the board reported an error: ' + m[1], 5);
  return null;
}

export async function flash(a: FlashArgs, log: (s: string) => void = console.log): Promise<{ bytes: number; crc: number }> {
  const cleanup: Array<() => void> = [];
  try {
    // The port first: no point building for a board that is not there.
    let port = a.port;
    if (!/^tcp:\/\//.test(port)) {
      if (!fs.existsSync(port)) {
        throw new FlashError('no port ' + port + ': is the board plugged in? (Linux: /dev/ttyACM0 for USB, ' +
          'check `ls /dev/ttyACM* /dev/ttyUSB*` and that you are in the dialout group)', 2);
      }
      let real = port;
      try { real = fs.realpathSync(port); } catch (e) { /* keep */ }
      if (/^\/dev\/pts\//.test(real)) {
        const br = await bridgePty(real, log);
        cleanup.push(br.stop);
        port = br.url;
      }
    }
    // 1. build
    if (!a.file) {
      log('[1/4] building dist/firmware.js for board ' + a.board + ' ...');
      const b = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'tools', 'build.ts'), '--board', a.board].concat(a.buildOptions),
        { cwd: ROOT, stdio: 'inherit' });
      if (b.status !== 0) throw new FlashError('the build failed (see above); nothing was uploaded', 1);
      a.file = path.join(ROOT, 'dist', 'firmware.js');
    } else {
      log('[1/4] using ' + a.file + ' (no build)');
    }
    if (!fs.existsSync(a.file)) throw new FlashError('no firmware file ' + a.file, 1);
    const size = fs.statSync(a.file).size;
    // The CLI re-encodes bytes above 127 on the way (they would arrive changed): refuse them up front.
    const bad = firstNonAscii(fs.readFileSync(a.file, 'latin1'));
    if (bad >= 0) {
      throw new FlashError(a.file + ' has a non-ASCII byte at offset ' + bad + '; the espruino CLI would change it in ' +
        'transit. Escape it in the source (e.g. "\\u00e9").', 1);
    }

    const board = boardJson();
    cleanup.push(() => { try { fs.unlinkSync(board); } catch (e) { /* gone */ } });
    const tokenise = a.save && a.pretokenise !== false;

    // 2. probe
    log('[2/4] looking for Espruino on ' + a.port + ' ...');
    const probe = await runCli(cliBase(a, port, board).concat(['-e', 'print("etcpip"+"-probe:"+process.env.VERSION+":"+process.memory().free+":"+process.memory().blocksize+":"+(require("Storage").getFree?require("Storage").getFree():-1))']), a.verbose ? log : () => {}, 30000);
    const pm = /etcpip-probe:([^:\r\n]*):(\d+):(\d+):(-?\d+)/.exec(probe.out);
    if (!pm) {
      // Say what the CLI said: a port it does not list is not the same trouble as one it cannot open.
      if (/not found/i.test(probe.out)) {
        throw new FlashError('the espruino CLI does not find ' + a.port + ' among the serial ports it knows: is it the board\'s port? ' +
          '(an Espruino Pico or WiFi shows up as /dev/ttyACM0, an ESP32 as /dev/ttyUSB0)\n' + probe.out.trim(), 2);
      }
      if (/ECONNREFUSED/i.test(probe.out)) throw new FlashError('nothing accepts connections at ' + a.port + '\n' + probe.out.trim(), 2);
      if (/Unable to connect|Error: Port/i.test(probe.out)) {
        throw new FlashError('could not open ' + a.port + ' (is another program using it?)\n' + probe.out.trim(), 2);
      }
      throw new FlashError('no board answering on ' + a.port + ': nothing replied to the REPL. Check the baud rate ' +
        '(--baud), that Espruino (not another firmware) runs on it, and press reset.', 3);
    }
    const free = Number(pm[2]) * Number(pm[3]);
    const storageFree = Number(pm[4]);
    // The probed version decides what the CLI tokenises; both the staging run below and the upload are
    // told it, so the expected Storage content is what this board gets.
    const version = parseVersion(pm[1]) ? pm[1] : null;
    if (version) boardJson(version, board);
    // What --save stores, and so what must fit and what verification expects.
    let expected = '';
    if (a.save) expected = await expectedStorage(a, version, log, board);
    const stored = a.save ? expected.length : size;
    log('      Espruino ' + pm[1] + ', ~' + Math.round(free / 1024) + ' KB RAM free' +
      (storageFree >= 0 ? ', ' + Math.round(storageFree / 1024) + ' KB Storage free' : '') + '; firmware is ' + fmt(size) + ' bytes' +
      (tokenise ? ', ' + fmt(stored) + ' pretokenised' + (version ? '' : ' (keywords only: unknown firmware version)') : ''));
    // Each Storage file also takes a 32-byte header and rounding (jsflash.h): keep 64 bytes of slack.
    if (a.save && storageFree >= 0 && stored + STORAGE_FILE_OVERHEAD > storageFree) {
      throw new FlashError('the firmware (' + fmt(stored) + ' bytes' + (tokenise ? ' pretokenised' : '') + ') does not fit in the board\'s free Storage (' +
        fmt(storageFree) + ' bytes): erase Storage (require("Storage").eraseAll()) or build a smaller configuration. Nothing was written.', 4);
    }
    // Code loaded into RAM costs about 2.4x its size in variables (docs/espruino.md §4.3: 5 KB took 938 blocks).
    if (!a.save && size * 2.4 > free) {
      log('      warning: ~' + Math.round(size * 2.4 / 1024) + ' KB of RAM needed, ~' + Math.round(free / 1024) + ' KB free: use --save');
    }

    // 3. upload
    log('[3/4] uploading ' + fmt(stored) + ' bytes ' + (a.save ? 'to Storage "' + a.storageName + '" (runs at boot)' : 'to RAM (lost on reset; add --save to keep it)') + ' ...');
    const t0 = Date.now();
    const ticker = setInterval(() => log('      ... ' + Math.round((Date.now() - t0) / 1000) + ' s'), 5000);
    const upArgs = cliBase(a, port, board);
    if (a.save) upArgs.push.apply(upArgs, storageArgs(a));
    upArgs.push(a.file);
    // About 10 bits per byte on a UART, plus slack for the REPL (escapes make the Storage writes longer).
    const up = await runCli(upArgs, log, 60000 + Math.ceil(size * 4 * 10 * 1000 / a.baud), a.save ? version : null);
    clearInterval(ticker);
    const problem = boardProblem(up.out);
    if (problem) throw problem;
    if (!/Upload Complete/.test(up.out)) throw new FlashError('the upload did not complete:\n' + up.out.trim(), 3);

    // 4. verify
    if (!a.save) {
      log('[4/4] uploaded to RAM in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s (not saved: it is gone after a reset)');
      return { bytes: size, crc: 0 };
    }
    log('[4/4] verifying ...');
    const name = JSON.stringify(a.storageName);
    // Reading back is harmless to repeat: a reply lost on the link (the CLI can hang up before a slow
    // bridge has passed the board's answer on) is asked for again, up to three times.
    let vm2: RegExpExecArray | null = null;
    for (let attempt = 1; attempt <= 3 && !vm2; attempt++) {
      const v = await runCli(cliBase(a, port, board).concat(['-e',
        'print("etcpip"+"-verify:"+(function(f){return f===undefined?"-1:0":f.length+":"+E.CRC32(f);})(require("Storage").read(' + name + ')))']), a.verbose ? log : () => {}, 30000);
      vm2 = /etcpip-verify:(-?\d+):(\d+)/.exec(v.out);
      if (!vm2 && attempt < 3) log('      no answer to the read-back; asking again');
    }
    const want = { bytes: expected.length, crc: crc32OfText(expected) };
    if (!vm2) throw new FlashError('could not read the firmware back from the board to verify it', 6);
    if (Number(vm2[1]) !== want.bytes || Number(vm2[2]) !== want.crc) {
      throw new FlashError('verification failed: the board holds ' + vm2[1] + ' bytes (CRC ' + vm2[2] + '), expected ' +
        want.bytes + ' bytes (CRC ' + want.crc + '). The firmware was NOT flashed correctly.', 6);
    }
    log('flashed ' + fmt(want.bytes) + ' bytes' + (tokenise ? ' (pretokenised)' : '') + ' to Storage "' + a.storageName + '" on ' + a.port + ' (CRC32 ' + want.crc +
      ' verified); it runs at every boot.');
    return want;
  } finally {
    for (const c of cleanup) c();
  }
}

if (require.main === module) {
  let args: FlashArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof FlashError && e.exitCode === 0) { console.log(e.message); process.exit(0); } // --help
    console.error('flash: ' + (e as Error).message);
    process.exit(e instanceof FlashError ? e.exitCode : 1);
  }
  flash(args).then(() => process.exit(0), (e) => {
    console.error('flash: ' + (e as Error).message);
    process.exit(e instanceof FlashError ? e.exitCode : 1);
  });
}
