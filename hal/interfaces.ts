// The hardware abstraction: the few small things the drivers and the stack need from a platform.
// Implemented twice: hal/espruino/ (SPI1.send, digitalWrite, setWatch, getTime, E.hwRand) and
// hal/sim/ (chip models on a simulated SPI bus, a virtual clock, a seeded random source).

/** One SPI peripheral with its chip-select pin. */
export interface SpiDevice {
  /**
   * One full-duplex SPI frame: chip select is held low for the whole of `tx` and raised after it.
   * Returns the bytes clocked in (same length as `tx`). Callers pass whole frames, never single bytes.
   */
  transfer(tx: Uint8Array): Uint8Array;
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

/** Unpredictable bytes (hardware RNG on the device, a seeded generator in the simulator). */
export interface RandomSource {
  /** A uniformly random unsigned 32-bit integer. */
  nextU32(): number;
}

export interface FrameDeviceCounters {
  rxFrames: number;
  txFrames: number;
  rxDropped: number;   // frames the driver had to discard (bad length, ring resync, no buffer)
  txErrors: number;    // frames the chip failed to send (timeouts, aborts after retries)
  resyncs: number;     // receive-buffer resynchronisations / chip re-initialisations
}

/** What the stack sees of an Ethernet chip: whole frames without FCS, 14..1514 bytes. */
export interface FrameDevice {
  readonly mac: Uint8Array; // 6 bytes
  /**
   * Copies the next received frame into `buf` (at least 1514 bytes) and returns its length,
   * or 0 when nothing is waiting. Never allocates per frame.
   */
  receive(buf: Uint8Array): number;
  /** Queues or sends one frame (`frame.length` 14..1514). Returns false if it could not be sent now (counted). */
  send(frame: Uint8Array): boolean;
  /** PHY link state. */
  linkUp(): boolean;
  readonly counters: FrameDeviceCounters;
}

export function newFrameDeviceCounters(): FrameDeviceCounters {
  return { rxFrames: 0, txFrames: 0, rxDropped: 0, txErrors: 0, resyncs: 0 };
}
