// NetworkJS in the real interpreter: a `linux` build with `apps.networkJs: true` and its frames on the
// serial link (hal/espruino/serial-frame-device.ts: Serial1 on a pty, so Espruino's network layer, which
// NetworkJS takes over, is not in the frames' way), booted from Storage by espruino-linux, runs an unmodified Espruino program typed at its REPL (as a user would upload it):
// Espruino's own require("http").createServer(...).listen(8080) — GET answers 100 KB written in 1 KB
// chunks on 'drain', POST echoes its body — and a require("net") client that fetches 50 KB from a
// server on the kernel side and prints the length and E.CRC32 of what it got. Checked from kernel peers
// in a namespace made here, byte-exact (sha256 / CRC32). Until now this was checked only against a model
// of Espruino's polling (test/firmware/networkjs.test.ts). The frames go
//   kernel (namespace) ⇄ TAP ⇄ tools/serial-tap-relay.ts ⇄ pty (in a fresh temporary directory) ⇄ Serial1.
// Root only; every wait is bounded; everything is released on every path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { ChildProcess } from 'child_process';
import { buildBundle } from '../../tools/build/bundle';
import { boardConfig } from '../../firmware/boards';
import { validateConfig, BoardConfig } from '../../firmware/config';
import { stopChild } from '../helpers/netns';
import { canRunOnTap, interpreterOrSkip } from '../helpers/espruino-real';
import { bootFromStorage, startTapRig, EspruinoProcess, TapRig } from '../../tools/espruino-real';
import { Runnable } from '../../tools/espruino-bin';
import { netnsRunner } from '../sim-tool/contract';
import { SerialTapRelay } from '../../tools/serial-tap-relay';

// Not 10.0.9.x: other real-interpreter tests use it at the same time.
const KERNEL = '10.0.19.1';
const DEVICE = '10.0.19.2';
const BAUD = 115200; // a pty ignores the rate
const HTTP_PORT = 8080;
const SERVER_PORT = 9000;
const GET_CHUNKS = 100;   // × 1024 bytes
const POST_BYTES = 20000;
const FETCH_BYTES = 51200;
const GREETING = 'HELLO from espruino\n';

/** The user's program, one complete statement per line, as typed at the REPL. */
const SERVER_PROGRAM = [
  'echo(0);',
  'var B="";for(var j=0;j<1024;j++)B+=String.fromCharCode((j*7+3)&255);',
  'function chunk(i){var r=(i*13)%1024;return B.substr(r)+B.substr(0,r);}',
  'var srv=require("http").createServer(function(req,res){' +
    'if(req.method=="POST"){' +
      'var n=parseInt(req.headers["Content-Length"]||"0",10),body="",sent=false;' +
      'var reply=function(){if(sent)return;sent=true;res.writeHead(200,{"Content-Type":"application/octet-stream","Content-Length":body.length});res.end(body);};' +
      'req.on("data",function(d){body+=d;if(body.length>=n)reply();});' +
      'if(n===0)reply();' +
      'return;' +
    '}' +
    'var i=0,done=false;' +
    'res.writeHead(200,{"Content-Type":"application/octet-stream","Content-Length":' + GET_CHUNKS * 1024 + '});' +
    'res.on("drain",function(){if(i<' + GET_CHUNKS + ')res.write(chunk(i++));else if(!done){done=true;res.end();}});' +
    'res.write(chunk(i++));' +
  '});',
  'srv.listen(' + HTTP_PORT + ');',
  'print("NJ"+"LISTENING");',
];

const CLIENT_PROGRAM = [
  'var all="";',
  'var c=require("net").connect({host:"' + KERNEL + '",port:' + SERVER_PORT + '},function(){c.write(' + JSON.stringify(GREETING) + ');});',
  'c.on("data",function(d){all+=d;});',
  'c.on("error",function(e){print("NJ"+"ERR "+JSON.stringify(e));});',
  'c.on("close",function(){print("NJ"+"CLIENT "+all.length+" "+E.CRC32(all));});',
];

/** What GET / must return: chunk i is the 1024-byte base rotated left by (i * 13) % 1024. */
function expectedGetBody(): Buffer {
  const base = Buffer.alloc(1024);
  for (let j = 0; j < 1024; j++) base[j] = (j * 7 + 3) & 255;
  const parts: Buffer[] = [];
  for (let i = 0; i < GET_CHUNKS; i++) {
    const r = (i * 13) % 1024;
    parts.push(Buffer.concat([base.subarray(r), base.subarray(0, r)]));
  }
  return Buffer.concat(parts);
}

