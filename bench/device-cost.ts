// Device cost: minified bundle bytes per part (tools/build), estimated memory in Espruino blocks
// (tools/model/espruino-memory.ts), and — in bench/work-count.ts, run as a child process — the
// interpreter work per segment counted in JavaScript-level calls and loop iterations.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildBundle, defaultEntry } from '../tools/build/bundle';
import { sizeReport, SizeReport } from '../tools/build/size-report';
import { scenario } from '../tools/model/memory-scenario';
import { estimateBlocks, byteArrayBlocks } from '../tools/model/espruino-memory';

/** The parts the issue names, each a set of module-id prefixes (first match wins, in this order). */
const PART_GROUPS: Array<{ name: string; prefixes: string[] }> = [
  { name: 'wire (tcp/wire)', prefixes: ['tcp/wire/'] },
  { name: 'interface (tcp/iface)', prefixes: ['tcp/iface/'] },
  { name: 'TCP (tcp/tcp, stack, events)', prefixes: ['tcp/'] },
  { name: 'drivers (hal/drivers)', prefixes: ['hal/drivers/'] },
  { name: 'HTTP (firmware/http, http app)', prefixes: ['firmware/http/', 'firmware/apps/http-app'] },
  { name: 'platform (hal/espruino, hal)', prefixes: ['hal/'] },
  { name: 'firmware (config, main, NetworkJS, echo)', prefixes: ['firmware/'] },
];

export interface SizeResult {
  entry: string;
  board: string;
  parts: Array<{ part: string; modules: number; minBytes: number }>;
  runtimeMinBytes: number;
  /** What one scope saves over the per-module bytes (negative; 0 for a registry-shaped bundle). */
  sharedScopeBytes: number;
  totalMinBytes: number;
}

export function bundleSizes(board = 'wifi'): SizeResult {
  const r: SizeReport = sizeReport(buildBundle({ entry: defaultEntry(), board }));
  const parts = PART_GROUPS.map((g) => ({ part: g.name, modules: 0, minBytes: 0 }));
  const other = { part: 'other', modules: 0, minBytes: 0 };
  for (const m of r.modules) {
    const i = PART_GROUPS.findIndex((g) => g.prefixes.some((p) => m.id.startsWith(p)));
    const slot = i >= 0 ? parts[i] : other;
    slot.modules++;
    slot.minBytes += m.minBytes;
  }
  if (other.modules) parts.push(other);
  return { entry: r.entry, board: r.board, parts, runtimeMinBytes: r.runtimeMinBytes, sharedScopeBytes: r.sharedScopeBytes || 0, totalMinBytes: r.totalMinBytes };
}

export interface MemoryResult {
  blockBytes: number;
  /** A stack (interface + TCP) with the HTTP app listening, no connection. */
  idleBlocks: number;
  /** Added by one established, idle TCP connection with the default 2 KB + 2 KB buffers (echo-style app). */
  perTcpConnectionBlocks: number;
  /** Added by one idle keep-alive HTTP connection after a request (TCP socket + HTTP connection state). */
  perHttpConnectionBlocks: number;
  /** The part of a connection that is its two buffers: 2 × (ceil(2048/13) + 4). */
  bufferBlocks: number;
  notes: string;
}

/**
 * `nameLength`: how long a property name is on the device — pass `mangledNameLength(bundle.propertyNames)`
 * (tools/model/espruino-memory.ts) to count names as the mangled bundle holds them; default unmangled.
 */
export function memoryEstimate(opts: { nameLength?: (name: string) => number } = {}): MemoryResult {
  const s = scenario();
  const measure = (): number => estimateBlocks(s.root(), new Set(), { exclude: s.exclude, nameLength: opts.nameLength });
  const idle = measure();
  s.openTcp(); // one TCP connection to the echo port
  const oneTcp = measure();
  s.openHttp(); // one keep-alive HTTP connection after one request
  const plusHttp = measure();
  return {
    blockBytes: 13,
    idleBlocks: idle,
    perTcpConnectionBlocks: oneTcp - idle,
    perHttpConnectionBlocks: plusHttp - oneTcp,
    bufferBlocks: 2 * byteArrayBlocks(2048),
    notes: 'estimated from the live host objects with the formula in tools/model/espruino-memory.ts; code (bundle) not included',
  };
}

export interface WorkRow {
  /** 'wire': the stack alone; 'w5500'/'enc28j60': with the driver (its SPI frames counted; the chip model is not counted). */
  chip: string;
  mss: number;
  side: 'receiver' | 'sender';
  segments: number;
  callsPerSegment: number;
  loopIterationsPerSegment: number;
  /** Calls of the native word sum (E.sum on the device) for checksums. */
  nativeWordSumsPerSegment: number;
  spiFramesPerSegment?: number;
  spiBytesPerSegment?: number;
  /** Bytes of the SPI reads' results: what Espruino's SPI.send allocates (SPI.write allocates nothing). */
  spiReturnedBytesPerSegment?: number;
}

export interface WorkResult {
  rows: WorkRow[];
  /** Loop iterations per received segment at the largest MSS divided by those at the smallest (≈ 1 = no per-byte loop). */
  receiverLoopGrowth: number;
  senderLoopGrowth: number;
  /** The loops that ran most per received full-size segment. */
  topReceiverLoops: Array<{ site: string; perSegment: number }>;
  topSenderLoops: Array<{ site: string; perSegment: number }>;
  /** The functions called most per received full-size segment. */
  topReceiverCalls: Array<{ site: string; perSegment: number }>;
}

/** Runs bench/work-count.ts in a child process (its modules are loaded through a counting transform). */
export function interpreterWork(): WorkResult {
  const root = path.resolve(__dirname, '..');
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, 'work-count.ts')], {
    cwd: root, encoding: 'utf8', timeout: 300000, maxBuffer: 1 << 26,
    env: Object.assign({}, process.env, { TS_NODE_TRANSPILE_ONLY: 'true' }),
  });
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('WORK '));
  if (r.status !== 0 || !line) throw new Error('work-count failed (exit ' + r.status + '): ' + (r.stderr || '').slice(-2000));
  return JSON.parse(line.slice(5)) as WorkResult;
}
