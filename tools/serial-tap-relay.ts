// `npx ts-node tools/serial-tap-relay.ts --tap NAME --path /tmp/etcpip-serial/pty`
//
// Relays Ethernet frames between a Linux TAP and the firmware running on Espruino's Linux build with
// `link: 'serial'` (hal/espruino/serial-frame-device.ts), which opens a pty as Serial1:
//   kernel ⇄ TAP ⇄ socat ⇄ UDP ⇄ this relay ⇄ socat ⇄ pty master │ pty slave (PATH) ⇄ Espruino Serial1
// Each frame travels on the pty's byte stream as a record  A5 5A LEN(2, big-endian) FRAME 5A A5
// (the device's format); bytes that are not a record are skipped to the next header (counted).
// socat does the TAP side (hal/sim/tap-bridge.ts: Node cannot open a TAP) and the pty side
// (`socat PTY,link=PATH,raw,echo=0 STDIO`: the relay reads and writes the pty master through its stdio).
// Start the relay before the interpreter: the firmware opens PATH when it starts.
//
// Typical session (as root, or with a TAP created for your user):
//   ip tuntap add etcpip0 mode tap user $USER && ip addr add 192.168.77.1/24 dev etcpip0 && ip link set etcpip0 up
//   npx ts-node tools/serial-tap-relay.ts --tap etcpip0 --path /tmp/etcpip-serial/pty
//   (a preset with link: 'serial', serial: { path: '/tmp/etcpip-serial/pty' }) espruino dist/firmware.js
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TapBridge, socatReady } from '../hal/sim/tap-bridge';
import { WirePort } from '../hal/sim/virtual-wire';
import { SERIAL_HEAD0, SERIAL_HEAD1, SERIAL_HEADER, SERIAL_TRAILER } from '../hal/espruino/serial-frame-device';

const MIN_FRAME = 14;
const MAX_FRAME = 1514;
const MAGIC = Buffer.from([SERIAL_HEAD0, SERIAL_HEAD1]);
/** Bytes waiting for the pty (the device is not reading, e.g. not started yet) beyond which frames are dropped. */
const MAX_PENDING_TO_PTY = 64 * 1024;

/** One frame as a record on the byte stream. */
export function encodeFrame(frame: Uint8Array): Buffer {
  const b = Buffer.alloc(SERIAL_HEADER + frame.length + SERIAL_TRAILER);
  b[0] = SERIAL_HEAD0;
  b[1] = SERIAL_HEAD1;
  b.writeUInt16BE(frame.length, 2);
  b.set(frame, SERIAL_HEADER);
  b[SERIAL_HEADER + frame.length] = SERIAL_HEAD1;
  b[SERIAL_HEADER + frame.length + 1] = SERIAL_HEAD0;
  return b;
}

export interface DecoderCounters {
  frames: number;
  /** Records refused: length outside 14..1514, or the trailer not where the length says. */
  dropped: number;
  /** Times bytes were skipped to find the next header. */
  resyncs: number;
}

/** Cuts records out of a byte stream, the same way the device does (hal/espruino/serial-frame-device.ts). */
export class FrameDecoder {
  readonly counters: DecoderCounters = { frames: 0, dropped: 0, resyncs: 0 };
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  private resync(b: Buffer): Buffer {
    this.counters.resyncs++;
    const i = b.indexOf(MAGIC, 1);
    if (i > 0) return b.subarray(i);
    return b[b.length - 1] === SERIAL_HEAD0 ? b.subarray(b.length - 1) : Buffer.alloc(0);
  }

  push(chunk: Buffer): void {
    let b = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    while (b.length >= SERIAL_HEADER) {
      if (b[0] !== SERIAL_HEAD0 || b[1] !== SERIAL_HEAD1) { b = this.resync(b); continue; }
      const len = b.readUInt16BE(2);
      if (len < MIN_FRAME || len > MAX_FRAME) { this.counters.dropped++; b = this.resync(b); continue; }
      const end = SERIAL_HEADER + len;
      if (b.length < end + SERIAL_TRAILER) break;
      if (b[end] !== SERIAL_HEAD1 || b[end + 1] !== SERIAL_HEAD0) { this.counters.dropped++; b = this.resync(b); continue; }
      this.counters.frames++;
      this.onFrame(Buffer.from(b.subarray(SERIAL_HEADER, end)));
      b = b.subarray(end + SERIAL_TRAILER);
    }
    this.rest = Buffer.from(b); // a copy: `chunk` is not ours to keep
  }
}

export interface SerialRelayOptions {
  tap: string;
  /** Where the pty's slave end appears (a symlink socat makes; its directory must exist). */
  path: string;
  socat?: string;
  log?: (line: string) => void;
  /** How long to wait for each socat to start (ms, default 5000). */
  startTimeoutMs?: number;
}

