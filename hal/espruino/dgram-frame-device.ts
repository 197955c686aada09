// A FrameDevice over Espruino's `dgram` module: one UDP datagram per Ethernet frame, to and from a
// relay on the host (tools/dgram-tap-relay.ts) that bridges a Linux TAP. It lets the same firmware
// bundle run on Espruino's Linux build and be reached by real clients (board preset `linux`).
// Received datagrams are held as they arrived (Espruino hands each one over as a new string) in a
// bounded queue, and copied into the stack's receive buffer when it polls: no frame-sized buffers are
// kept, so the link costs a board's firmware no more RAM at rest than an SPI chip's driver does (eight
// 1,514-byte slots were 952 of a Pico's 5,100 blocks, measured in espruino-pico). Further datagrams
// are dropped and counted. Each frame costs one native copy each way (typed-array set of the string / E.toString).
//
// Sending on Espruino: a socket sends one datagram per pass of Espruino's idle loop, and each pass copies
// everything still queued on that socket twice, out to the stack for sendto and the rest into a new string
// (libs/network/socketserver.c, socketSendData: httpStringGet, jsvNewFromStringVar). A burst of frames
// queued together therefore costs a copy per frame still waiting behind each one sent. So this link hands
// the socket one frame at a time and holds the rest (bounded, `txSlots`) until the socket's 'drain' event,
// which Espruino queues when a socket's queue is empty. Measured in espruino-linux 2v29 (BENCHMARKS §3d,
// bench/espruino-dgram.ts): Espruino's own work per 1,418-byte frame sent six at a time fell from 176
// empty-loop iterations to 89 (76 for a frame alone, either way).
import { FrameDriver, newFrameDeviceCounters } from '../interfaces';
import { FrameDeviceCounters } from '../../tcp/ports';

