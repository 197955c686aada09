// maxBurst paces: once a connection has sent maxBurst segments, the rest waits burstIntervalMs on the
// virtual clock (a fast host polling in a loop does not send everything back to back), and poll()
// says when to come back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK } from './harness';

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i & 255;
  return b;
}

test('a burst-limited connection sends nothing more until the interval has passed', () => {
  const h = new Harness({ txBytes: 16384, maxBurst: 2, burstIntervalMs: 2 });
  const { sock } = h.acceptOne(1000, { txBytes: 16384, mss: 1000 });
  sock.setNoDelay(true);
  sock.cwnd = 1 << 20;
  sock.write(pattern(5000));
  const t0 = h.now;
  assert.is(h.poll().filter((x) => x.data.length > 0).length, 2);
  // A host that polls again at once (the old "due now") gets nothing more...
  for (let i = 0; i < 5; i++) assert.is(h.poll().length, 0, 'same instant, poll ' + i);
  // ...and is told when to come back.
  assert.is(h.tcp.poll(h.now, h.ip), t0 + 2);
  h.now = t0 + 1;
  assert.is(h.poll().length, 0, 'within the interval');
  h.now = t0 + 2;
  assert.is(h.poll().filter((x) => x.data.length > 0).length, 2);
  h.now = t0 + 4;
  assert.is(h.poll().filter((x) => x.data.length > 0).length, 1);
});

test('at most maxBurst segments in any interval over a long transfer, with ACKs arriving in between', () => {
  const MAX = 3;
  const I = 2;
  const h = new Harness({ txBytes: 65536, maxBurst: MAX, burstIntervalMs: I });
  const { sock, irs } = h.acceptOne(1000, { txBytes: 65536, mss: 500 });
  sock.setNoDelay(true);
  sock.cwnd = 1 << 20;
  sock.write(pattern(60000));
  const times: number[] = [];
  let acked = 0;
  for (let step = 0; step < 4000 && acked < 60000; step++) {
    h.now += 0.25;
    const out = h.poll().filter((x) => x.data.length > 0);
    for (const x of out) {
      times.push(h.now);
      // The peer acknowledges at once (a fast peer must not make us send faster).
      h.send({ flags: ACK, seq: irs + 1, ack: x.seq + x.data.length, win: 65535 });
      acked = (x.seq + x.data.length - sock.iss - 1) >>> 0;
    }
  }
  assert.is(acked, 60000, 'everything sent');
  assert.is(times.length, 120);
  for (let i = 0; i + MAX < times.length; i++) {
    if (times[i + MAX] - times[i] < I) assert.unreachable('more than ' + MAX + ' segments within ' + I + ' ms at ' + times[i]);
  }
});

test('burstIntervalMs 0: the old behaviour, the next poll is due at once', () => {
  const h = new Harness({ txBytes: 16384, maxBurst: 2, burstIntervalMs: 0 });
  const { sock } = h.acceptOne(1000, { txBytes: 16384, mss: 1000 });
  sock.setNoDelay(true);
  sock.cwnd = 1 << 20;
  sock.write(pattern(5000));
  assert.is(h.poll().length, 2);
  assert.is(h.poll().length, 2);
  assert.is(h.poll().length, 1);
});

test.run();
