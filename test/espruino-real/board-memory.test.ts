// Each board preset, exactly as configured (apps, buffers, connection limits, backlog, address), runs in
// the interpreter sized like its board (espruino-pico: 5,100 blocks of 13 bytes; espruino-wifi: 8,190 × 13;
// espruino-esp32: 16,383 × 14),
// booted from Storage, with only its SPI chip swapped for the dgram link (`npm run build -- --link dgram`).
// What is stored is what `npm run flash -- --save` stores: the bundle pretokenised by the espruino CLI's
// own plugin for 2v29 (tools/build/storage-size.ts), the only form that fits a Pico's or a WiFi's Storage.
// It serves its apps to the kernel's clients over a TAP, and its memory is read from the device
// (process.memory() at its console) idle and at its fullest: every connection the preset allows open at
// once, both buffers full and a write held. It must never run out of memory and must keep 15 % of its
// pool free at the fullest. On the Pico the firmware first meets an error thrown deep inside it (its
// link cannot open at power-on, as when a board's chip does not answer): it must catch it, not run out
// of memory building the error's stack trace, retry, and serve. What it measures must agree, within 10 %,
// with tools/build/measured-memory.ts: the figures the size report prints and README "Memory" shows.
// A last case measures the moonshot, the Pico preset with the HTTP server, in a larger pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dgram from 'dgram';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { ChildProcess } from 'child_process';
import { buildBundle } from '../../tools/build/bundle';
import { pretokenise } from '../../tools/build/storage-size';
import { presetOnDgram, withHttp } from '../../tools/build';
import { MEASURED_MEMORY, MEASURED_TOLERANCE } from '../../tools/build/measured-memory';
import { TCP_DEFAULTS } from '../../tcp/tcp/config';
import { stopChild } from '../helpers/netns';
import { canRunOnTap, interpreterOrSkip } from '../helpers/espruino-real';
import { bootFromStorage, startDnsmasq, startRelayRig, EspruinoProcess, RelayRig } from '../../tools/espruino-real';
import { checkEchoClients, checkStatusRoutes, netnsRunner } from '../sim-tool/contract';

interface Memory { free: number; usage: number; total: number; blocksize: number }

/** The least share of the pool left free at the fullest (Espruino's own working room). */
const HEADROOM = 0.15;
/** Bytes each held connection sends: well past what its buffers and the kernel's smallest socket buffers hold. */
const HELD_BYTES = 16384;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function memory(dev: EspruinoProcess): Promise<Memory> {
  return await dev.evalJson('process.memory()', 20000) as Memory;
}

/**
 * Memory once the connections just served have gone: the last echo or status-page connection may still be
 * closing (its buffers held until the final ACK). Read up to 6 times, 1 s apart, until it stops falling;
 * the lowest reading. (One run read the Pico's idle 366 blocks higher at once.)
 */
async function settledMemory(dev: EspruinoProcess): Promise<Memory> {
  let best = await memory(dev);
  for (let i = 0; i < 5; i++) {
    await wait(1000);
    const m = await memory(dev);
    const fell = m.usage < best.usage - 10;
    if (m.usage < best.usage) best = m;
    if (!fell) break;
  }
  return best;
}

/** Opens `count` echo connections held at their fullest; resolves when they are, with the finish promise. */
async function holdFull(rig: RelayRig, host: string, port: number, count: number): Promise<{ child: ChildProcess; done: Promise<string> }> {
  const script = path.join(__dirname, 'fixtures', 'hold-full.py');
  const child = rig.ns.spawn('python3', [script, host, String(port), String(count), String(HELD_BYTES), '4']);
  let out = '';
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const full = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('clients not at their fullest within 60 s: ' + out)), 60000);
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); if (/FULL /.test(out)) { clearTimeout(t); resolve(); } });
    child.on('exit', () => { clearTimeout(t); if (!/FULL /.test(out)) reject(new Error('clients ended early: ' + out)); });
  });
  const done = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  await full;
  return { child, done };
}

/** Used blocks within MEASURED_TOLERANCE of the figure recorded for the size report and the README. */
function assertAsRecorded(label: string, what: 'idle' | 'fullest', used: number): void {
  const recorded = MEASURED_MEMORY[label][what];
  assert.ok(Math.abs(used - recorded) <= MEASURED_TOLERANCE * recorded, label + ' ' + what + ': measured ' + used + ' blocks, but ' +
    'tools/build/measured-memory.ts (printed by the size report, and in README "Memory") says ' + recorded + ': update them');
}

