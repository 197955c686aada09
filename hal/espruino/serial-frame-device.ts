// A FrameDevice over a serial port: Ethernet frames as records on a byte stream, to and from a relay on
// the host (tools/serial-tap-relay.ts) that bridges a Linux TAP. Unlike the dgram link it does not use
// Espruino's network layer at all, so it keeps working after require("NetworkJS").create() has made our
// stack Espruino's one active network (board link 'serial', firmware/config.ts).
//
// On Espruino's Linux build `Serial1.setup(baud, {path})` opens a path as the UART (a pty from socat);
// bytes arrive as Serial1.on('data', string) in chunks of up to ~512 bytes. Measured in espruino-linux
// 2v29 over a socat pty pair: 1,514-byte frames both ways byte-exact (120 frames of random bytes and
// sizes echoed whole); about 9 KB/s towards the device and 46 KB/s from it; one Serial1.write of a
// 1,516-byte record blocks the interpreter for 3..120 ms (it waits for room in the TX buffer) and loses
// nothing; the standard rates 1200..4000000 are accepted (a pty ignores the rate; 12345 prints "No baud
// rate defined for device", 0 throws);
// a path that does not exist is accepted silently (so it is checked here first).
// Espruino's Linux build reads the pty on a second thread and pushes into the IO queue the main loop pops,
// without a lock (jshInterruptOff() is empty in targets/linux/jshardware.c): under sustained input it can,
// rarely, corrupt the queue and stop at `ASSERT(len <= 64) FAILED AT src/jsdevices.c:591` (seen once in
// test/espruino-real/networkjs-real.test.ts). That is the Linux build's; a board's UART interrupt pushes
// with interrupts off.
//
// A record is  A5 5A  LEN(2, big-endian)  FRAME(LEN bytes, 14..1514)  5A A5.
// The receiver keeps the stream's unparsed tail as a string and cuts records out of it with string
// operations (indexOf, substr, charCodeAt of the header), never a JavaScript loop per byte. Anything that
// is not a record — bytes before a header, a length outside 14..1514 (oversize), a record whose trailer
// is not where its length says (bytes were lost: truncated) — is skipped up to the next A5 5A after its
// first byte: the stream resynchronises, the skip is counted in `resyncs`, a bad record in `rxDropped`.
// (A loss shows once its length's worth of bytes has arrived; records begun inside that span are then
// found by the skip, not lost.)
// Complete frames wait as strings in a bounded queue (further ones are dropped and counted), and are
// copied into the stack's buffer when it polls (one native E.toUint8Array each).
import { FrameDriver, newFrameDeviceCounters } from '../interfaces';
import { FrameDeviceCounters } from '../../tcp/ports';

