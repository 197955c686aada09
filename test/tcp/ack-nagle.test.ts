import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, ACK, SYN, PEER } from './harness';

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 65 + (i % 26);
  return b;
}

test('delayed ACK: a lone segment is acknowledged after delayedAckMs, the second one at once', () => {
  const h = new Harness({ delayedAckMs: 40, rxBytes: 16384 });
  const { iss } = h.acceptOne(1000, { rxBytes: 16384 });
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(100) });
  assert.equal(h.poll(), [], 'held');
  assert.equal(h.advance(39), []);
  assert.is(describe(h.advance(1)[0]), 'ACK seq=' + (iss + 1) + ' ack=1101 win=16284 len=0');
  h.send({ flags: ACK, seq: 1101, ack: iss + 1, data: pattern(100) });
  assert.equal(h.poll(), []);
  h.send({ flags: ACK, seq: 1201, ack: iss + 1, data: pattern(100) });
  assert.is(h.one().ack, 1301, 'every second segment at once');
});

test('delayed ACK: out-of-order data and the segment filling the gap are acknowledged at once', () => {
  const h = new Harness({ delayedAckMs: 40, rxBytes: 16384 });
  const { iss } = h.acceptOne(1000, { rxBytes: 16384 });
  h.send({ flags: ACK, seq: 1101, ack: iss + 1, data: pattern(100) });
  assert.is(h.one().ack, 1001);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(100) });
  assert.is(h.one().ack, 1201);
});

test('delayed ACK: a lone segment carrying FIN is acknowledged at once, FIN included (regression)', () => {
  const h = new Harness({ delayedAckMs: 40, rxBytes: 16384 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 16384 });
  const rec = record(sock);
  h.send({ flags: ACK | 0x01, seq: 1001, ack: iss + 1, data: pattern(148) });
  assert.is(h.one().ack, 1001 + 148 + 1);
  assert.equal(rec.events, ['end']);
});

test('delayed ACK rides on data we send', () => {
  const h = new Harness({ delayedAckMs: 40, rxBytes: 16384 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 16384 });
  sock.on('data', () => sock.write('reply'));
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: 'request' });
  const out = h.poll();
  assert.is(out.length, 1);
  assert.is(describe(out[0]), 'PSH|ACK seq=' + (iss + 1) + ' ack=1008 win=16377 len=5');
  assert.equal(h.advance(100), [], 'nothing owed any more');
});

test('Nagle: a small write waits while data is unacknowledged; setNoDelay sends at once', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  sock.write('a');
  assert.is(h.one().data.length, 1);
  sock.write('b');
  sock.write('c');
  assert.equal(h.poll(), [], 'held until the ACK');
  h.send({ flags: ACK, seq: 1001, ack: iss + 2 });
  assert.equal(h.poll().map((s) => String.fromCharCode(...s.data)), ['bc']);
  sock.setNoDelay(true);
  sock.write('d');
  assert.is(h.poll().length, 1, 'no delay');
});

test('sender SWS avoidance: a window sliver is not used while data is in flight', () => {
  // A window of 8 segments or more: full-size segments (smaller windows are cut into equal segments, below).
  const h = new Harness({ txBytes: 16384, maxBurst: 64 });
  const { sock, iss } = h.acceptOne(1000, { win: 8100, mss: 1000, txBytes: 16384 });
  sock.cwnd = 16000; // past slow start
  sock.write(pattern(12000));
  assert.equal(h.poll().map((s) => s.data.length), [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000], '100 bytes of window left: not sent');
  h.send({ flags: ACK, seq: 1001, ack: iss + 1001, win: 8100 });
  assert.equal(h.poll().map((s) => s.data.length), [1000]);
});

test('a small window is sent as an even number of equal segments that fill it: no tail held back', () => {
  // 2,100 bytes of window with an MSS of 1,000 would be 1,000 + 1,000 and a 100-byte sliver held by SWS
  // avoidance until the ACK; as four segments of 524 it goes in one round trip, ACKed at once in pairs
  // (525 rounded down to even, for the send ring's 16-bit copies: segment-size.ts; 4 bytes wait).
  const h = new Harness({ txBytes: 8192 });
  const { sock, iss } = h.acceptOne(1000, { win: 2100, mss: 1000, txBytes: 8192 });
  sock.write(pattern(5000));
  assert.equal(h.poll().map((s) => s.data.length), [524, 524, 524, 524]);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1049, win: 2100 });
  assert.equal(h.advance(2).map((s) => s.data.length), [524, 524]); // (the next pacing interval)
  // Our own send buffer caps the window that counts: 1,024 bytes go as two of 512.
  const h2 = new Harness({ txBytes: 1024 });
  const a = h2.acceptOne(1000, { mss: 1460, txBytes: 1024 });
  a.sock.write(pattern(1024));
  assert.equal(h2.poll().map((s) => s.data.length), [512, 512]);
});

test('idle timeout: "timeout" after the idle time without traffic, again after more idleness', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.setTimeout(5000);
  h.advance(4000);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: 'x' });
  h.advance(4999);
  assert.equal(rec.events, []);
  h.advance(1);
  assert.equal(rec.events, ['timeout']);
  h.advance(5000);
  assert.equal(rec.events, ['timeout', 'timeout']);
  void SYN; void PEER;
});

test.run();
