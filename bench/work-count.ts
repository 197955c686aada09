// Child process of `npm run bench` (bench/device-cost.ts): the interpreter work per TCP segment, counted
// in JavaScript function calls and loop-body iterations of the shipped code (a counting build, see
// bench/lib/counting-hook.ts), independent of the machine's speed. Receiver side = everything the
// receiving stack runs in its poll (frame in → Ethernet → IPv4 → TCP → 'data' → ACK out); sender side =
// everything the sending stack runs (ACK in, application write, segments out). Prints one line: WORK {json}.
import { installCountingHook } from './lib/counting-hook';

const counts = installCountingHook();
// Loaded after the hook so the shipped modules come through the counting transform.
/* eslint-disable @typescript-eslint/no-var-requires */
const { makePair, FILL_BLOCK, B_ADDR } = require('../tools/model/pair') as typeof import('../tools/model/pair');

const { setNativeWordSum } = require('../tcp/wire/checksum') as typeof import('../tcp/wire/checksum');

// On the device the checksum's word sum is native (E.sum, set by hal/espruino/platform.ts); the host's
// fallback is a JS loop. Stand in for E.sum with an uncounted function and count its calls instead.
// WORK_HOST_SUM=1 keeps the host's JS fallback instead: it shows what a per-byte loop looks like here.
let nativeSums = 0;
if (!process.env.WORK_HOST_SUM) setNativeWordSum(function (w: Uint16Array): number {
  if (counts.on) nativeSums++;
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return s;
});

const MSS = [100, 536, 1460];
const SEGMENTS = 400;

interface Side { calls: number; loops: number; perSite: number[]; natives?: number }

function snapshot(): number[] { return counts.n.slice(); }

function diff(a: number[], b: number[]): Side {
  const perSite: number[] = [];
  let calls = 0;
  let loops = 0;
  for (let i = 0; i < b.length; i++) {
    const d = b[i] - (a[i] || 0);
    perSite.push(d);
    if (counts.sites[i].kind === 'call') calls += d; else loops += d;
  }
  return { calls, loops, perSite };
}

interface Measured { rx: Side; tx: Side; segments: number; spiRx: SpiTraffic; spiTx: SpiTraffic }
interface SpiTraffic { frames: number; bytes: number; returned: number }

function measure(mss: number, chip: 'wire' | 'w5500' | 'enc28j60' = 'wire'): Measured {
  const p = makePair({}, 5, { mss, rxBytes: 8 * mss, txBytes: 8 * mss }, chip);
  let received = 0;
  p.b.createServer(5001, (s: any) => { s.on('data', (d: Uint8Array) => { received += d.length; }); });
  const c = p.a.connect({ host: B_ADDR, port: 5001 });
  let target = 0;
  let sent = 0;
  const pump = (): void => {
    while (sent < target) {
      const n = Math.min(FILL_BLOCK.length, target - sent);
      sent += n;
      if (!c.write(n === FILL_BLOCK.length ? FILL_BLOCK : FILL_BLOCK.subarray(0, n))) return;
    }
  };
  c.on('connect', pump);
  c.on('drain', pump);
  // Warm-up: connection set up, windows open.
  target = 50 * mss;
  pump();
  p.run(() => received >= target, 1_000_000);
  // Attribute each stack's poll to its side.
  const rxTotal = counts.n.map(() => 0);
  const txTotal = counts.n.map(() => 0);
  let before: number[] = [];
  let nativeBefore = 0;
  const natives = { a: 0, b: 0 };
  p.beforePoll = (): void => { before = snapshot(); nativeBefore = nativeSums; counts.on = true; };
  p.afterPoll = (side): void => {
    counts.on = false;
    natives[side] += nativeSums - nativeBefore;
    const d = diff(before, counts.n);
    const acc = side === 'b' ? rxTotal : txTotal;
    for (let i = 0; i < d.perSite.length; i++) acc[i] += d.perSite[i];
  };
  const seg0 = p.a.tcp.counters.txSegments;
  const spiA0 = Object.assign({}, p.spi.a);
  const spiB0 = Object.assign({}, p.spi.b);
  const start = received;
  target = sent + SEGMENTS * mss;
  pump(); // the application's write outside any poll is not counted (it is the same for every size)
  p.run(() => received - start >= SEGMENTS * mss, 5_000_000);
  p.beforePoll = null;
  p.afterPoll = null;
  const segments = p.a.tcp.counters.txSegments - seg0;
  const zero = counts.n.map(() => 0);
  const rx = diff(zero, rxTotal);
  const tx = diff(zero, txTotal);
  rx.natives = natives.b;
  tx.natives = natives.a;
  // SPI traffic of each side's driver (the chip model's service() runs outside the polls but moves no SPI).
  const spiRx = { frames: p.spi.b.frames - spiB0.frames, bytes: p.spi.b.bytes - spiB0.bytes, returned: p.spi.b.returned - spiB0.returned };
  const spiTx = { frames: p.spi.a.frames - spiA0.frames, bytes: p.spi.a.bytes - spiA0.bytes, returned: p.spi.a.returned - spiA0.returned };
  return { rx, tx, segments, spiRx, spiTx };
}

