import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, bytes, text, ACK, SYN, PEER } from './harness';

function pattern(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + ((start + i) % 26);
  return b;
}

test('receive across the 2^32 wrap: data in order, ACK numbers wrap', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(0xfffffff0);
  const rec = record(sock);
  h.send({ flags: ACK, seq: 0xfffffff1, ack: iss + 1, data: pattern(20) });
  assert.is(rec.data, text(pattern(20)));
  const a = h.one();
  assert.is(a.ack, 5, '0xfffffff1 + 20 wraps to 5');
  h.send({ flags: ACK, seq: 5, ack: iss + 1, data: 'tail' });
  assert.is(h.one().ack, 9);
  assert.is(rec.data, text(pattern(20)) + 'tail');
});

test('send across the 2^32 wrap: segments numbered mod 2^32, ACKs across the wrap accepted', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  sock.iss = sock.sndUna = sock.sndNxt = sock.sndMax = sock.recover = 0xfffffff8;
  const syn = h.one();
  assert.is(syn.seq, 0xfffffff8);
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 100, ack: 0xfffffff9, mss: 64 });
  h.poll();
  sock.setNoDelay(true);
  sock.write(pattern(100));
  const segs = h.poll();
  assert.equal(segs.map((s) => s.seq + ':' + s.data.length), ['4294967289:64', '57:36']);
  h.send({ flags: ACK, seq: 101, ack: 93 });
  assert.is(sock.bufferedAmount, 0);
  assert.is(sock.sndUna, 93);
  assert.is(sock.rtxAt, 0, 'all acknowledged: timer stopped');
});

test('MSS: a change of the MTU between polls is taken at the next poll (Tcp.poll works it out again)', () => {
  const h = new Harness({ txBytes: 8192 });
  h.poll();
  h.poll(); // worked out once, then the same MTU: kept
  h.ip.mtu = 576;
  h.poll();
  h.tcp.connect(PEER, 8080);
  assert.is(h.one().mss, 536);
  h.ip.mtu = 1500;
  h.poll();
  h.tcp.connect(PEER, 8081);
  assert.is(h.one().mss, 1460);
});

test('MSS: our SYN announces min(MTU - 40, config); segments never exceed the peer MSS', () => {
  const h = new Harness({ txBytes: 8192 });
  h.ip.mtu = 576;
  h.poll(); // the Tcp learns the MTU
  const sock = h.tcp.connect(PEER, 8080, { txBytes: 8192 });
  const syn = h.one();
  assert.is(syn.mss, 536);
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 100, ack: syn.seq + 1, mss: 300 });
  h.poll();
  sock.setNoDelay(true);
  sock.write(pattern(1000));
  const segs = h.poll();
  assert.equal(segs.map((s) => s.data.length), [300, 300, 300, 100]);
  const h2 = new Harness({ txBytes: 8192 }); // a window of 8 segments or more: full-size ones
  h2.ip.mtu = 576;
  h2.poll();
  const s2 = h2.tcp.connect(PEER, 8080);
  const syn2 = h2.one();
  h2.ourPort = syn2.srcPort; h2.peerPort = 8080;
  h2.send({ flags: SYN | ACK, seq: 100, ack: syn2.seq + 1, mss: 1460 });
  h2.poll();
  s2.setNoDelay(true);
  s2.write(pattern(1000));
  assert.equal(h2.poll().map((s) => s.data.length), [536, 464], 'our MTU bounds it too');
  const h3 = new Harness({ txBytes: 8192 });
  const s3 = h3.tcp.connect(PEER, 8080);
  const syn3 = h3.one();
  h3.ourPort = syn3.srcPort; h3.peerPort = 8080;
  h3.send({ flags: SYN | ACK, seq: 100, ack: syn3.seq + 1 }); // no MSS option → 536
  h3.poll();
  s3.setNoDelay(true);
  s3.write(pattern(1000));
  assert.equal(h3.poll().map((s) => s.data.length), [536, 464]);
});

test('out-of-order segments are held and delivered once the gap fills; duplicate ACKs meanwhile', () => {
  const h = new Harness({ rxBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  const rec = record(sock);
  const d = pattern(300);
  h.send({ flags: ACK, seq: 1201, ack: iss + 1, data: d.subarray(200, 300) });
  assert.is(h.one().ack, 1001);
  h.send({ flags: ACK, seq: 1101, ack: iss + 1, data: d.subarray(100, 200) });
  assert.is(h.one().ack, 1001);
  assert.is(rec.data, '');
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: d.subarray(0, 100) });
  assert.is(rec.data, text(d));
  assert.is(h.one().ack, 1301);
  assert.is(h.tcp.counters.oooSegments, 2);
});

