// The Espruino HAL (hal/espruino/) run against shimmed Espruino globals — SPI1.setup/send,
// digitalWrite, digitalRead, pinMode, setWatch/clearWatch, getTime, E.hwRand, E.sum — installed on
// globalThis here and backed by the simulated chips. The drivers run through the HAL unchanged and
// move frames both ways. The globals are removed afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { W5500Model } from '../../hal/sim/w5500-model';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { SimInputPin, SimOutputPin } from '../../hal/sim/sim-pins';
import { SpiDevice } from '../../hal/interfaces';
import { FrameDevice } from '../../tcp/ports';
import { W5500 } from '../../hal/drivers/w5500';
import { Enc28j60 } from '../../hal/drivers/enc28j60';
import { openSpi, EspruinoOutputPin, EspruinoInputPin, espruinoPlatform, EspruinoRandom } from '../../hal/espruino/platform';
import { internetChecksum, setNativeWordSum } from '../../tcp/wire/checksum';

const OUR_MAC = new Uint8Array([0x02, 0x45, 0x53, 0x50, 0x00, 0x01]);
const PEER_MAC = new Uint8Array([0x02, 0x45, 0x53, 0x50, 0x00, 0x02]);
const G = globalThis as any; // eslint-disable-line @typescript-eslint/no-explicit-any
const NAMES = ['SPI1', 'Pin', 'digitalWrite', 'digitalRead', 'pinMode', 'setWatch', 'clearWatch', 'getTime', 'E'];

/** What Espruino's Pin(name) returns, as far as SPI.write cares: a Pin, not a string. */
class FakePin {
  constructor(readonly name: string) {}
}

interface Shim {
  calls: { send: number; write: number; sumCalls: number; hwRand: number; setup: any[]; watches: number; cleared: number[] };
  pinLevels: { [pin: string]: number };
}

/** Installs the Espruino globals on globalThis, wired to a chip model's SPI, reset and INT pins. */
function install(clock: VirtualClock, spi: SpiDevice, resetPin: SimOutputPin, intPin: SimInputPin): Shim {
  const shim: Shim = { calls: { send: 0, write: 0, sumCalls: 0, hwRand: 0, setup: [], watches: 0, cleared: [] }, pinLevels: {} };
  const watches: { [id: number]: () => void } = {};
  let nextId = 1;
  G.SPI1 = {
    setup(o: any) { shim.calls.setup.push(o); },
    send(data: any, cs: string) {
      assert.ok(data instanceof Uint8Array, 'HAL sends a Uint8Array');
      assert.is(cs, 'B10', 'chip select pin given to send()');
      assert.ok(data.length >= 2, 'whole SPI frames, never single bytes');
      shim.calls.send++;
      return spi.transfer(data); // Espruino returns a Uint8Array for a Uint8Array
    },
    // SPI.write(head, body, cs): nothing read back; chip select only as a Pin (see G.Pin below).
    write(...items: any[]) {
      const cs = items.pop();
      assert.ok(cs instanceof FakePin && cs.name === 'B10', 'chip select given to write() as a Pin');
      assert.ok(items.length >= 1 && items.length <= 2 && items.every((x) => x instanceof Uint8Array), 'head and body as Uint8Arrays');
      shim.calls.write++;
      spi.write(items[0], items[1]);
    },
  };
  G.Pin = (name: string) => new FakePin(name);
  G.digitalWrite = (pin: string, v: number | boolean) => {
    shim.pinLevels[pin] = v ? 1 : 0;
    if (pin === 'B1') resetPin.write(!!v);
  };
  G.digitalRead = (pin: string) => (pin === 'A8' ? (intPin.read() ? 1 : 0) : shim.pinLevels[pin] | 0);
  G.pinMode = (pin: string, mode: string) => { shim.pinLevels[pin + ':mode'] = mode === 'input_pullup' ? 1 : 0; };
  G.setWatch = (fn: (e: any) => void, pin: string, opts: any) => {
    assert.is(pin, 'A8');
    assert.equal(opts, { repeat: true, edge: 'falling', debounce: 0 });
    const id = nextId++;
    shim.calls.watches++;
    const stop = intPin.watchFalling(() => { if (watches[id]) fn({ state: false, time: G.getTime(), lastTime: 0 }); });
    watches[id] = stop;
    return id;
  };
  G.clearWatch = (id?: number) => {
    if (id === undefined) throw new Error('clearWatch() without an id would clear every watch');
    shim.calls.cleared.push(id);
    if (watches[id]) { watches[id](); delete watches[id]; }
  };
  // Real time passes while the device works: each getTime() call moves the virtual clock by 10 µs.
  G.getTime = () => { clock.advance(0.01); return clock.nowMs() / 1000; };
  G.E = {
    hwRand() { shim.calls.hwRand++; return 0xdeadbeef | 0; },
    sum(a: Uint16Array) { shim.calls.sumCalls++; let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; },
    toUint8Array(s: string) { const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 0xff; return u; },
  };
  return shim;
}

