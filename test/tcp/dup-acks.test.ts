// RFC 5681 §4.2: every out-of-order segment gets its own immediate duplicate ACK, also when several
// arrive between two outputs (the interface reads a batch of frames per poll). Coalesced into one ACK,
// a sender without SACK (e.g. a SYN-cookie connection) never sees the three duplicates of fast
// retransmit (§3.2) and recovers only by its retransmission timeout, backing off to seconds — the
// stall behind the flaky ENC28J60 TAP echo test (issue 7).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK } from './harness';

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 65 + (i % 26);
  return b;
}

test('four out-of-order segments in one poll: four duplicate ACKs, all pure, all of RCV.NXT', () => {
  const h = new Harness({ rxBytes: 16384 });
  const { iss } = h.acceptOne(1000, { rxBytes: 16384 });
  // 1001..1101 is lost; the next four arrive before the stack polls again.
  for (let k = 1; k <= 4; k++) h.send({ flags: ACK, seq: 1001 + k * 100, ack: iss + 1, data: pattern(100) });
  const out = h.poll();
  assert.is(out.length, 4, 'one duplicate ACK per out-of-order segment');
  for (const s of out) {
    assert.is(s.flags, ACK);
    assert.is(s.ack, 1001);
    assert.is(s.data.length, 0);
  }
  assert.equal(h.poll(), [], 'nothing more owed');
  // The retransmission fills the gap: one cumulative ACK covers everything.
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(100) });
  const fill = h.poll();
  assert.is(fill.length, 1);
  assert.is(fill[0].ack, 1501);
});

test('duplicate ACKs still go out as pure ACKs when we also send data in that output', () => {
  const h = new Harness({ rxBytes: 16384 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 16384 });
  for (let k = 1; k <= 3; k++) h.send({ flags: ACK, seq: 1001 + k * 100, ack: iss + 1, data: pattern(100) });
  sock.write(pattern(10));
  const out = h.poll();
  assert.is(out.filter((s) => s.data.length > 0).length, 1, 'the data segment');
  const pure = out.filter((s) => s.data.length === 0);
  assert.is(pure.length, 3, 'three duplicate ACKs besides it');
  for (const s of pure) assert.is(s.ack, 1001);
});

test('the gap filled in the same poll: one ACK of the new RCV.NXT, no stale duplicates', () => {
  const h = new Harness({ rxBytes: 16384 });
  const { iss } = h.acceptOne(1000, { rxBytes: 16384 });
  h.send({ flags: ACK, seq: 1101, ack: iss + 1, data: pattern(100) });
  h.send({ flags: ACK, seq: 1201, ack: iss + 1, data: pattern(100) });
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(100) });
  const out = h.poll();
  assert.is(out.length, 1);
  assert.is(out[0].ack, 1301);
});

test('the duplicates owed are bounded', () => {
  const h = new Harness({ rxBytes: 65535 });
  const { iss } = h.acceptOne(1000, { rxBytes: 65535 });
  for (let k = 1; k <= 30; k++) h.send({ flags: ACK, seq: 1001 + k * 100, ack: iss + 1, data: pattern(100) });
  const out = h.poll();
  assert.ok(out.length >= 3 && out.length <= 8, String(out.length));
});

test.run();
