// The board the firmware is built for. tools/build.ts replaces this module in the bundle with one
// generated from `--board NAME`, holding the name and the configuration resolved and validated at
// build time (tools/build/profile.ts). On the host (tests, simulator) it is the default preset.
import { boardConfig } from './boards';
import { BoardConfig } from './config';

export const BOARD: string = 'default';
export const CONFIG: BoardConfig = boardConfig(BOARD) as BoardConfig;
