// Bringing a board up on Espruino, shared by firmware/main.ts (the default firmware) and an application
// of your own (examples/tcp-app.ts): tools/build.ts bundles the entry (with firmware/board-selection set
// from `--board NAME`) into dist/firmware.js; `npm run flash` stores that in Storage to run at boot.
//  1. take the board configuration (resolved and validated at build time, tools/build/profile.ts),
//  2. set up the Espruino platform (clock, random, native checksum), the link (SPI chip, dgram or serial),
//  3. build the Stack and apps (firmware/device.ts, the same code the host simulator runs), then the
//     caller's own app, if any,
//  4. drive `poll(now)`: at the deadline it returns (one guarded setTimeout), and at once when the
//     chip's INT line falls (setWatch) or a datagram / serial record arrives.
// Pins are passed to Espruino as their names ("B13"): its pin arguments accept strings.
import { CONFIG } from './board-selection';
import { BoardConfig } from './config';
import { configMac, macText } from './mac';
import { espruinoPlatform, openSpi, EspruinoOutputPin, EspruinoInputPin, EspruinoSpiBus } from '../hal/espruino/platform';
import { DgramFrameDevice } from '../hal/espruino/dgram-frame-device';
import { SerialFrameDevice } from '../hal/espruino/serial-frame-device';
import { W5500 } from '../hal/drivers/w5500';
import { Enc28j60 } from '../hal/drivers/enc28j60';
import { FrameDriver } from '../hal/interfaces';
import { Device } from './device';

