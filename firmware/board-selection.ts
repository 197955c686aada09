// The board the firmware is built for. tools/build.ts replaces this module in the bundle with one
// generated from `--board NAME`; on the host (tests, simulator) it stays 'default' (the Pico preset).
export const BOARD: string = 'default';
