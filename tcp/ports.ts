// The stack's ports: what tcp/ needs from the platform it runs on, declared here, by the stack, and
// implemented below it (hal/: the W5500 and ENC28J60 drivers, the Espruino platform, the simulator).
// Types only: nothing here reaches the bundle. tcp/ imports nothing from hal/, firmware/ or tools/.

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
  resyncs: number;     // receive-buffer resynchronisations / chip re-initialisations / a send past a lost drain event
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

/**
 * Sums the elements of a Uint16Array exactly (no folding): the Internet checksum's inner loop
 * (tcp/wire/checksum.ts). A platform with a native one (`E.sum` on Espruino, 100-360x faster than a
 * JavaScript loop) passes it in the stack's options (`wordSum`); without one the stack sums in JavaScript.
 */
export type WordSum = (w: Uint16Array) => number;