declare const E: { toString?: (b: Uint8Array[]) => string } | undefined;
declare function require(name: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of a dgram socket used (Espruino's and Node's agree on these). */
export interface DgramSocketLike {
  bind(port: number, cb?: () => void): unknown;
  on(event: string, fn: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** send(msg, port, address) sends the whole of `msg`; Node also takes (msg, offset, length, port, address). */
  send(msg: any, port: number, address: string): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): unknown;
}

export interface DgramFrameDeviceOptions {
  mac: Uint8Array;
  relayHost: string;
  relayPort: number;
  localPort: number;
  /** Received frames held until the stack polls (default 8; held as they arrived, no buffers kept). */
  slots?: number;
  /**
   * Frames held for the socket on Espruino while it still sends an earlier one (default 16). Beyond that the
   * oldest goes to the socket without its 'drain' (counted in `resyncs`).
   */
  txSlots?: number;
  /** A dgram module (defaults to require("dgram")); tests pass Node's. */
  dgram?: { createSocket(options: { type: 'udp4'; recvBufferSize: number }): DgramSocketLike };
}

const MAX_FRAME = 1514;
const MIN_FRAME = 14;
/** Espruino's read chunk: a 1,514-byte frame + its 8-byte datagram header, with room. */
const MIN_RECV_BUFFER = 2048;
/**
 * SO_RCVBUF per frame held: Linux doubles the value and charges ~2.3 KB per full-sized datagram. The kernel
 * then holds about as many frames as the link itself, and drops the rest as a chip with a full buffer
 * would. A larger buffer lets Espruino read dozens of waiting datagrams into strings at once, each held in
 * the board's pool until the stack takes it: memory a board with its chip never spends.
 */
const RECV_BUFFER_PER_FRAME = 1152;

export class DgramFrameDevice implements FrameDriver {
  readonly mac: Uint8Array;
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  private readonly sock: DgramSocketLike;
  /** Datagrams not yet taken by the stack, oldest first (at most `limit`). */
  private readonly queue: Array<string | Uint8Array> = [];
  private readonly limit: number;
  private readonly relayHost: string;
  private readonly relayPort: number;
  private onFrame: (() => void) | null = null;
  /** Frames waiting for the socket's 'drain' (Espruino), oldest first, each its own string. */
  private readonly held: string[] = [];
  private readonly txLimit: number;
  /** A frame is on the socket's queue and its 'drain' has not come yet (Espruino). */
  private sending = false;
  /** Datagrams are sent as strings (Espruino: E.toString), else as copies of the bytes (Node). */
  private readonly strings = typeof E !== 'undefined' && !!E && !!E.toString;

  constructor(o: DgramFrameDeviceOptions) {
    this.mac = o.mac;
    this.relayHost = o.relayHost;
    this.relayPort = o.relayPort;
    this.limit = o.slots || 8;
    this.txLimit = o.txSlots || 16;
    const dgram = o.dgram || require('dgram');
    // Espruino reads a datagram into a buffer of its network's chunk size, 536 bytes on Linux
    // (libs/network/linux/network_linux.c), less its own 8-byte header: every datagram is cut to 528
    // bytes and the rest dropped. `recvBufferSize` raises that chunk size (libs/network/jswrap_net.c,
    // network.c "Adjust for SO_RCVBUF"), so a full 1,514-byte frame arrives whole. It also becomes the
    // socket's SO_RCVBUF (network_linux.c, and Node's option), sized to the frames this link holds.
    this.sock = dgram.createSocket({ type: 'udp4', recvBufferSize: Math.max(MIN_RECV_BUFFER, this.limit * RECV_BUFFER_PER_FRAME) });
    const self = this;
    this.sock.on('message', function (msg: string | Uint8Array) { self.arrive(msg); });
    this.sock.on('error', function () { self.counters.txErrors++; });
    if (this.strings) this.sock.on('drain', function () { self.drained(); });
    try {
      this.sock.bind(o.localPort);
    } catch (e) {
      this.sock.close(); // Espruino keeps a socket that failed to bind in its list otherwise
      throw e;
    }
  }

  /** Nothing more to bring up: the socket is bound in the constructor. */
  init(): void { /* ready */ }

  /** Calls `cb` whenever a frame arrives (the firmware polls the stack then). */
  onInterrupt(cb: () => void): () => void {
    this.onFrame = cb;
    const self = this;
    return function () { self.onFrame = null; };
  }

  private arrive(msg: string | Uint8Array): void {
    const len = msg.length;
    if (len < MIN_FRAME || len > MAX_FRAME || this.queue.length >= this.limit) {
      this.counters.rxDropped++;
      return;
    }
    this.queue.push(msg);
    if (this.onFrame) this.onFrame();
  }

  receive(buf: Uint8Array): number {
    const msg = this.queue.shift();
    if (msg === undefined) return 0;
    const len = msg.length;
    // Espruino's typed-array set() copies a string's characters as bytes, natively and without making a
    // copy first (measured in espruino-linux 2v29: 0.04 ms a frame, E.toUint8Array + set 0.10 ms, and that
    // one needs 1,514 contiguous bytes of the pool for each frame). Node's set() would read a string as NaNs.
    if (typeof msg !== 'string' || this.strings) buf.set(msg as unknown as ArrayLike<number>, 0);
    else for (let k = 0; k < len; k++) buf[k] = msg.charCodeAt(k) & 255; // host only (no E)
    this.counters.rxFrames++;
    return len;
  }

  send(frame: Uint8Array): boolean {
    if (frame.length < MIN_FRAME || frame.length > MAX_FRAME) {
      this.counters.txErrors++;
      return false;
    }
    if (!this.strings) {
      // Node's dgram takes bytes but sends them later, after `frame` has been overwritten: give it a copy.
      this.sock.send(new Uint8Array(frame), this.relayPort, this.relayHost);
      this.counters.txFrames++;
      return true;
    }
    if (this.sending && this.held.length >= this.txLimit) {
      // No 'drain' for as many frames as the link holds. One may never come: a send the socket could not
      // take queues none (Espruino throws "Not connected to the internet" while its network is offline:
      // libs/network/network.c, networkGetFromVarIfOnline; a drain handler's send that throws leaves the
      // link waiting). Waiting would stop the link for good; the oldest frame goes to the socket instead.
      this.sock.send(this.held.shift() as string, this.relayPort, this.relayHost);
      this.counters.resyncs++;
    }
    // Espruino's dgram sends strings. E.toString of a one-element array copies the frame's bytes into a new
    // string natively (of a view over a whole buffer it would return the buffer's own string, which the
    // next frame overwrites: src/jswrap_espruino.c, jswrap_espruino_toStringX). send(msg, port, address)
    // queues that string itself; with an offset and a length it would first copy it once more
    // (libs/network/jswrap_net.c, jswrap_dgram_socket_send).
    const msg = (E as { toString: (b: Uint8Array[]) => string }).toString([frame]);
    if (this.sending) this.held.push(msg);
    else {
      this.sock.send(msg, this.relayPort, this.relayHost); // may throw: then nothing waits for a drain
      this.sending = true;
    }
    this.counters.txFrames++;
    return true;
  }

  /** The socket sent all it had: hand it the next frame held (Espruino). */
  private drained(): void {
    const msg = this.held.shift();
    if (msg === undefined) this.sending = false;
    else this.sock.send(msg, this.relayPort, this.relayHost);
  }

  linkUp(): boolean {
    return true;
  }

  close(): void {
    this.sock.close();
  }
}