export interface SerialRelayCounters {
  toDevice: number;
  fromDevice: number;
  /** Frames from the TAP dropped because the pty was not being read (MAX_PENDING_TO_PTY waiting). */
  toDeviceDropped: number;
}

/** socat's arguments for the pty side. */
export function ptySocatArgs(ptyPath: string): string[] {
  return ['-d', '-d', 'PTY,link=' + ptyPath + ',raw,echo=0', 'STDIO'];
}

export class SerialTapRelay {
  readonly decoder: FrameDecoder;
  private stopped = false;

  private constructor(readonly path: string, readonly counters: SerialRelayCounters,
                      private readonly pty: ChildProcess, private readonly bridge: TapBridge,
                      private readonly port: { onFrame: ((frame: Uint8Array) => void) | null }) {
    this.decoder = new FrameDecoder((frame) => {
      if (this.stopped || !this.port.onFrame) return;
      this.counters.fromDevice++;
      this.port.onFrame(frame);
    });
    pty.stdout!.on('data', (b: Buffer) => this.decoder.push(b));
  }

  /** Opens the pty (socat) and the TAP (socat, hal/sim/tap-bridge.ts). Rejects with a plain message. */
  static async open(o: SerialRelayOptions): Promise<SerialTapRelay> {
    const log = o.log || (() => undefined);
    if (!fs.existsSync(path.dirname(o.path))) throw new Error('the directory of ' + o.path + ' does not exist');
    if (fs.existsSync(o.path)) throw new Error(o.path + ' exists already (another relay?)');
    const pty = spawn(o.socat || 'socat', ptySocatArgs(o.path), { stdio: ['pipe', 'pipe', 'pipe'] });
    pty.stdin!.on('error', () => undefined);
    const ms = o.startTimeoutMs || 5000;
    const ready = await socatReady(pty, ms);
    if (ready.problem) {
      await stopProcess(pty);
      throw new Error(ready.problem.replace('socat did not report ready', 'socat did not open the pty') + ': ' + ready.log);
    }
    const counters: SerialRelayCounters = { toDevice: 0, fromDevice: 0, toDeviceDropped: 0 };
    // The TapBridge's side of the "wire": frames from the TAP go into the pty as records; it sets
    // `onFrame` to send ours to the TAP.
    const port = {
      onFrame: null as ((frame: Uint8Array) => void) | null,
      send(frame: Uint8Array): void {
        if (pty.stdin!.writableLength > MAX_PENDING_TO_PTY) { counters.toDeviceDropped++; return; }
        counters.toDevice++;
        pty.stdin!.write(encodeFrame(frame));
      },
    };
    let bridge: TapBridge;
    try {
      bridge = await TapBridge.open({ name: o.tap, port: port as unknown as WirePort, log, socat: o.socat, startTimeoutMs: ms });
    } catch (e) {
      await stopProcess(pty);
      throw e;
    }
    const relay = new SerialTapRelay(o.path, counters, pty, bridge, port);
    log('relaying frames: TAP ' + o.tap + ' <-> pty ' + o.path + ' (socat pid ' + pty.pid + ')');
    return relay;
  }

  /** Whether both socat processes still run. */
  alive(): boolean {
    return !this.stopped && this.pty.exitCode === null && this.pty.signalCode === null && this.bridge.alive();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.bridge.stop();
    await stopProcess(this.pty);
  }
}

/** SIGTERM, then SIGKILL after a second; resolves once it is gone. */
function stopProcess(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) { resolve(); return; }
    const t = setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } }, 1000);
    c.once('exit', () => { clearTimeout(t); resolve(); });
    try { c.kill('SIGTERM'); } catch { clearTimeout(t); resolve(); }
  });
}

export function parseSerialRelayArgs(argv: string[]): SerialRelayOptions {
  const o: SerialRelayOptions = { tap: '', path: '' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--tap') { o.tap = v; i++; }
    else if (k === '--path') { o.path = v; i++; }
    else throw new Error('unknown argument ' + k + '\nusage: serial-tap-relay --tap NAME --path PTY_PATH');
  }
  if (!o.tap) throw new Error('--tap NAME is required');
  if (!o.path || o.path.charAt(0) !== '/') throw new Error('--path must be an absolute path (where the pty appears)');
  return o;
}

if (require.main === module) {
  (async () => {
    try {
      const o = parseSerialRelayArgs(process.argv.slice(2));
      o.log = (s) => console.log(s);
      const relay = await SerialTapRelay.open(o);
      const stop = (): void => { relay.stop().then(() => process.exit(0)); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const check = setInterval(() => {
        if (!relay.alive()) { clearInterval(check); console.log('socat exited'); relay.stop().then(() => process.exit(1)); }
      }, 1000);
    } catch (e) {
      console.error('serial-tap-relay: ' + (e as Error).message);
      process.exit(1);
    }
  })();
}
