// Runs as the device runs: the built bundle itself (tools/build → the minified ES5 that ships), loaded
// into a `vm` sandbox that exposes only Espruino's globals — SPI1, digitalWrite, setWatch, getTime, E,
// timers, print, process.memory, getSerial, and the language's own typed arrays; none of Node's —
// with SPI1 backed by the simulated W5500 (hal/sim/w5500-model.ts) on a VirtualWire. A second Stack on
// the wire is the client: the HTTP and echo contract through the bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as vm from 'vm';
import { createHash } from 'crypto';
import { buildBundle } from '../../tools/build/bundle';
import { Stack } from '../../tcp/stack';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { W5500Model } from '../../hal/sim/w5500-model';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { boardConfig } from '../../firmware/boards';
import { BoardConfig } from '../../firmware/config';
import { parseIpv4 } from '../../tcp/wire/ipv4-address';
import { BYTES_PATTERN } from '../../firmware/apps/http-app';
import { ResponseReader } from './http-client';

type Chip = 'w5500' | 'enc28j60';
const bundles: { [chip: string]: string } = {};

/** The sim preset built for `chip`: only that chip's driver is in the bundle (tools/build/profile.ts). */
function bundleFor(chip: Chip): string {
  if (!bundles[chip]) {
    const config = boardConfig('sim') as BoardConfig;
    config.chip = chip;
    bundles[chip] = buildBundle({ entry: 'firmware/main.ts', board: 'sim', config: config as unknown as { [k: string]: unknown } }).code;
  }
  return bundles[chip];
}

function boot(chip: Chip = 'w5500') {
  const bundle = bundleFor(chip);
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, { delayMs: 0.2 });
  const model = chip === 'w5500' ? new W5500Model({ clock, port: wire.a }) : new Enc28j60Model({ clock, port: wire.a });
  const rand = new SeededRandom(11);
  // Espruino's timers on the virtual clock.
  let nextId = 1;
  const timers: Array<{ id: number; at: number; fn: () => void }> = [];
  const printed: string[] = [];
  const watches: Array<() => void> = [];
  const sandbox: { [k: string]: unknown } = {
    SPI1: {
      setup() {},
      send(data: Uint8Array) {
        if (!ArrayBuffer.isView(data)) throw new Error('SPI1.send: expected a Uint8Array (one call per SPI frame)');
        return model.spi.transfer(new Uint8Array(data)); // a Uint8Array back for a Uint8Array, like Espruino
      },
    },
    digitalWrite() {},
    digitalRead() { return 1; },
    pinMode() {},
    setWatch(fn: () => void) { watches.push(fn); return watches.length; },
    clearWatch(id: number) { if (id === undefined) throw new Error('clearWatch() would clear every watch'); },
    // Time passes while code runs (1 µs per call), so busy-waits end as on a board.
    getTime() { clock.advance(0.001); return clock.nowMs() / 1000; },
    setTimeout(fn: () => void, ms: number) {
      const id = nextId++;
      timers.push({ id, at: clock.nowMs() + (ms || 0), fn });
      return id;
    },
    clearTimeout(id?: number) {
      if (id === undefined) throw new Error('clearTimeout(undefined) throws on Espruino');
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    print(s: string) { printed.push(String(s)); },
    getSerial() { return '33ffd605-41573033-15720843'; },
    process: { memory() { return { free: 3000, usage: 2100, total: 5100, blocksize: 13 }; } },
    E: {
      sum(a: ArrayLike<number>) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; },
      toString(u8: Uint8Array) { let s = ''; for (let i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]); return s; },
      toUint8Array(s: string) { const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255; return u; },
      hwRand() { return rand.nextU32(); },
      getSizeOf() { return 1; },
    },
  };
  const ctx = vm.createContext(sandbox);
  for (const name of ['require', 'process', 'Buffer', 'module', 'exports', 'global', 'setImmediate']) {
    if (name !== 'process') assert.is(vm.runInContext('typeof ' + name, ctx), 'undefined', name + ' must not exist');
  }
  vm.runInContext(bundle, ctx, { filename: 'dist/firmware.js' });
  const client = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 2]), wire.b),
    random: new SeededRandom(12),
    ipv4: { address: parseIpv4('10.0.2.2') as number, prefixLength: 24 },
  });
  const run = (done: () => boolean, maxSteps = 3000000): void => {
    for (let i = 0; i < maxSteps && !done(); i++) {
      model.service();
      const now = clock.nowMs();
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      while (timers.length && timers[0].at <= clock.nowMs()) {
        const t = timers.shift()!;
        t.fn();
        model.service();
      }
      const next = Math.min(client.poll(now), timers.length ? timers[0].at : Infinity, wire.nextDeliveryMs(), now + 1);
      clock.advanceTo(next > now ? next : now + 0.01);
    }
  };
  return { clock, wire, model, client, run, printed, timers };
}

for (const chip of ['w5500', 'enc28j60'] as Chip[]) {
  test('[' + chip + '] the bundle boots on the simulated chip and says what it is', () => {
    const b = boot(chip);
    b.run(() => b.printed.length > 0, 1000);
    if (process.env.DBG) console.log(b.printed, b.timers.length, b.clock.nowMs());
    assert.match(b.printed.join('\n'), new RegExp('\\[etcpip\\] Host simulator.*' + chip + ', MAC 02:[0-9a-f:]+, 10\\.0\\.2\\.15/24, http :80, echo :7'));
    assert.ok(b.timers.length >= 1, 'it keeps itself polled');
  });

  test('[' + chip + '] the bundle serves the HTTP contract and echo over real TCP', () => {
    const b = boot(chip);
    const reader = new ResponseReader(true);
    const body = 'x'.repeat(50000);
    const sock = b.client.connect({ host: '10.0.2.15', port: 80 }, { rxBytes: 16384, txBytes: 16384 });
    let closed = false;
    sock.on('connect', () => {
      sock.write('GET / HTTP/1.1\r\nHost: d\r\n\r\nGET /api/status HTTP/1.1\r\nHost: d\r\n\r\nGET /bytes/100000 HTTP/1.1\r\nHost: d\r\n\r\n' +
        'POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: ' + body.length + '\r\n\r\n' + body +
        'GET /missing HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
    });
    sock.on('data', (d: Uint8Array) => reader.push(d));
    sock.on('end', () => sock.end());
    sock.on('close', () => { closed = true; });
    const echo = b.client.connect({ host: '10.0.2.15', port: 7 });
    let echoed = '';
    let echoClosed = false;
    echo.on('connect', () => { echo.write('through the bundle'); echo.end(); });
    echo.on('data', (d: Uint8Array) => { echoed += Buffer.from(d).toString('latin1'); });
    echo.on('close', () => { echoClosed = true; });
    b.run(() => closed && echoClosed);
    const rs = reader.responses;
    assert.equal(rs.map((r) => r.status), [200, 200, 200, 200, 404]);
    assert.match(rs[0].body, '<!DOCTYPE html>');
    const st = JSON.parse(rs[1].body);
    assert.is(st.address, '10.0.2.15/24');
    assert.equal(st.memory, { free: 3000, total: 5100, blockSize: 13 });
    assert.is(rs[2].bodyLength, 100000);
    const h = createHash('sha256');
    for (let i = 0; i < 100000; i += 64) h.update(Buffer.from(BYTES_PATTERN.substring(0, Math.min(64, 100000 - i)), 'latin1'));
    assert.is(rs[2].sha256, h.digest('hex'));
    assert.is(rs[3].body, body);
    assert.is(echoed, 'through the bundle');
  });
}

test.run();
