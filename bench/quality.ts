// Protocol quality: goodput of one bulk TCP transfer between two full stacks over a seeded, impaired
// VirtualWire, on the VIRTUAL clock. Deterministic (same numbers on every machine and run), so the
// table is kept as a snapshot (bench/snapshots/quality.json) and test/bench/quality-snapshot.test.ts
// recomputes a subset of it.
import { makePair, FILL_BLOCK } from '../tools/model/pair';
import { TcpSocket } from '../tcp/tcp/socket';

export const LINK_BPS = 10_000_000; // an ENC28J60's 10BASE-T
export const DURATION_MS = 30_000;  // measured virtual time per run, from 'connect'
/** Each case runs once per seed (wire impairments and ISNs differ); goodput is the mean. */
export const SEEDS = [1, 2];
export const LOSSES = [0, 0.01, 0.02, 0.05];
export const RTTS_MS = [2, 20, 100];
export const WINDOWS = [2048, 8192, 16384];

export interface QualityCase {
  /** Frame loss probability, each direction, every frame. */
  loss: number;
  /** Round-trip propagation delay (ms): one-way delay rttMs/2 on the wire, plus serialisation. */
  rttMs: number;
  /** Receive and send buffer of both ends (bytes): the window. */
  window: number;
}

export interface QualityResult extends QualityCase {
  id: string;
  /** Application bytes received per second of virtual time. */
  goodputBps: number;
  /** goodput × 8 / link bit rate (a full-size segment carries 1460 of 1538 bytes on the line: ≤ 0.949). */
  ofLink: number;
  /** goodput / (window / RTT): how much of what the window allows in one round trip is achieved. */
  ofWindow: number;
  /** Summed over the seeds: sender's segments resent after a retransmission timeout (go back to SND.UNA), fast retransmits (three duplicate ACKs / NewReno partial ACKs), connections aborted by the retry limit, out-of-order segments the receiver had no range for, frames the wire dropped. */
  retransmits: number;
  fastRetransmits: number;
  aborts: number;
  oooDropped: number;
  framesLost: number;
}

export function caseId(c: QualityCase): string {
  return 'loss=' + (c.loss * 100) + '% rtt=' + c.rttMs + 'ms win=' + c.window;
}

export function allCases(): QualityCase[] {
  const out: QualityCase[] = [];
  for (const loss of LOSSES) for (const rttMs of RTTS_MS) for (const window of WINDOWS) out.push({ loss, rttMs, window });
  return out;
}

/** The small subset the snapshot test recomputes (chosen to be quick and to cover every loss rate). */
export const TEST_SUBSET: string[] = allCases().filter((c) => c.window === 8192 || (c.loss === 0.01 && c.rttMs === 20)).map(caseId);

function round(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

function runOnce(c: QualityCase, seed: number): QualityResult {
  const p = makePair({ loss: c.loss, delayMs: c.rttMs / 2, bitsPerSecond: LINK_BPS, queueLimit: 256, seed: 1000 + seed },
    seed, { rxBytes: c.window, txBytes: c.window, maxRetries: 30 });
  let received = 0;
  let startAt = -1;
  let failed = '';
  p.b.createServer(5001, (s: TcpSocket) => {
    s.on('data', (d: Uint8Array) => { received += d.length; });
    s.on('error', (e: Error) => { failed = 'server: ' + e.message; });
  });
  const c1 = p.a.connect({ host: '10.9.0.2', port: 5001 });
  const pump = (): void => { while (c1.write(FILL_BLOCK)) { /* until the send buffer is full */ } };
  c1.on('connect', () => { startAt = p.clock.nowMs(); received = 0; pump(); });
  c1.on('drain', pump);
  c1.on('error', (e: Error) => { failed = 'client: ' + e.message; });
  p.run(() => failed !== '' || (startAt >= 0 && p.clock.nowMs() >= startAt + DURATION_MS), 20_000_000);
  if (startAt < 0) failed = failed || 'never connected';
  const secs = startAt < 0 ? 1 : (p.clock.nowMs() - startAt) / 1000;
  const goodput = failed ? 0 : received / secs;
  const tc = p.a.tcp.counters;
  return {
    id: caseId(c), loss: c.loss, rttMs: c.rttMs, window: c.window,
    goodputBps: Math.round(goodput),
    ofLink: round(goodput * 8 / LINK_BPS, 4),
    ofWindow: round(goodput / (c.window / (c.rttMs / 1000)), 4),
    retransmits: tc.retransmits, fastRetransmits: tc.fastRetransmits, aborts: tc.timeouts, oooDropped: p.b.tcp.counters.oooDropped,
    framesLost: p.wire.counters.lost,
  };
}

export function runQualityCase(c: QualityCase): QualityResult {
  const runs = SEEDS.map((s) => runOnce(c, s));
  const mean = (f: (r: QualityResult) => number): number => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  const sum = (f: (r: QualityResult) => number): number => runs.reduce((a, r) => a + f(r), 0);
  return {
    id: caseId(c), loss: c.loss, rttMs: c.rttMs, window: c.window,
    goodputBps: Math.round(mean((r) => r.goodputBps)),
    ofLink: round(mean((r) => r.ofLink), 4),
    ofWindow: round(mean((r) => r.ofWindow), 4),
    retransmits: sum((r) => r.retransmits), fastRetransmits: sum((r) => r.fastRetransmits),
    aborts: sum((r) => r.aborts), oooDropped: sum((r) => r.oooDropped), framesLost: sum((r) => r.framesLost),
  };
}

export function runQuality(cases: QualityCase[] = allCases(), onResult?: (r: QualityResult) => void): QualityResult[] {
  const out: QualityResult[] = [];
  for (const c of cases) {
    const r = runQualityCase(c);
    out.push(r);
    if (onResult) onResult(r);
  }
  return out;
}

export interface SnapshotDiff {
  id: string;
  was: number;
  now: number;
  /** now / was - 1 */
  change: number;
  regression: boolean;
}

/** Worse by more than this fraction of the snapshot's goodput counts as a regression. */
export const REGRESSION_TOLERANCE = 0.15;

/** Compares goodput with the snapshot: a case more than REGRESSION_TOLERANCE worse (or missing) is a regression. */
export function compareWithSnapshot(snapshot: QualityResult[], now: QualityResult[]): SnapshotDiff[] {
  const diffs: SnapshotDiff[] = [];
  for (const r of now) {
    const s = snapshot.find((x) => x.id === r.id);
    if (!s) {
      diffs.push({ id: r.id, was: NaN, now: r.goodputBps, change: NaN, regression: false });
      continue;
    }
    const change = s.goodputBps > 0 ? r.goodputBps / s.goodputBps - 1 : (r.goodputBps > 0 ? 1 : 0);
    if (change !== 0) diffs.push({ id: r.id, was: s.goodputBps, now: r.goodputBps, change, regression: change < -REGRESSION_TOLERANCE });
  }
  return diffs;
}

export function formatDiffs(diffs: SnapshotDiff[]): string {
  if (diffs.length === 0) return 'goodput identical to the snapshot';
  return diffs.map((d) => (d.regression ? 'REGRESSION ' : 'changed    ') + d.id.padEnd(30) + ' ' +
    (isNaN(d.was) ? '(not in snapshot)' : d.was + ' B/s -> ' + d.now + ' B/s (' + (d.change >= 0 ? '+' : '') +
      (d.change * 100).toFixed(1) + ' %)')).join('\n');
}