const rows: any[] = [];
const per: { [mss: number]: Measured } = {};
type Chip = 'wire' | 'w5500' | 'enc28j60';
const runs: Array<{ mss: number; chip: Chip }> = MSS.map((mss) => ({ mss, chip: 'wire' as Chip }));
runs.push({ mss: 1460, chip: 'w5500' }, { mss: 1460, chip: 'enc28j60' });
for (const { mss, chip } of runs) {
  const m = measure(mss, chip);
  if (chip === 'wire') per[mss] = m;
  const spi = (x: SpiTraffic) => chip === 'wire' ? {} : { spiFramesPerSegment: +(x.frames / m.segments).toFixed(2), spiBytesPerSegment: Math.round(x.bytes / m.segments), spiReturnedBytesPerSegment: Math.round(x.returned / m.segments) };
  rows.push({ chip, mss, side: 'receiver', ...spi(m.spiRx), segments: m.segments, callsPerSegment: +(m.rx.calls / m.segments).toFixed(1), loopIterationsPerSegment: +(m.rx.loops / m.segments).toFixed(1), nativeWordSumsPerSegment: +((m.rx.natives || 0) / m.segments).toFixed(2) });
  rows.push({ chip, mss, side: 'sender', ...spi(m.spiTx), segments: m.segments, callsPerSegment: +(m.tx.calls / m.segments).toFixed(1), loopIterationsPerSegment: +(m.tx.loops / m.segments).toFixed(1), nativeWordSumsPerSegment: +((m.tx.natives || 0) / m.segments).toFixed(2) });
}
const lo = per[MSS[0]];
const hi = per[MSS[MSS.length - 1]];
const top = (s: Side, segs: number, kind: 'loop' | 'call' = 'loop', n = 6) => s.perSite
  .map((v, i) => ({ i, v }))
  .filter((x) => counts.sites[x.i].kind === kind && x.v > 0)
  .sort((a, b) => b.v - a.v)
  .slice(0, n)
  .map((x) => ({ site: counts.sites[x.i].file + ': ' + counts.sites[x.i].name, perSegment: +(x.v / segs).toFixed(2) }));
const result = {
  rows,
  receiverLoopGrowth: +((hi.rx.loops / hi.segments) / Math.max(1e-9, lo.rx.loops / lo.segments)).toFixed(2),
  senderLoopGrowth: +((hi.tx.loops / hi.segments) / Math.max(1e-9, lo.tx.loops / lo.segments)).toFixed(2),
  topReceiverLoops: top(hi.rx, hi.segments),
  topSenderLoops: top(hi.tx, hi.segments),
  topReceiverCalls: top(hi.rx, hi.segments, 'call', 12),
};
console.log('WORK ' + JSON.stringify(result));
