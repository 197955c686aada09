// A FrameDevice over Espruino's `dgram` module: one UDP datagram per Ethernet frame, to and from a
// relay on the host (tools/dgram-tap-relay.ts) that bridges a Linux TAP. It lets the same firmware
// bundle run on Espruino's Linux build and be reached by real clients (board preset `linux`).
// Received frames are copied into a small fixed ring of frame slots (bounded: further frames are
// dropped and counted). This link is for development on a PC: on Espruino a datagram arrives as a
// string and leaves as one, so each frame costs one native conversion (E.toUint8Array / E.toString).
import { FrameDevice, FrameDeviceCounters, newFrameDeviceCounters } from '../interfaces';

declare const E: { toString?: (b: Uint8Array) => string; toUint8Array?: (s: string) => Uint8Array } | undefined;
declare function require(name: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of a dgram socket used (Espruino's and Node's agree on these). */
export interface DgramSocketLike {
  bind(port: number, cb?: () => void): unknown;
  on(event: string, fn: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  send(msg: any, offset: number, length: number, port: number, address: string): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): unknown;
}

export interface DgramFrameDeviceOptions {
  mac: Uint8Array;
  relayHost: string;
  relayPort: number;
  localPort: number;
  /** Received frames held until the stack polls (default 8). */
  slots?: number;
  /** A dgram module (defaults to require("dgram")); tests pass Node's. */
  dgram?: { createSocket(options: { type: 'udp4'; recvBufferSize: number }): DgramSocketLike };
}

const MAX_FRAME = 1514;
const MIN_FRAME = 14;
/** A whole frame plus Espruino's 8-byte datagram header, with room to spare. */
const RECV_BUFFER_BYTES = 2048;

export class DgramFrameDevice implements FrameDevice {
  readonly mac: Uint8Array;
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  private readonly sock: DgramSocketLike;
  private readonly slots: Uint8Array[] = [];
  private readonly lens: number[] = [];
  private head = 0;
  private count = 0;
  private readonly relayHost: string;
  private readonly relayPort: number;
  private onFrame: (() => void) | null = null;

  constructor(o: DgramFrameDeviceOptions) {
    this.mac = o.mac;
    this.relayHost = o.relayHost;
    this.relayPort = o.relayPort;
    const n = o.slots || 8;
    for (let i = 0; i < n; i++) {
      this.slots.push(new Uint8Array(MAX_FRAME));
      this.lens.push(0);
    }
    const dgram = o.dgram || require('dgram');
    // Espruino reads a datagram into a buffer of its network's chunk size, 536 bytes on Linux
    // (libs/network/linux/network_linux.c), less its own 8-byte header: every datagram is cut to 528
    // bytes and the rest dropped. `recvBufferSize` raises that chunk size (libs/network/jswrap_net.c,
    // network.c "Adjust for SO_RCVBUF"), so a full 1,514-byte frame arrives whole. Node takes the same
    // option as SO_RCVBUF.
    this.sock = dgram.createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    const self = this;
    this.sock.on('message', function (msg: string | Uint8Array) { self.arrive(msg); });
    this.sock.on('error', function () { self.counters.txErrors++; });
    this.sock.bind(o.localPort);
  }

  /** Calls `cb` whenever a frame arrives (the firmware polls the stack then). */
  onInterrupt(cb: () => void): () => void {
    this.onFrame = cb;
    const self = this;
    return function () { self.onFrame = null; };
  }

  private arrive(msg: string | Uint8Array): void {
    const len = msg.length;
    if (len < MIN_FRAME || len > MAX_FRAME || this.count === this.slots.length) {
      this.counters.rxDropped++;
      return;
    }
    const i = (this.head + this.count) % this.slots.length;
    let bytes: Uint8Array;
    if (typeof msg === 'string') {
      if (typeof E !== 'undefined' && E && E.toUint8Array) bytes = E.toUint8Array(msg);
      else {
        bytes = new Uint8Array(len);
        for (let k = 0; k < len; k++) bytes[k] = msg.charCodeAt(k) & 255; // host only (no E)
      }
    } else {
      bytes = msg;
    }
    this.slots[i].set(bytes, 0);
    this.lens[i] = len;
    this.count++;
    if (this.onFrame) this.onFrame();
  }

  receive(buf: Uint8Array): number {
    if (this.count === 0) return 0;
    const i = this.head;
    const len = this.lens[i];
    buf.set(this.slots[i].subarray(0, len), 0);
    this.head = (i + 1) % this.slots.length;
    this.count--;
    this.counters.rxFrames++;
    return len;
  }

  send(frame: Uint8Array): boolean {
    if (frame.length < MIN_FRAME || frame.length > MAX_FRAME) {
      this.counters.txErrors++;
      return false;
    }
    // Espruino's dgram sends strings (E.toString copies). Node's takes bytes but sends them later, after
    // `frame` (the interface's reused TX buffer) has been overwritten: give it a copy there.
    const msg = typeof E !== 'undefined' && E && E.toString ? E.toString(frame) : new Uint8Array(frame);
    this.sock.send(msg, 0, frame.length, this.relayPort, this.relayHost);
    this.counters.txFrames++;
    return true;
  }

  linkUp(): boolean {
    return true;
  }

  close(): void {
    this.sock.close();
  }
}