declare const E: { toUint8Array?: (s: string) => Uint8Array } | undefined;
declare const Serial1: SerialLike | undefined;
declare function require(name: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of an Espruino Serial object used (tests pass a fake). */
export interface SerialLike {
  setup(baud: number, options: { path: string }): unknown;
  on(event: string, fn: (data: string) => void): unknown;
  /** Writes each item in turn (strings, byte arrays); Espruino returns once all are in its TX buffer. */
  write(...items: Array<string | Uint8Array>): unknown;
  removeAllListeners?(event: string): unknown;
}

export interface SerialFrameDeviceOptions {
  mac: Uint8Array;
  /** The serial device's path (Espruino's Linux build opens it as the UART: a pty from the relay). */
  path: string;
  baud: number;
  /** Complete frames held until the stack polls (default 8). */
  slots?: number;
  /** A serial object (defaults to Serial1); tests pass a fake. */
  serial?: SerialLike;
}

const MAX_FRAME = 1514;
const MIN_FRAME = 14;
/** Record framing bytes (tools/serial-tap-relay.ts writes and reads the same). */
export const SERIAL_HEAD0 = 0xa5;
export const SERIAL_HEAD1 = 0x5a;
export const SERIAL_HEADER = 4; // magic + length
export const SERIAL_TRAILER = 2; // 5A A5

export class SerialFrameDevice implements FrameDriver {
  readonly mac: Uint8Array;
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  private readonly serial: SerialLike;
  /** Frames not yet taken by the stack, oldest first (at most `limit`). */
  private readonly queue: string[] = [];
  private readonly limit: number;
  /** The stream's bytes not yet cut into records. */
  private rest = '';
  private readonly magic: string;
  private readonly head = new Uint8Array([SERIAL_HEAD0, SERIAL_HEAD1, 0, 0]);
  private readonly tail = new Uint8Array([SERIAL_HEAD1, SERIAL_HEAD0]);
  private onFrame: (() => void) | null = null;

  constructor(o: SerialFrameDeviceOptions) {
    this.mac = o.mac;
    this.limit = o.slots || 8;
    this.magic = String.fromCharCode(SERIAL_HEAD0, SERIAL_HEAD1);
    let serial = o.serial;
    if (!serial) {
      // Espruino's Linux build opens a missing path without a word: say so (and let the caller retry).
      let fs: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any
      try { fs = require('fs'); } catch (e) { fs = null; }
      if (fs && fs.statSync && !fs.statSync(o.path)) throw new Error('serial link: ' + o.path + ' does not exist');
      serial = Serial1 as SerialLike;
    }
    this.serial = serial;
    const self = this;
    serial.setup(o.baud, { path: o.path });
    serial.on('data', function (d: string) { self.arrive(d); });
  }

  /** Nothing more to bring up: the serial port is set up in the constructor. */
  init(): void { /* ready */ }

  /** Calls `cb` whenever a frame is complete (the firmware polls the stack then). */
  onInterrupt(cb: () => void): () => void {
    this.onFrame = cb;
    const self = this;
    return function () { self.onFrame = null; };
  }

  /** Skips `b` up to the next record header after its first byte (or to its end, keeping a last A5). */
  private resync(b: string): string {
    this.counters.resyncs++;
    const i = b.indexOf(this.magic, 1);
    if (i > 0) return b.substr(i);
    return b.charCodeAt(b.length - 1) === SERIAL_HEAD0 ? b.substr(b.length - 1) : '';
  }

  private arrive(d: string): void {
    this.rest += d;
    let b = this.rest;
    let got = 0;
    while (b.length >= SERIAL_HEADER) {
      if (b.charCodeAt(0) !== SERIAL_HEAD0 || b.charCodeAt(1) !== SERIAL_HEAD1) {
        b = this.resync(b); // not at a header: bytes between records
        continue;
      }
      const len = (b.charCodeAt(2) << 8) | b.charCodeAt(3);
      if (len < MIN_FRAME || len > MAX_FRAME) {
        this.counters.rxDropped++; // oversize (or runt) record
        b = this.resync(b);
        continue;
      }
      const end = SERIAL_HEADER + len;
      if (b.length < end + SERIAL_TRAILER) break; // the rest has not arrived yet
      if (b.charCodeAt(end) !== SERIAL_HEAD1 || b.charCodeAt(end + 1) !== SERIAL_HEAD0) {
        this.counters.rxDropped++; // the trailer is not where the length says: bytes were lost
        b = this.resync(b);
        continue;
      }
      if (this.queue.length < this.limit) {
        this.queue.push(b.substr(SERIAL_HEADER, len));
        got++;
      } else {
        this.counters.rxDropped++;
      }
      b = b.substr(end + SERIAL_TRAILER);
    }
    this.rest = b;
    if (got && this.onFrame) this.onFrame();
  }

  receive(buf: Uint8Array): number {
    const msg = this.queue.shift();
    if (msg === undefined) return 0;
    const len = msg.length;
    if (typeof E !== 'undefined' && E && E.toUint8Array) buf.set(E.toUint8Array(msg), 0);
    else for (let k = 0; k < len; k++) buf[k] = msg.charCodeAt(k) & 255; // host only (no E)
    this.counters.rxFrames++;
    return len;
  }

  send(frame: Uint8Array): boolean {
    const len = frame.length;
    if (len < MIN_FRAME || len > MAX_FRAME) {
      this.counters.txErrors++;
      return false;
    }
    this.head[2] = len >> 8;
    this.head[3] = len & 255;
    // Espruino copies all three into its TX buffer before returning (so `frame` may be reused at once).
    this.serial.write(this.head, frame, this.tail);
    this.counters.txFrames++;
    return true;
  }

  linkUp(): boolean {
    return true;
  }

  close(): void {
    if (this.serial.removeAllListeners) this.serial.removeAllListeners('data');
    this.queue.splice(0, this.queue.length);
    this.rest = '';
    this.onFrame = null;
  }
}