function uninstall(): void {
  for (const n of NAMES) delete G[n];
  setNativeWordSum((w: Uint16Array) => { let s = 0; for (let i = 0; i < w.length; i++) s += w[i]; return s; });
}

function frame(len: number, dst: Uint8Array, src: Uint8Array, seed: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0); f.set(src, 6); f[12] = 0x88; f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = (i * 31 + seed * 7) & 0xff;
  return f;
}

function same(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Moves frames both ways through `dev` and the peer end of the wire; returns how many went each way. */
function exchange(dev: FrameDevice, peer: { send(f: Uint8Array): void; take(): Uint8Array | null }, service: () => void): [number, number] {
  const buf = new Uint8Array(1514);
  let rx = 0, tx = 0;
  for (let i = 0; i < 40; i++) {
    const a = frame(60 + i * 37, OUR_MAC, PEER_MAC, i);
    peer.send(a);
    service();
    let n = 0;
    for (let k = 0; k < 5 && n === 0; k++) n = dev.receive(buf);
    if (n === a.length && same(buf, a, n)) rx++;
    const b = frame(60 + i * 29, PEER_MAC, OUR_MAC, 1000 + i);
    if (dev.send(b)) {
      service();
      const got = peer.take();
      if (got && same(got, b, b.length)) tx++;
    }
  }
  return [rx, tx];
}

test('W5500 through the Espruino HAL: init, frames both ways, INT watch, E.sum checksum, E.hwRand', () => {
  const clock = new VirtualClock(5000);
  const wire = new VirtualWire(clock);
  const model = new W5500Model({ clock, port: wire.a });
  const shim = install(clock, model.spi, model.resetPin, model.intPin);
  try {
    const platform = espruinoPlatform();
    assert.ok(platform.wordSum, 'E.sum given as the word sum');
    setNativeWordSum(platform.wordSum!); // what the Stack does with its options' wordSum (tcp/stack.ts)
    const spi = openSpi(G.SPI1, { sck: 'B13', miso: 'B14', mosi: 'B15', cs: 'B10' }, 8000000);
    assert.equal(shim.calls.setup, [{ sck: 'B13', miso: 'B14', mosi: 'B15', baud: 8000000, mode: 0 }]);
    assert.is(shim.pinLevels.B10, 1, 'CS idles high');
    const resetPin = new EspruinoOutputPin('B1', true);
    const intPin = new EspruinoInputPin('A8', true);
    assert.is(shim.pinLevels['A8:mode'], 1, 'INT pin pulled up');
    const d = new W5500({ spi, clock: platform.clock, mac: OUR_MAC, resetPin, intPin });
    const t0 = clock.nowMs();
    d.init();
    assert.ok(clock.nowMs() - t0 >= 3, 'reset timings waited through getTime()');
    assert.ok(d.linkUp());
    let edges = 0;
    const stop = d.onInterrupt(() => { edges++; });
    const [rx, tx] = exchange(d, wire.b, () => model.service());
    assert.is(rx, 40);
    assert.is(tx, 40);
    assert.ok(edges >= 40, 'setWatch callback ran on INTn falling edges: ' + edges);
    stop();
    assert.is(shim.calls.cleared.length, 1);
    stop(); // a second stop must not call clearWatch() again (without an id it would clear all)
    assert.is(shim.calls.cleared.length, 1);
    assert.equal(model.violations, []);
    // Checksum through E.sum: RFC 1071 example bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
    const before = shim.calls.sumCalls;
    assert.is(internetChecksum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]), 0, 8), (~0xddf2) & 0xffff);
    assert.ok(shim.calls.sumCalls > before, 'E.sum used');
    assert.is(platform.random.nextU32(), 0xdeadbeef);
    assert.ok(shim.calls.send > 100);
    assert.ok(shim.calls.write >= 40, 'frames and register writes through SPI.write: ' + shim.calls.write);
  } finally {
    uninstall();
  }
  for (const n of NAMES) assert.is(G[n], undefined, n + ' removed');
});

