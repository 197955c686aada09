// The Espruino implementation of hal/interfaces.ts: SPI frames over `SPIx.send(Uint8Array, csPin)` and
// `SPIx.write(head, body, csPin)`,
// pins over digitalWrite / digitalRead / setWatch, a clock over getTime() (seconds -> ms), random
// numbers from E.hwRand() (else Math.random), and E.sum as the stack's native word sum (tcp/ports.ts).
// Facts: docs/espruino.md §6 (platform APIs the HAL uses). Shipped code: ES5, no Node APIs.
import { Clock, InputPin, OutputPin, SpiDevice } from '../interfaces';
import { RandomSource, WordSum } from '../../tcp/ports';

/** An Espruino pin: a Pin object on the device (B3, D18, ...), whatever the board configuration gives. */
export type EspruinoPin = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of Espruino's SPI class (SPI1/SPI2/SPI3 or `new SPI()`) that the HAL uses. */
export interface EspruinoSpiBus {
  setup(options: { sck?: EspruinoPin; miso?: EspruinoPin; mosi?: EspruinoPin; baud?: number; mode?: number }): void;
  send(data: Uint8Array, cs?: EspruinoPin): any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Sends every argument in turn under one chip select, the last when it is a Pin; reads nothing back. */
  write(...items: EspruinoPin[]): void;
}

// Espruino globals (present on the device; the test installs shims on globalThis).
declare function getTime(): number;
declare function digitalWrite(pin: EspruinoPin, value: number | boolean): void;
declare function digitalRead(pin: EspruinoPin): number;
declare function pinMode(pin: EspruinoPin, mode: string): void;
declare function setWatch(fn: (e: { state: boolean; time: number; lastTime?: number }) => void, pin: EspruinoPin,
  options: { repeat: boolean; edge: string; debounce: number }): number;
declare function clearWatch(id: number): void;
declare function Pin(value: EspruinoPin): EspruinoPin;
declare const E: { sum?: (a: Uint16Array) => number; hwRand?: () => number };

/** An empty body: SPI.write sends nothing for it. */
const NOTHING = new Uint8Array(0);

/**
 * One SPI device: `transfer` is one `bus.send(tx, cs)`, which holds chip select low for the whole
 * frame and returns the bytes clocked in (a Uint8Array for a Uint8Array, docs/espruino.md §6.3);
 * `write` is one `bus.write(head, body, cs)`, which sends its arguments one after the other under one
 * chip select and returns nothing, so nothing is allocated and no frame is copied behind its header.
 */
export class EspruinoSpiDevice implements SpiDevice {
  private readonly bus: EspruinoSpiBus;
  private readonly cs: EspruinoPin;
  /**
   * The chip select as a Pin. `SPI.write` takes its last argument for chip select only when it is a Pin
   * (src/jswrap_spi_i2c.c, jswrap_spi_write: `jsvIsPin`); a pin's name as a string would be sent as
   * data. `send` converts a name itself (its `nss_pin` parameter is typed "pin").
   */
  private readonly csPin: EspruinoPin;

  constructor(bus: EspruinoSpiBus, cs: EspruinoPin) {
    this.bus = bus;
    this.cs = cs;
    this.csPin = typeof Pin === 'function' ? Pin(cs) : cs;
    if (this.csPin === undefined) throw new Error('CS ' + cs + ' is not a pin');
    digitalWrite(cs, 1); // deselected until the first frame
  }

  transfer(tx: Uint8Array): Uint8Array {
    const r = this.bus.send(tx, this.cs);
    if (r && r.length === tx.length && typeof r !== 'string') return r as Uint8Array;
    // SPI.send answers a Uint8Array for a Uint8Array (src/jswrap_spi_i2c.c, jswrap_spi_send: a string only
    // for a string), or nothing when it could not allocate the answer: then the chip reads as absent
    // (all 0x00), which the drivers handle as a missing or reset chip.
    return new Uint8Array(tx.length);
  }

  write(head: Uint8Array, body?: Uint8Array): void {
    this.bus.write(head, body || NOTHING, this.csPin);
  }
}

/** Sets up an SPI bus (mode 0, MSB first: both chips accept it) and returns the device on `cs`. */
export function openSpi(bus: EspruinoSpiBus, pins: { sck?: EspruinoPin; miso?: EspruinoPin; mosi?: EspruinoPin; cs: EspruinoPin },
  baud: number): EspruinoSpiDevice {
  bus.setup({ sck: pins.sck, miso: pins.miso, mosi: pins.mosi, baud: baud, mode: 0 });
  return new EspruinoSpiDevice(bus, pins.cs);
}

export class EspruinoOutputPin implements OutputPin {
  private readonly pin: EspruinoPin;

  constructor(pin: EspruinoPin, initialHigh: boolean) {
    this.pin = pin;
    digitalWrite(pin, initialHigh ? 1 : 0);
  }

  write(high: boolean): void {
    digitalWrite(this.pin, high ? 1 : 0);
  }
}

export class EspruinoInputPin implements InputPin {
  private readonly pin: EspruinoPin;

  constructor(pin: EspruinoPin, pullUp: boolean) {
    this.pin = pin;
    if (typeof pinMode === 'function') pinMode(pin, pullUp ? 'input_pullup' : 'input');
  }

  read(): boolean {
    return !!digitalRead(this.pin);
  }

  watchFalling(onEdge: () => void): () => void {
    let id: number | null = setWatch(function () { onEdge(); }, this.pin, { repeat: true, edge: 'falling', debounce: 0 });
    return function () {
      // clearWatch() without an id would remove every watch on the device: only ever pass ours.
      if (id !== null && id !== undefined) clearWatch(id);
      id = null;
    };
  }
}

/** getTime() is in seconds (a float); the HAL speaks milliseconds. */
export class EspruinoClock implements Clock {
  nowMs(): number {
    return getTime() * 1000;
  }

  /** Busy-waits (bring-up timings of a few ms only); bounded by the time and by a loop count. */
  delayMs(ms: number): void {
    const until = getTime() + ms / 1000;
    for (let i = 0; i < 1000000 && getTime() < until; i++) { /* wait */ }
  }
}

export class EspruinoRandom implements RandomSource {
  nextU32(): number {
    if (typeof E !== 'undefined' && E.hwRand) return E.hwRand() >>> 0;
    return Math.floor(Math.random() * 4294967296) >>> 0;
  }
}

/** E.sum as the stack's word sum (100-360x faster than a JS loop, docs/espruino.md §2); undefined without it. */
export function nativeWordSum(): WordSum | undefined {
  if (typeof E === 'undefined' || !E.sum) return undefined;
  // E.sum itself (a static method: it needs no `this`), not a function around it: a checksum is then
  // one native call, not a JavaScript call and a native one.
  return E.sum;
}

export interface EspruinoPlatform {
  clock: EspruinoClock;
  random: EspruinoRandom;
  /** For the Stack's options (`wordSum`): E.sum, or undefined where there is none. */
  wordSum: WordSum | undefined;
}

/** The platform pieces every board needs; call once at start-up. */
export function espruinoPlatform(): EspruinoPlatform {
  return { clock: new EspruinoClock(), random: new EspruinoRandom(), wordSum: nativeWordSum() };
}
