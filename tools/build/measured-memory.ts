// Memory measured in the real interpreter, for the size report to print beside its host estimate.
// Each figure is process.memory().usage read at the device's console by
// test/espruino-real/board-memory.test.ts: the preset built whole with `--link dgram`, pretokenised as
// `npm run flash -- --save` stores it, booted from Storage in the Espruino 2v29 interpreter with the
// board's pool, served to the kernel's clients over a TAP. The test fails when what it measures is more
// than MEASURED_TOLERANCE away from these, so they stay true: when a change moves them, copy its
// "MEASURED" lines here (and into README "Memory").

export interface MeasuredMemory {
  /** The interpreter the figures come from. */
  interpreter: string;
  /** Blocks in the board's pool. */
  pool: number;
  /** Blocks used idle: after an echo (and on an HTTP board a status page), once memory stops falling. */
  idle: number;
  /** Blocks used with every allowed connection open at once, both buffers full and a write held. */
  fullest: number;
  /** When it was measured. */
  date: string;
}

/** How far a run may be from the figures below: runs differ by ~100 blocks at the fullest, more idle. */
export const MEASURED_TOLERANCE = 0.1;

export const MEASURED_MEMORY: { [board: string]: MeasuredMemory } = {
  pico: { interpreter: 'espruino-pico', pool: 5100, idle: 3357, fullest: 4164, date: '2026-12-07' },
  wifi: { interpreter: 'espruino-wifi', pool: 8190, idle: 4383, fullest: 6605, date: '2026-12-07' },
  esp32: { interpreter: 'espruino-esp32', pool: 16383, idle: 4565, fullest: 11565, date: '2026-12-07' },
  // The Pico preset with the HTTP server added (moonshot: see picoWithHttp in tools/build.ts), measured in
  // the WiFi-sized interpreter (same 13-byte blocks, a larger pool) because on espruino-pico it runs out of
  // memory serving its first status page; `pool` is the Pico's, the pool it would have to fit.
  'pico-http': { interpreter: 'espruino-wifi', pool: 5100, idle: 4122, fullest: 4840, date: '2026-12-07' },
};
