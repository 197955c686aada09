// Host stack speed (wall clock, this machine, one core): how fast the TypeScript stack itself runs
// when nothing else limits it — two full stacks over an unimpaired in-memory wire with no rate limit.
// Timings: reported by `npm run bench`, never asserted in tests.
import { makePair, FILL_BLOCK, B_ADDR, PairChip } from '../tools/model/pair';
import { TcpSocket } from '../tcp/tcp/socket';
import { startHttp, DeviceStatus } from '../firmware/apps/http-app';

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** ns per iteration of a fixed reference loop (the unit "reference iterations" below are counted in). */
export function referenceLoopNs(): number {
  const n = 20_000_000;
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = nowNs();
    let x = 0;
    for (let i = 0; i < n; i++) x = (x + i) | 0;
    const dt = (nowNs() - t) / n;
    if (x === 42) best = -1; // keep x alive
    if (dt < best) best = dt;
  }
  return best;
}

export interface BulkResult {
  /** 'wire': stacks straight on the wire; 'w5500'/'enc28j60': each stack runs the real driver over a chip model. */
  chip: PairChip;
  window: number;
  bytes: number;
  wallMs: number;
  MBps: number;
  /** Data segments the sender put on the wire per wall second (each carries ≤ MSS bytes). */
  dataSegmentsPerSec: number;
  /** All frames (both directions: data and ACKs) per wall second. */
  framesPerSec: number;
  /** Wall ns per data segment, and the same in iterations of the reference loop. */
  nsPerSegment: number;
  refIterationsPerSegment: number;
}

export function bulk(bytes: number, window: number, refNs: number, chip: PairChip = 'wire'): BulkResult {
  const p = makePair({}, 7, { rxBytes: window, txBytes: window }, chip);
  let received = 0;
  let done = false;
  p.b.createServer(5001, (s: TcpSocket) => {
    s.on('data', (d: Uint8Array) => { received += d.length; });
    s.on('end', () => { done = true; });
  });
  const c = p.a.connect({ host: B_ADDR, port: 5001 });
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      const n = Math.min(FILL_BLOCK.length, bytes - sent);
      sent += n;
      if (!c.write(n === FILL_BLOCK.length ? FILL_BLOCK : FILL_BLOCK.subarray(0, n))) return;
    }
    c.end();
  };
  let t0 = 0;
  let seg0 = 0;
  let frames0 = 0;
  c.on('connect', () => { t0 = nowNs(); seg0 = p.a.tcp.counters.txSegments; frames0 = p.wire.counters.sent; pump(); });
  c.on('drain', pump);
  p.run(() => done, 50_000_000);
  const wall = nowNs() - t0;
  if (received !== bytes) throw new Error('bulk: received ' + received + ' of ' + bytes);
  const segs = p.a.tcp.counters.txSegments - seg0;
  const frames = p.wire.counters.sent - frames0;
  const nsPerSeg = wall / segs;
  return {
    chip, window, bytes, wallMs: Math.round(wall / 1e6),
    MBps: Math.round(bytes / 1e6 / (wall / 1e9) * 100) / 100,
    dataSegmentsPerSec: Math.round(segs / (wall / 1e9)),
    framesPerSec: Math.round(frames / (wall / 1e9)),
    nsPerSegment: Math.round(nsPerSeg),
    refIterationsPerSegment: Math.round(nsPerSeg / refNs),
  };
}

function stubStatus(): DeviceStatus {
  return {
    board: 'bench', chip: 'none', uptimeMs: 0, address: B_ADDR + '/24', gateway: '', mac: '02:00:00:00:00:02',
    dhcp: false, link: true, connections: 0, counters: {}, memory: null, internalErrors: 0, lastInternalError: '', appErrors: 0, lastAppError: '',
  };
}

export interface HttpResult {
  mode: 'new connection per request' | 'keep-alive';
  chip: PairChip;
  requests: number;
  bodyBytes: number;
  wallMs: number;
  requestsPerSec: number;
}