declare const SPI1: EspruinoSpiBus;
declare const SPI2: EspruinoSpiBus;
declare const SPI3: EspruinoSpiBus;
declare const SPI: { new (): EspruinoSpiBus };
declare function getSerial(): string;
declare function print(s: string): void;
declare function require(name: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const process: { memory(): { free: number; total: number; blocksize?: number } };

/** Longest wait between polls: with an INT line the chip wakes us; without one we must look often. */
const IDLE_WITH_INT_MS = 1000;
const IDLE_WITHOUT_INT_MS = 20;
/** Retry interval when the chip does not answer at start-up (e.g. not wired yet); doubles up to 5 min. */
const RETRY_INIT_MS = 30000;
const RETRY_INIT_MAX_MS = 300000;
let retryMs = RETRY_INIT_MS;

function log(s: string): void {
  print('[etcpip] ' + s);
}

function spiBus(name: string): EspruinoSpiBus {
  // Only the bus named is referenced: boards without SPI3 never touch it.
  if (name === 'SPI1') return SPI1;
  if (name === 'SPI2') return SPI2;
  if (name === 'SPI3') return SPI3;
  return new SPI();
}

function serial(): string {
  try {
    return typeof getSerial === 'function' ? String(getSerial()) : '';
  } catch (e) {
    return '';
  }
}

function memory(): { free: number; total: number; blockSize: number } | null {
  if (typeof process === 'undefined' || !process.memory) return null;
  const m = process.memory();
  return { free: m.free, total: m.total, blockSize: m.blocksize || 13 };
}

interface Link {
  device: FrameDriver;
  /** Calls `cb` when frames wait (INT falling edge / datagram), or null without such a signal. */
  watch: ((cb: () => void) => void) | null;
}

function openLink(c: BoardConfig, mac: Uint8Array, clock: { nowMs(): number; delayMs(ms: number): void }): Link {
  let device: FrameDriver;
  let signal = true; // a datagram or serial link always signals arrivals; a chip only with an INT line
  if (c.link === 'dgram') {
    device = new DgramFrameDevice({ mac, relayHost: c.dgram.relayHost, relayPort: c.dgram.relayPort, localPort: c.dgram.localPort, slots: c.dgram.frames });
  } else if (c.link === 'serial') {
    // Serial1 on the path (Espruino's Linux build: a pty from tools/serial-tap-relay.ts); it does not go
    // through Espruino's network, so it keeps receiving once NetworkJS is created below.
    const sp = c.serial!; // validated at build time
    device = new SerialFrameDevice({ mac, path: sp.path, baud: sp.baud, slots: sp.frames });
  } else {
    const spi = openSpi(spiBus(c.spi.bus), { sck: c.spi.sck, miso: c.spi.miso, mosi: c.spi.mosi, cs: c.pins.cs }, c.spi.baud);
    const resetPin = c.pins.reset ? new EspruinoOutputPin(c.pins.reset, true) : undefined;
    const intPin = c.pins.int ? new EspruinoInputPin(c.pins.int, true) : undefined;
    const o = { spi, clock, mac, resetPin, intPin };
    device = c.chip === 'enc28j60' ? new Enc28j60(o) : new W5500(o);
    signal = !!intPin;
  }
  device.init();
  return { device, watch: signal ? function (cb) { device.onInterrupt(cb); } : null };
}

/**
 * Brings the board up and keeps it running: the platform, the link (retried while the chip does not
 * answer), the Device with the configuration's apps, the poll loop. `app`, if given, is called once
 * with the running Device (its `stack` has the socket API: tcp/socket-api.ts, tcp/stack.ts) and the
 * console logger: where an application of your own starts its servers and clients (examples/tcp-app.ts).
 */
export function boot(app?: (device: Device, log: (line: string) => void) => void): void {
  const start = function (): void {
    if (!startBoard(app)) {
      setTimeout(start, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_INIT_MAX_MS);
    }
  };
  start();
}

/** One attempt; false if the link did not come up (the caller retries). */
function startBoard(app?: (device: Device, log: (line: string) => void) => void): boolean {
  const config = CONFIG;
  const platform = espruinoPlatform();
  const clock = platform.clock;
  // Without a unique id (e.g. the Linux build) an "auto" MAC is a random locally administered one for this run.
  const mac = configMac(config, serial() || String(platform.random.nextU32()) + ':' + String(platform.random.nextU32()));

  let link: Link;
  try {
    link = openLink(config, mac, clock);
  } catch (e) {
    log(String((e as Error).message || e) + '; retrying in ' + retryMs / 1000 + ' s');
    return false;
  }
  const device = new Device({ config, device: link.device, random: platform.random, wordSum: platform.wordSum, nowMs: function () { return clock.nowMs(); }, memory, log });
  if (device.networkJs) {
    // Espruino's own require("net") / require("http") now run over this stack.
    require('NetworkJS').create(device.networkJs);
  }

  const idleMs = link.watch ? IDLE_WITH_INT_MS : IDLE_WITHOUT_INT_MS;
  let timer: any = undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  let running = false;
  let errorsSeen = 0;
  const run = function (): void {
    timer = undefined;
    if (running) return;
    running = true;
    let next: number;
    const now = clock.nowMs();
    try {
      next = device.poll(now);
    } catch (e) {
      // The stack promises never to throw; if it does, keep the device alive and say so once in a while.
      errorsSeen++;
      if (errorsSeen < 5) log('poll failed: ' + (e as Error).message);
      next = now + 100;
    }
    running = false;
    let delay = next - clock.nowMs();
    if (!(delay >= 0)) delay = 0;
    if (delay > idleMs) delay = idleMs;
    if (timer !== undefined) clearTimeout(timer); // guarded: clearTimeout(undefined) throws on Espruino
    timer = setTimeout(run, delay);
  };
  if (link.watch) {
    link.watch(function () {
      // Frames are waiting: poll now instead of at the deadline.
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(run, 0);
    });
  }
  run();
  const c = config;
  log(c.description + ': ' + c.chip + ', MAC ' + macText(mac) + ', ' +
    (c.ipv4 === 'dhcp' ? 'DHCP' : c.ipv4.address + '/' + c.ipv4.prefixLength) +
    (c.apps.httpPort ? ', http :' + c.apps.httpPort : '') + (c.apps.echoPort ? ', echo :' + c.apps.echoPort : ''));
  if (app) {
    try {
      app(device, log);
    } catch (e) {
      log('the app failed to start: ' + ((e as Error).message || e));
    }
  }
  return true;
}