/** What the kernel-side server sends (fixtures/networkjs-serve.py). */
function expectedFetch(): Buffer {
  const b = Buffer.alloc(FETCH_BYTES);
  for (let i = 0; i < FETCH_BYTES; i++) b[i] = (i * 31 + (i >> 9)) & 255;
  return b;
}

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** Splits curl -i output into the last response's head and its body. */
function splitResponse(raw: Buffer): { head: string; body: Buffer } {
  let off = 0;
  let head = '';
  // Skip interim responses (100 Continue) if any.
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) return { head: raw.toString('latin1'), body: Buffer.alloc(0) };
    head = raw.subarray(off, end).toString('latin1');
    off = end + 4;
    if (!/^HTTP\/[0-9.]+ 1\d\d/.test(head)) break;
  }
  return { head, body: raw.subarray(off) };
}

function deviceConfig(ptyPath: string): BoardConfig {
  const linux = boardConfig('linux')!;
  const config: BoardConfig = Object.assign({}, linux, {
    link: 'serial' as const,
    description: 'Espruino Linux build, frames over a serial pty',
    apps: Object.assign({}, linux.apps, { networkJs: true }),
    serial: { path: ptyPath, baud: BAUD, frames: 8 },
    ipv4: { address: DEVICE, prefixLength: 24, gateway: KERNEL, dns: [] },
  });
  return config;
}

type SerialRig = TapRig<SerialTapRelay>;

/** A rig whose relay joins the TAP to the interpreter's serial pty (SerialTapRelay). */
function startSerialRig(label: string, kernelCidr: string, ptyPath: string): Promise<SerialRig> {
  return startTapRig(label, kernelCidr, (tap) => SerialTapRelay.open({ tap, path: ptyPath, startTimeoutMs: 5000 }),
    (relay) => relay.stop());
}

/**
 * Espruino's Linux build reads a serial device on a second thread (jshInputThread, targets/linux/jshardware.c)
 * and pushes the bytes into the same IO event queue the main loop pops, with no lock: jshInterruptOff()
 * is empty there. jshPushIOCharEvents (src/jsdevices.c) may lengthen the newest queued event while the main
 * loop is popping it, and the queue is then corrupt: the interpreter stops at `ASSERT(len <= 64) FAILED AT
 * src/jsdevices.c:591` (2v29). A board pushes from an interrupt with interrupts off, so this is the Linux
 * build's, not the firmware's; it stopped one full suite run (not one of 6 runs of this file alone).
 */
const LINUX_INPUT_THREAD_RACE = /ASSERT\([^)]*\) FAILED AT src\/jsdevices\.c/;

/** Thrown (carrying the device's output) when the interpreter stopped on LINUX_INPUT_THREAD_RACE. */
class InterpreterQueueRace extends Error {}

test('NetworkJS in espruino-linux: a user\'s http server on :8080 (GET 100 KB, POST echo 20 KB) and net client (50 KB) with kernel peers', async () => {
  const what = 'NetworkJS (require("http"), require("net")) in the real Espruino interpreter';
  const interp = interpreterOrSkip('linux', what);
  if (!interp || !canRunOnTap(what)) return;
  // One more run, only when the interpreter itself stopped on its Linux input-thread race; every other
  // failure fails the test at once.
  try {
    await runScenario(interp);
  } catch (e) {
    if (!(e instanceof InterpreterQueueRace)) throw e;
    console.log('espruino-linux stopped on its serial input-thread race (' + e.message + '); running the scenario once more');
    await runScenario(interp);
  }
});