test('absent W5500 through the HAL: MISO stuck high gives the clear error', () => {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock);
  const model = new W5500Model({ clock, port: wire.a });
  model.faults.misoStuck = 'high';
  install(clock, model.spi, model.resetPin, model.intPin);
  try {
    const p = espruinoPlatform();
    const d = new W5500({ spi: openSpi(G.SPI1, { cs: 'B10' }, 1000000), clock: p.clock, mac: OUR_MAC });
    assert.throws(() => d.init(), /W5500 not found: VERSIONR read 0xFF/);
  } finally {
    uninstall();
  }
});

test('ENC28J60 through the Espruino HAL: init and frames both ways', () => {
  const clock = new VirtualClock(5000);
  const wire = new VirtualWire(clock);
  const model = new Enc28j60Model({ clock, port: wire.a });
  install(clock, model.spi, model.resetPin, model.intPin);
  try {
    const platform = espruinoPlatform();
    const spi = openSpi(G.SPI1, { sck: 'D18', miso: 'D19', mosi: 'D23', cs: 'B10' }, 8000000);
    const d = new Enc28j60({ spi, clock: platform.clock, mac: OUR_MAC, resetPin: new EspruinoOutputPin('B1', true), intPin: new EspruinoInputPin('A8', true) });
    d.init();
    for (let i = 0; i < 200 && !d.linkUp(); i++) G.getTime();
    const [rx, tx] = exchange(d, wire.b, () => { /* the ENC28J60 model takes frames on its SPI path */ });
    assert.is(rx, 40);
    assert.is(tx, 40);
  } finally {
    uninstall();
  }
});

test('an SPI send() that answers anything but an array of the frame\'s length reads as an absent chip', () => {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock);
  const model = new W5500Model({ clock, port: wire.a });
  install(clock, model.spi, model.resetPin, model.intPin);
  try {
    let answer: any = new Uint8Array([1, 2, 3, 4]);
    const bus = { setup() { /* none */ }, send(_d: Uint8Array, _cs: string) { return answer; }, write() { /* none */ } };
    const dev = openSpi(bus, { cs: 'B10' }, 1000000);
    assert.equal(Array.from(dev.transfer(new Uint8Array(4))), [1, 2, 3, 4]);
    answer = undefined; // Espruino could not allocate the answer
    assert.equal(Array.from(dev.transfer(new Uint8Array(4))), [0, 0, 0, 0]);
    answer = new Uint8Array(2); // wrong length
    assert.equal(Array.from(dev.transfer(new Uint8Array(4))), [0, 0, 0, 0]);
    answer = '\x01\x02\x03\x04'; // what SPI.send answers only for a string sent
    assert.equal(Array.from(dev.transfer(new Uint8Array(4))), [0, 0, 0, 0]);
  } finally {
    uninstall();
  }
});

test('without E.hwRand the random source falls back to Math.random (32-bit unsigned)', () => {
  G.E = {};
  try {
    const r = new EspruinoRandom();
    for (let i = 0; i < 100; i++) {
      const v = r.nextU32();
      assert.ok(v >= 0 && v <= 0xffffffff && Math.floor(v) === v);
    }
  } finally {
    delete G.E;
  }
});

test.run();