/** Sequential GET /bytes/N requests from a client stack to the device's HTTP app (firmware/apps/http-app.ts). */
export function httpRequests(mode: HttpResult['mode'], requests: number, bodyBytes: number, chip: PairChip = 'wire'): HttpResult {
  const p = makePair({}, 9, {}, chip);
  startHttp(p.b, stubStatus, { port: 80 });
  const keepAlive = mode === 'keep-alive';
  const req = 'GET /bytes/' + bodyBytes + ' HTTP/1.1\r\nHost: ' + B_ADDR + '\r\n' + (keepAlive ? '' : 'Connection: close\r\n') + '\r\n';
  let completed = 0;
  let failed = '';
  let got = 0;       // bytes of the current response
  let expect = -1;   // total bytes of the current response once its head is in
  let head = '';
  const onData = (d: Uint8Array): void => {
    got += d.length;
    if (expect < 0) {
      head += String.fromCharCode.apply(null, Array.prototype.slice.call(d, 0, 400) as number[]);
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) {
        const m = /content-length: *(\d+)/i.exec(head.substring(0, end));
        if (!m || !/^HTTP\/1\.1 200/.test(head)) { failed = 'bad response: ' + head.substring(0, 80); return; }
        expect = end + 4 + Number(m[1]);
      }
    }
  };
  const nextResponse = (): void => { got = 0; expect = -1; head = ''; };
  let sock: TcpSocket | null = null;
  const open = (): void => {
    nextResponse();
    const s = p.a.connect({ host: B_ADDR, port: 80 });
    sock = s;
    s.on('connect', () => s.write(req));
    s.on('data', (d: Uint8Array) => {
      onData(d);
      if (keepAlive && expect >= 0 && got >= expect) {
        completed++;
        nextResponse();
        if (completed < requests) s.write(req);
        else s.end();
      }
    });
    s.on('end', () => s.end());
    s.on('error', (e: Error) => { failed = e.message + ' (request ' + (completed + 1) + ', ' + got + ' bytes in)'; });
    s.on('close', () => {
      if (!keepAlive) {
        if (expect >= 0 && got >= expect) completed++;
        else if (!failed) failed = 'closed after ' + got + ' bytes';
        if (completed < requests && !failed) open();
      }
    });
  };
  const t0 = nowNs();
  open();
  p.run(() => completed >= requests || failed !== '', 50_000_000);
  const wall = nowNs() - t0;
  if (failed) throw new Error('http ' + mode + ': ' + failed + ' after ' + completed + ' requests');
  void sock;
  return {
    mode, chip, requests, bodyBytes, wallMs: Math.round(wall / 1e6),
    requestsPerSec: Math.round(requests / (wall / 1e9)),
  };
}

export interface HostSpeedResult {
  referenceLoopNs: number;
  repeats: number;
  bulk: BulkResult[];
  http: HttpResult[];
}

/** Wall-clock numbers on a shared machine are noisy: each is the best (fastest) of `REPEATS` runs. */
export const REPEATS = 3;

function best<T extends { wallMs: number }>(f: () => T, n: number): T {
  let b: T | null = null;
  for (let i = 0; i < n; i++) {
    const r = f();
    if (!b || r.wallMs < b.wallMs) b = r;
  }
  return b as T;
}

export function runHostSpeed(quick = false): HostSpeedResult {
  const refNs = referenceLoopNs();
  const n = quick ? 1 : REPEATS;
  for (const chip of ['wire', 'w5500', 'enc28j60'] as PairChip[]) bulk(2_000_000, 16384, refNs, chip); // warm-up (JIT)
  const mb = quick ? 5_000_000 : 10_000_000;
  const out: HostSpeedResult = { referenceLoopNs: Math.round(refNs * 1000) / 1000, repeats: n, bulk: [], http: [] };
  for (const w of [2048, 16384]) out.bulk.push(best(() => bulk(mb, w, refNs), n));
  for (const chip of ['w5500', 'enc28j60'] as PairChip[]) out.bulk.push(best(() => bulk(quick ? 2_000_000 : 5_000_000, 16384, refNs, chip), n));
  httpRequests('keep-alive', 200, 100); // warm-up
  out.http.push(best(() => httpRequests('new connection per request', quick ? 300 : 1000, 100), n));
  out.http.push(best(() => httpRequests('keep-alive', quick ? 1000 : 5000, 100), n));
  for (const chip of ['w5500', 'enc28j60'] as PairChip[]) {
    out.http.push(best(() => httpRequests('new connection per request', quick ? 200 : 500, 100, chip), n));
    out.http.push(best(() => httpRequests('keep-alive', quick ? 500 : 2000, 100, chip), n));
  }
  return out;
}
