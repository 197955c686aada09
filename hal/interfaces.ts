// The hardware abstraction: the few small things the drivers need from a platform, and the driver
// interface the firmware brings a link up with. Implemented twice: hal/espruino/ (SPI1.send,
// digitalWrite, setWatch, getTime, E.hwRand) and hal/sim/ (chip models on a simulated SPI bus, a virtual
// clock, a seeded random source). What the stack itself needs (frame device, randomness, word sum) is
// declared by the stack in tcp/ports.ts; hal/ implements those ports.
import { FrameDevice, FrameDeviceCounters } from '../tcp/ports';

/** One SPI peripheral with its chip-select pin. */
export interface SpiDevice {
  /**
   * One full-duplex SPI frame: chip select is held low for the whole of `tx` and raised after it.
   * Returns the bytes clocked in (same length as `tx`). Callers pass whole frames, never single bytes.
   */
  transfer(tx: Uint8Array): Uint8Array;
  /**
   * One write-only SPI frame: `head`, then `body` if given, under one chip select; nothing is read back.
   * No result is allocated (Espruino's `SPI.write(head, body, cs)` returns nothing, where `SPI.send`
   * returns a new array as long as what it sent), and a frame goes out behind its command bytes
   * without being copied next to them first. For register writes and the frames the drivers send.
   */
  write(head: Uint8Array, body?: Uint8Array): void;
}

export interface OutputPin {
  write(high: boolean): void;
}

export interface InputPin {
  read(): boolean;
  /** Calls `onEdge` on every falling edge (active-low interrupt lines). Returns a function that stops watching. */
  watchFalling(onEdge: () => void): () => void;
}

/** Milliseconds since an arbitrary origin; monotonic. */
export interface Clock {
  nowMs(): number;
  /** Busy-wait or advance time by `ms` (used only for chip reset timings during bring-up). */
  delayMs(ms: number): void;
}

/**
 * A link driver as the firmware sees it: the stack's FrameDevice, plus bring-up and the arrival signal.
 * Implemented by the W5500 and ENC28J60 drivers (hal/drivers/) and the dgram and serial links
 * (hal/espruino/).
 */
export interface FrameDriver extends FrameDevice {
  /** Brings the link up (resets and configures a chip); throws if it does not answer. */
  init(): void;
  /**
   * Calls `cb` when frames are waiting (a chip's INT line falling, a datagram or serial record
   * arriving). Returns a function that stops it.
   */
  onInterrupt(cb: () => void): () => void;
}

export function newFrameDeviceCounters(): FrameDeviceCounters {
  return { rxFrames: 0, txFrames: 0, rxDropped: 0, txErrors: 0, resyncs: 0 };
}