async function runScenario(interp: Runnable): Promise<void> {
  // The pty appears in a fresh directory of its own: no fixed name another run could hold.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-serial-'));
  const ptyPath = path.join(dir, 'pty');
  let rig: SerialRig | null = null;
  let dev: EspruinoProcess | null = null;
  let server: ChildProcess | null = null;
  let serverOut = '';
  try {
    const config = deviceConfig(ptyPath);
    assert.equal(validateConfig(config), [], 'the configuration is valid');
    const bundle = buildBundle({ entry: 'firmware/main.ts', board: 'linux', config: config as unknown as { [key: string]: unknown } });
    assert.ok(bundle.leftOut.includes('hal/espruino/dgram-frame-device') && !bundle.leftOut.includes('hal/espruino/serial-frame-device'),
      'the bundle has the serial link and not the dgram one: ' + bundle.leftOut.join(', '));
    const code = bundle.code;
    rig = await startSerialRig('esnj', KERNEL + '/24', ptyPath);
    dev = await bootFromStorage(interp, code, 'networkjs');
    await dev.waitFor(/\[etcpip\] [^\n]*10\.0\.19\.2\/24/, 20000);
    const runner = netnsRunner(rig.ns.name);
    // The frame link first: with NetworkJS registered, the device must still take frames from its serial link.
    const ping = await runner('ping', ['-c', '3', '-i', '0.3', '-W', '2', DEVICE], 15000);
    assert.is(ping.code, 0, 'the device answers ping over the serial link with NetworkJS registered: ' + ping.stdout.toString() + ping.stderr);

    // --- the user's program: an HTTP server on 8080 ---
    for (const line of SERVER_PROGRAM) dev.send(line);
    await dev.waitFor(/NJLISTENING/, 15000);

    // GET: 100 KB, byte-exact.
    const want = expectedGetBody();
    const t0 = Date.now();
    const get = await runner('curl', ['-sS', '-i', '--max-time', '60', 'http://' + DEVICE + ':' + HTTP_PORT + '/'], 70000);
    assert.is(get.code, 0, 'curl GET: ' + get.stderr);
    const g = splitResponse(get.stdout);
    assert.match(g.head, /^HTTP\/1\.[01] 200/, 'GET status: ' + g.head);
    assert.is(g.body.length, want.length, 'GET body length');
    assert.is(sha(g.body), sha(want), 'GET body byte-exact (sha256)');

    // POST: 20 KB of every byte value, echoed byte-exact.
    const post = Buffer.alloc(POST_BYTES);
    for (let i = 0; i < POST_BYTES; i++) post[i] = (i * 101 + (i >> 8) * 7 + 11) & 255;
    const t1 = Date.now();
    const pr = await runner('curl', ['-sS', '-i', '--max-time', '60', '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream',
      '--data-binary', '@-', 'http://' + DEVICE + ':' + HTTP_PORT + '/echo'], 70000, post);
    assert.is(pr.code, 0, 'curl POST: ' + pr.stderr);
    const p = splitResponse(pr.stdout);
    assert.match(p.head, /^HTTP\/1\.[01] 200/, 'POST status: ' + p.head);
    assert.is(p.body.length, POST_BYTES, 'POST echo length');
    assert.is(sha(p.body), sha(post), 'POST echo byte-exact (sha256)');

    // --- the user's program: a net client fetching from a kernel-side server ---
    server = rig.ns.spawn('python3', [path.join(__dirname, 'fixtures', 'networkjs-serve.py'), KERNEL, String(SERVER_PORT), String(FETCH_BYTES)]);
    const srv = server;
    const serverDone = new Promise<void>((resolve) => srv.once('exit', () => resolve()));
    srv.stdout!.on('data', (b: Buffer) => { if (serverOut.length < 20000) serverOut += b.toString(); });
    srv.stderr!.on('data', (b: Buffer) => { if (serverOut.length < 20000) serverOut += b.toString(); });
    for (let i = 0; i < 50 && !/READY/.test(serverOut) && srv.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(serverOut, /READY/, 'the kernel-side server listens: ' + serverOut);
    const t2 = Date.now();
    for (const line of CLIENT_PROGRAM) dev.send(line);
    // Up to the line's end: the console's output arrives in pieces, and a number cut short would match too.
    const m = await dev.waitFor(/NJ(CLIENT (\d+) (-?\d+)\r?\n|ERR [^\n]*\n)/, 60000);
    assert.ok(m[2] !== undefined, 'the net client finished without error: ' + m[0]);
    const fetched = expectedFetch();
    assert.is(Number(m[2]), FETCH_BYTES, 'the net client received every byte');
    // E.CRC32 is zlib's CRC-32; on the 64-bit build it prints unsigned, >>> 0 covers a signed print too.
    assert.is(Number(m[3]) >>> 0, zlib.crc32(fetched) >>> 0, 'the net client received the bytes exactly (CRC32)');
    let serverWait: NodeJS.Timeout | undefined;
    await Promise.race([serverDone, new Promise((r) => { serverWait = setTimeout(r, 35000); })]);
    if (serverWait) clearTimeout(serverWait); // else it would hold the test process open for 35 s
    assert.match(serverOut, new RegExp('SERVED ' + FETCH_BYTES + ' GOT ' + Buffer.from(GREETING).toString('hex')),
      'the kernel-side server got the client\'s greeting and sent everything: ' + serverOut);

    const t3 = Date.now();
    console.log('serial link: GET 100 KB ' + (t1 - t0) + ' ms, POST 20 KB ' + (t2 - t1) + ' ms, net client 50 KB ' + (t3 - t2) +
      ' ms; relay ' + JSON.stringify(rig.relay.counters) + ', its decoder ' + JSON.stringify(rig.relay.decoder.counters));
    assert.not.match(dev.output(), /Uncaught|OUT OF MEMORY|LOW_MEMORY|poll failed|NJERR/, 'the device printed no error');
  } catch (e) {
    const race = dev ? LINUX_INPUT_THREAD_RACE.exec(dev.output()) : null;
    if (race) throw new InterpreterQueueRace(race[0]);
    if (dev) console.error('device output (last 3000 characters):\n' + dev.output().slice(-3000));
    if (serverOut) console.error('kernel-side server:\n' + serverOut.slice(-2000));
    if (rig) console.error('relay: ' + JSON.stringify(rig.relay.counters) + ' decoder ' + JSON.stringify(rig.relay.decoder.counters));
    throw e;
  } finally {
    if (dev) await dev.stop();
    if (server) await stopChild(server);
    if (rig) await rig.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test.run();
