// Throughput under seeded loss, as a snapshot table (test/tcp/fixtures/throughput.txt) so a change
// that hurts behaviour under loss shows up as a diff in review. Deterministic: virtual clock, seeded
// impairments. Regenerate with UPDATE_SNAPSHOTS=1 after an intended change, and review the diff.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { Link, Stream, Hash, hashOf, B_IP } from './link';
import { TcpSocket } from '../../tcp/tcp/socket';

const SNAPSHOT = path.join(__dirname, 'fixtures', 'throughput.txt');
const BYTES = 512 * 1024;

function measure(loss: number, rttMs: number, bufs: number): { kbps: number; rtx: number; fast: number; timeouts: number } {
  const link = new Link({ loss, delayMs: rttMs / 2, reorder: loss, reorderMs: 2, bitsPerSecond: 10_000_000, seed: 1234 },
    { rxBytes: bufs, txBytes: bufs, maxRetries: 15 }, 5);
  const got = new Hash();
  let done = false;
  link.b.listen(9, (s: TcpSocket) => {
    s.on('data', (c: Uint8Array) => got.update(c));
    s.on('end', () => { done = true; s.end(); });
  });
  const a = link.a.connect(B_IP, 9);
  const src = new Stream(77, BYTES);
  const go = (): void => { while (src.produced < src.total) if (!a.write(src.next(4096))) return; a.end(); };
  a.on('connect', go);
  a.on('drain', go);
  link.run(() => done, 2_000_000);
  assert.is(got.n, BYTES, 'loss ' + loss);
  assert.is(got.h, hashOf(77, BYTES));
  const c = link.a.counters;
  return { kbps: Math.round((BYTES / 1024) / (link.clock.nowMs() / 1000)), rtx: c.retransmits, fast: c.fastRetransmits, timeouts: c.timeouts };
}

test('throughput table under loss (10 Mbit/s link) matches the snapshot', () => {
  const lines = ['# 512 KiB one way, 10 Mbit/s, reordering = loss rate; KiB/s, retransmitted segments, fast retransmits',
    '# loss  rtt_ms  buffers  KiB/s  rtx  fast'];
  for (const bufs of [2048, 16384]) {
    for (const rtt of [2, 20]) {
      for (const loss of [0, 0.01, 0.02, 0.05, 0.1]) {
        const m = measure(loss, rtt, bufs);
        lines.push([(loss * 100).toFixed(0) + '%', rtt, bufs, m.kbps, m.rtx, m.fast].map((x) => String(x).padStart(6)).join(' '));
      }
    }
  }
  const table = lines.join('\n') + '\n';
  if (process.env.UPDATE_SNAPSHOTS || !fs.existsSync(SNAPSHOT)) {
    fs.writeFileSync(SNAPSHOT, table);
    console.log('wrote ' + SNAPSHOT + '\n' + table);
  }
  assert.fixture(table, fs.readFileSync(SNAPSHOT, 'utf8'));
});

test.run();