test('overlapping and duplicate segments are trimmed: every byte delivered exactly once', () => {
  const h = new Harness({ rxBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  const rec = record(sock);
  const d = pattern(500);
  const at = (a: number, b: number) => h.send({ flags: ACK, seq: 1001 + a, ack: iss + 1, data: d.subarray(a, b) });
  at(0, 100);
  at(50, 150); // overlaps the front
  at(300, 400); // out of order
  at(350, 450); // overlaps the held range
  at(0, 100); // old duplicate
  at(120, 320); // fills the gap, overlapping both sides
  at(440, 500);
  assert.is(rec.data, text(d));
  h.poll();
  assert.is(sock.rcvNxt, 1501);
});

test('reassembly is bounded: a segment needing a fifth range is dropped and counted', () => {
  const h = new Harness({ rxBytes: 4096, reassemblyRanges: 4 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  const rec = record(sock);
  const d = pattern(1000);
  for (let k = 1; k <= 5; k++) h.send({ flags: ACK, seq: 1001 + k * 100, ack: iss + 1, data: d.subarray(k * 100, k * 100 + 50) });
  assert.is(h.tcp.counters.oooDropped, 1);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: d.subarray(0, 1000) });
  assert.is(rec.data, text(d));
  assert.is(sock.ooo, null, 'the out-of-order state goes once the gap fills');
});

test('bursts are bounded (maxBurst per burstIntervalMs); the poll says when to come back', () => {
  const h = new Harness({ txBytes: 16384, maxBurst: 2, burstIntervalMs: 2 });
  const { sock } = h.acceptOne(1000, { txBytes: 16384, mss: 1000 });
  sock.setNoDelay(true);
  sock.cwnd = 1 << 20;
  sock.write(pattern(5000));
  assert.is(h.poll().length, 2);
  assert.is(h.tcp.poll(h.now, h.ip), h.now + 2, 'more to send: due after the interval');
  assert.is(h.ip.sent.length, 0);
  assert.is(h.advance(2).length, 2);
  assert.is(h.advance(2).length, 1);
});

test('flow control: the window follows free buffer space; paused → window closes; resume → window update', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.pause();
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(1000) });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=2001 win=1048 len=0');
  h.send({ flags: ACK, seq: 2001, ack: iss + 1, data: pattern(1048) });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=3049 win=0 len=0');
  // Beyond a zero window nothing is accepted; the answer is an ACK.
  h.send({ flags: ACK, seq: 3049, ack: iss + 1, data: 'x' });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=3049 win=0 len=0');
  assert.is(rec.data, '');
  sock.resume();
  assert.is(rec.data.length, 2048);
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=3049 win=2048 len=0', 'window update at once');
});

test('no window update for a sliver: receiver SWS avoidance', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  record(sock);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(10) });
  const a = h.one();
  assert.is(a.window, 2038);
  assert.equal(h.poll(), [], 'freeing 10 bytes is not worth an update');
});

test('never beyond the peer window; more goes out as the window opens', () => {
  const h = new Harness({ txBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { win: 100, txBytes: 4096 });
  sock.write(pattern(500));
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1:100']);
  h.send({ flags: ACK, seq: 1001, ack: iss + 101, win: 300 });
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['101:300']);
});

test('window shrink: the peer takes back its window; nothing is sent past the new right edge', () => {
  const h = new Harness({ txBytes: 8192 });
  const { sock, iss } = h.acceptOne(1000, { win: 1000, mss: 500, txBytes: 8192 });
  sock.write(pattern(3000));
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1:500', '501:500']);
  // ACK 500 but window now 200: right edge 701 is below what we already sent (1001).
  h.send({ flags: ACK, seq: 1001, ack: iss + 501, win: 200 });
  assert.equal(h.poll(), []);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1001, win: 500 });
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1001:500']);
});

test('zero window: persist timer sends 1-byte probes with backoff, forever while the peer answers', () => {
  const h = new Harness({ initialRtoMs: 1000, maxRetries: 3 });
  const { sock, iss } = h.acceptOne(1000, { win: 0 });
  const rec = record(sock);
  sock.write('hello');
  assert.equal(h.poll(), []);
  const probes: string[] = [];
  for (let t = 0; t < 40000; t += 100) {
    for (const s of h.advance(100)) {
      probes.push(h.now + ':' + (s.seq - iss) + ':' + text(s.data));
      h.send({ flags: ACK, seq: 1001, ack: iss + 1, win: 0 }); // rejected, window still 0
    }
  }
  // The handshake measured an RTT of 0: RTO is the 200 ms minimum, doubling per probe.
  assert.equal(probes.slice(0, 5), ['200:1:h', '600:1:h', '1400:1:h', '3000:1:h', '6200:1:h']);
  assert.ok(probes.length > 4, 'more probes than maxRetries: the peer is alive');
  assert.equal(rec.events, []);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, win: 1000 });
  assert.equal(h.poll().map((s) => text(s.data)), ['hello']);
});

test('write takes what fits, keeps the rest by reference, returns false, drains later', () => {
  const h = new Harness({ txBytes: 1000 });
  const { sock, iss } = h.acceptOne(1000, { txBytes: 1000 });
  const rec = record(sock);
  const big = pattern(2500);
  assert.is(sock.write(big), false);
  assert.is(sock.bufferedAmount, 2500);
  const got: number[] = [];
  let acked = iss + 1;
  for (let i = 0; i < 20 && acked < iss + 2501; i++) {
    const segs = h.advance(2); // the next pacing interval (maxBurst segments each)
    for (const s of segs) got.push(s.data.length);
    const end = segs.length ? segs[segs.length - 1].seq + segs[segs.length - 1].data.length : acked;
    acked = end;
    h.send({ flags: ACK, seq: 1001, ack: acked });
  }
  assert.is(got.reduce((a, b) => a + b, 0), 2500);
  assert.equal(rec.events, ['drain']);
  assert.is(sock.bufferedAmount, 0);
});

test('strings are sent one byte per char code', () => {
  const h = new Harness();
  const { sock } = h.acceptOne(1000);
  sock.write('hi\u00ff');
  assert.equal(Array.from(h.one().data), [104, 105, 255]);
  void bytes;
});

test.run();