/**
 * The cases: each preset in its board's interpreter, and the moonshot (the Pico preset with the HTTP server
 * put back) in the WiFi-sized one: the Pico's runs out of memory at its first status page, and the larger
 * pool of the same 13-byte blocks measures by how much it misses (README "Memory").
 */
const CASES = [
  { label: 'pico', board: 'pico', interp: 'pico', http: false },
  { label: 'wifi', board: 'wifi', interp: 'wifi', http: false },
  { label: 'esp32', board: 'esp32', interp: 'esp32', http: false },
  { label: 'pico-http', board: 'pico', interp: 'wifi', http: true },
] as const;

const ONLY = process.env.ETCPIP_BOARDS ? process.env.ETCPIP_BOARDS.split(',') : null; // e.g. ETCPIP_BOARDS=pico while working on one board
for (const c of CASES.filter((x) => !ONLY || ONLY.indexOf(x.label) >= 0)) {
  const board = c.label;
  test(c.http ? 'pico preset with HTTP on espruino-wifi from Storage: serves, and measures by how much it misses the Pico\'s pool'
    : board + ' preset on espruino-' + board + ' from Storage: serves its apps, memory idle and at its fullest, ≥ 15 % free', async () => {
    const what = 'the ' + board + ' preset in the ' + c.interp + '-sized Espruino interpreter';
    const interp = interpreterOrSkip(c.interp, what);
    if (!interp || !canRunOnTap(what)) return;
    const preset = presetOnDgram(c.board);
    const config = (c.http ? withHttp(preset) : preset) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const code = buildBundle({ entry: 'firmware/main.ts', board: c.board, config }).code;
    const dhcp = config.ipv4 === 'dhcp';
    const device = dhcp ? '10.0.9.50' : config.ipv4.address;
    const kernel = dhcp ? '10.0.9.1' : String(config.ipv4.gateway);
    const prefix = dhcp ? 24 : config.ipv4.prefixLength;
    let rig: RelayRig | null = null;
    let dev: EspruinoProcess | null = null;
    let dns: ReturnType<typeof startDnsmasq> | null = null;
    let busy: dgram.Socket | null = null;
    let clients: ChildProcess | null = null;
    try {
      rig = await startRelayRig('esm', kernel + '/' + prefix, config.dgram.relayPort, config.dgram.localPort);
      if (dhcp) dns = startDnsmasq(rig, device + ',' + device, kernel);
      if (board === 'pico') {
        // Power-on with the link unavailable (on a board: the chip not answering): the firmware's link
        // throws deep inside it at boot; the error must be caught, not run the board out of memory.
        const b = dgram.createSocket('udp4');
        busy = b;
        await new Promise<void>((resolve) => b.bind(config.dgram.localPort, () => resolve()));
      }
      dev = await bootFromStorage(interp, Buffer.from(pretokenise(code), 'latin1'), board);
      if (busy) {
        await dev.waitFor(/\[etcpip\] [^\n]*retrying in 30 s/, 30000);
        await new Promise<void>((resolve) => busy!.close(() => resolve()));
        busy = null;
        await dev.waitFor(/\[etcpip\] [^\n]*, echo :7/, 60000); // the retry after 30 s opens the link
      } else {
        await dev.waitFor(/\[etcpip\] [^\n]*, echo :7/, 30000);
      }
      const runner = netnsRunner(rig.ns.name);
      if (dns) {
        for (let i = 0; i < 150 && !new RegExp('DHCPACK[^\\n]*' + device.replace(/\./g, '\\.')).test(dns.log()); i++) await wait(200);
      }
      const ping = await runner('ping', ['-c', '2', '-i', '0.2', '-W', '3', device], 20000);
      assert.is(ping.code, 0, 'ping: ' + ping.stdout.toString() + ping.stderr);
      await checkEchoClients(runner, device, config.apps.echoPort, 1, 20000);
      if (config.apps.httpPort) await checkStatusRoutes(runner, 'http://' + device);
      const idle = await settledMemory(dev);
      const n = config.buffers.maxConnections;
      const held = await holdFull(rig, device, config.apps.echoPort, n);
      clients = held.child;
      await wait(1500);
      const full = await memory(dev);
      const finished = await held.done;
      clients = null;
      const m = /DONE (.*)/.exec(finished);
      assert.ok(m, 'the held clients finished: ' + finished);
      const results = JSON.parse(m![1]) as Array<{ sent: number; got: number; same: boolean; prefix: boolean }>;
      assert.is(results.length, n);
      // Every held connection echoed correctly as far as it got in 90 s (the slow interpreters, under qemu,
      // do not always finish all of them; the fresh peers below are checked whole).
      assert.ok(results.every((r) => r.prefix && r.got > 0), 'every held connection echoed correctly: ' + JSON.stringify(results));
      console.log('MEASURED ' + board + ': pool ' + full.total + ' blocks; idle ' + idle.usage + ' used; at its fullest (' + n +
        ' echo connections, buffers ' + config.buffers.rxBytes + '+' + config.buffers.txBytes + ') ' + full.usage + ' used, ' + full.free + ' free (' +
        Math.round(100 * full.free / full.total) + ' %)');
      assertAsRecorded(board, 'fullest', full.usage);
      assertAsRecorded(board, 'idle', idle.usage);
      const pool = MEASURED_MEMORY[board].pool;
      if (c.http) {
        console.log('  ' + board + ' against the Pico\'s pool of ' + pool + ': ' + (full.usage - Math.floor((1 - HEADROOM) * pool)) + ' blocks over the 15 % line at its fullest');
      } else {
        assert.is(full.total, pool, 'the interpreter has the board\'s pool');
        assert.ok(full.free >= HEADROOM * full.total, board + ' keeps ' + HEADROOM * 100 + ' % free at its fullest: ' + JSON.stringify(full));
      }
      // After the held connections have gone, twice over: fresh, fast peers at once (up to four: eight
      // under qemu outrun the ESP32-sized interpreter's 60 s), and nothing left behind (closed
      // connections used to stay in memory: tcp/events.ts).
      const fresh = Math.min(n, 4);
      // 8 KB each: under qemu the ESP32-sized interpreter, just out of its fullest, once took more than the
      // clients' 60 s for four of 20 KB (CI, 2026-12-07, with the machine busy).
      await checkEchoClients(runner, device, config.apps.echoPort, fresh, 8000);
      await checkEchoClients(runner, device, config.apps.echoPort, fresh, 8000);
      // Connections the held clients reset may linger until their next retransmission or window probe meets
      // the kernel's RST (when the RST itself was lost: the link holds two frames, and the clients close at
      // once). Backed off, that is up to the stack's largest RTO away (TCP_DEFAULTS.maxRtoMs, 60 s), so wait
      // that and 30 s more for the slow interpreters, bounded. A leaked socket never returns. (A 60 s wait
      // once left an esp32 connection at its fullest, 946 blocks, behind: CI at 361862a; the rerun passed.)
      const lingerSince = Date.now();
      let after = await memory(dev);
      while (after.usage > idle.usage + 40 && Date.now() - lingerSince < TCP_DEFAULTS.maxRtoMs + 30000) {
        await wait(2000);
        after = await memory(dev);
      }
      console.log('  ' + board + ' after the connections closed: ' + after.usage + ' used (idle was ' + idle.usage + ')' +
        (after.usage > idle.usage + 40 || Date.now() - lingerSince < 4000 ? '' : ', back after ' + Math.round((Date.now() - lingerSince) / 1000) + ' s'));
      assert.ok(after.usage <= idle.usage + 40, 'back to idle after the connections closed: ' + idle.usage + ' → ' + after.usage);
      assert.not.match(dev.output(), /OUT OF MEMORY|LOW_MEMORY|Uncaught|poll failed/, 'the device printed no error');
    } catch (e) {
      if (dev) {
        const file = path.join(os.tmpdir(), 'etcpip-' + board + '-device-output.txt');
        fs.writeFileSync(file, dev.output());
        console.error(board + ' device output (last 3000 characters; all of it in ' + file + '):\n' + dev.output().slice(-3000));
      }
      if (dns) console.error('dnsmasq log:\n' + dns.log().slice(-2000));
      throw e;
    } finally {
      if (clients) await stopChild(clients);
      if (busy) busy.close();
      if (dev) await dev.stop();
      if (dns) await stopChild(dns.child);
      if (rig) await rig.stop();
    }
  });
}

test.run();
