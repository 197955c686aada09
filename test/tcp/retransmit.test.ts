import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, text, ACK, SYN, PEER } from './harness';
import { F_IN_RECOVERY } from '../../tcp/tcp/socket';

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 65 + (i % 26);
  return b;
}

/** Handshake with a measured RTT of `rtt` ms (the SYN|ACK answers after that long). */
function connectWithRtt(h: Harness, rtt: number) {
  const sock = h.tcp.connect(PEER, 8080);
  const syn = h.one();
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.now += rtt;
  h.send({ flags: SYN | ACK, seq: 5000, ack: syn.seq + 1, mss: 1000 });
  h.poll();
  return { sock, iss: syn.seq };
}

test('RFC 6298: RTO from the handshake sample (SRTT + 4·RTTVAR = 3·RTT), lost data resent at RTO', () => {
  const h = new Harness({ minRtoMs: 100 });
  const { sock, iss } = connectWithRtt(h, 100);
  assert.is(sock.rto, 300);
  sock.write('lost');
  const first = h.one();
  assert.equal(h.advance(299), []);
  const re = h.advance(1);
  assert.is(re.map(describe).join(), describe(first));
  assert.is(h.tcp.counters.retransmits, 1);
  void iss;
});

test('exponential backoff per expiry, capped at maxRto; retry limit → ETIMEDOUT', () => {
  const h = new Harness({ minRtoMs: 100, maxRtoMs: 1000, maxRetries: 5 });
  const { sock } = connectWithRtt(h, 100);
  const rec = record(sock);
  sock.write('x');
  h.poll();
  const at: number[] = [];
  for (let t = 0; t < 10000; t += 10) for (const s of h.advance(10)) { assert.is(text(s.data), 'x'); at.push(h.now - 100); }
  // Intervals: 300, 600, 1000 (capped), 1000, 1000.
  const gaps = at.map((v, i) => v - (i ? at[i - 1] : 0));
  assert.equal(gaps, [300, 600, 1000, 1000, 1000]);
  assert.equal(rec.events, ['error:ETIMEDOUT', 'close:error']);
  assert.is(h.tcp.counters.timeouts, 1);
});

test("Karn: an ACK for retransmitted data gives no RTT sample; the backed-off RTO stays until a clean sample", () => {
  const h = new Harness({ minRtoMs: 100 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.write('a');
  h.poll();
  h.advance(300); // retransmission
  assert.is(sock.rto, 600);
  const srtt = sock.srtt;
  h.now += 50;
  h.send({ flags: ACK, seq: 5001, ack: iss + 2 });
  assert.is(sock.srtt, srtt, 'no sample from a retransmitted segment');
  assert.is(sock.rto, 600);
  sock.write('b');
  h.poll();
  h.now += 100;
  h.send({ flags: ACK, seq: 5001, ack: iss + 3 });
  assert.ok(sock.rto < 600, 'a clean sample recomputes the RTO: ' + sock.rto);
});

test('go-back after a timeout: everything unacknowledged is resent in order, cwnd restarts at one segment', () => {
  const h = new Harness({ minRtoMs: 100, txBytes: 8192 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.write(pattern(3000));
  assert.equal(h.poll().map((s) => s.seq - iss), [1, 1001, 2001]);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1001 });
  h.poll();
  // First, after two round trips without an ACK, a tail loss probe: the last segment (RFC 8985 §7).
  const pto = Math.ceil(2 * sock.srtt);
  assert.equal(h.advance(pto - 1), []);
  assert.equal(h.advance(1).map((s) => s.seq - iss + ':' + s.data.length), ['2001:1000'], 'the loss probe');
  assert.is(h.tcp.counters.lossProbes, 1);
  assert.is(h.tcp.counters.retransmits, 0, 'a probe is not a timeout');
  // The RTO is armed behind it (§7.3); when it expires, everything goes again from SND.UNA.
  assert.equal(h.advance(sock.rto - 1), [], 'the RTO, from the probe (' + sock.rto + ' ms)');
  const re = h.advance(1);
  assert.equal(re.map((s) => s.seq - iss + ':' + s.data.length), ['1001:1000'], 'cwnd = 1 MSS after the timeout');
  assert.is(sock.cwnd, 1000);
  h.send({ flags: ACK, seq: 5001, ack: iss + 2001 });
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['2001:1000']);
});

test('fast retransmit on the third duplicate ACK, NewReno: partial ACK retransmits the next hole', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384, maxBurst: 64 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.cwnd = 8000;
  sock.write(pattern(8000));
  const segs = h.poll();
  assert.is(segs.length, 8);
  // Segments 1 and 3 (offsets 0 and 2000) are lost; the peer sends duplicate ACKs for offset 0.
  for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: 5001, ack: iss + 1 });
  const fr = h.poll();
  assert.equal(fr.map((s) => s.seq - iss + ':' + s.data.length), ['1:1000']);
  assert.is(h.tcp.counters.fastRetransmits, 1);
  assert.ok(sock.has(F_IN_RECOVERY));
  assert.is(sock.ssthresh, 5600, 'β = 0.7 of the 8,000 in flight (RFC 9438 §4.6, congestion.ts)');
  // Partial ACK up to the second hole: that segment goes at once.
  h.send({ flags: ACK, seq: 5001, ack: iss + 2001 });
  const pr = h.poll();
  assert.is(pr[0].seq - iss, 2001);
  assert.ok(sock.has(F_IN_RECOVERY));
  // Full ACK: recovery ends, cwnd deflates to ssthresh (RFC 6582 step 5, option 2).
  h.send({ flags: ACK, seq: 5001, ack: iss + 8001 });
  assert.not.ok(sock.has(F_IN_RECOVERY));
  assert.is(sock.cwnd, 5600);
});

test('RFC 3042 limited transmit: the first two duplicate ACKs each let one new segment out', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384, maxBurst: 64 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.cwnd = 3000;
  sock.write(pattern(8000));
  assert.equal(h.poll().map((s) => s.seq - iss), [1, 1001, 2001]);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1 });
  assert.equal(h.poll().map((s) => s.seq - iss), [3001]);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1 });
  assert.equal(h.poll().map((s) => s.seq - iss), [4001]);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1 });
  assert.equal(h.poll().map((s) => s.seq - iss)[0], 1, 'third duplicate: fast retransmit');
});

test('RFC 5827 early retransmit: two segments outstanding, nothing more to send → one duplicate suffices', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384 }); // a window of 8 segments or more: full-size ones
  const { sock, iss } = connectWithRtt(h, 100);
  sock.setNoDelay(true);
  sock.write(pattern(2000));
  assert.equal(h.poll().map((s) => s.seq - iss), [1, 1001]);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1 });
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1:1000']);
  assert.is(h.tcp.counters.fastRetransmits, 1);
});

test('RFC 5827 early retransmit when the window lets no new segment out: two outstanding, more data waiting → one duplicate suffices', () => {
  // 2,000 bytes of send buffer (the peer's MSS is 1,000): two segments fill it, the rest of the write waits.
  const h = new Harness({ minRtoMs: 1000, txBytes: 2000 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.write(pattern(6000));
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1:1000', '1001:1000']);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1 }); // the second arrived, the first did not
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1:1000']);
  assert.is(h.tcp.counters.fastRetransmits, 1);
  // Our retransmission may have been needless: the peer's duplicate ACK of it comes back at the point
  // the recovery ended. That must not start another (a chain of spurious retransmits, one per RTT).
  h.send({ flags: ACK, seq: 5001, ack: iss + 2001 });
  sock.cwnd = 4000; // (as slow start would make it soon): the send buffer goes out whole again
  const next = h.advance(2).map((s) => s.seq - iss + ':' + s.data.length);
  assert.equal(next, ['2001:1000', '3001:1000'], 'new data after the full ACK, all the send buffer holds');
  const sentBefore = Math.max(...next.map((x) => Number(x.split(':')[0]) + Number(x.split(':')[1])));
  h.send({ flags: ACK, seq: 5001, ack: iss + 2001 });
  const after = h.poll().filter((s) => s.data.length > 0).map((s) => s.seq - iss);
  assert.ok(after.every((x) => x >= sentBefore), 'no retransmission on a duplicate at the end of the recovery: ' + after.join(','));
  assert.is(h.tcp.counters.fastRetransmits, 1);
});

test('RFC 8985 tail loss probe: the last segment lost → probed after 2·SRTT + the peer\'s delayed-ACK time, repaired without a timeout, cwnd reduced', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.cwnd = 8000;
  sock.write(pattern(3000));
  assert.equal(h.poll().map((s) => s.seq - iss), [1, 1001, 2001]);
  h.now += 100;
  h.send({ flags: ACK, seq: 5001, ack: iss + 2001 }); // the third segment is lost: no duplicate ACK will come
  h.poll();
  // One segment in flight: the peer may be holding its ACK for its delayed-ACK timer, up to 200 ms (§7.2).
  const pto = Math.ceil(2 * sock.srtt) + 200;
  assert.ok(pto < sock.rto, 'the probe comes before the RTO: ' + pto + ' < ' + sock.rto);
  assert.equal(h.advance(pto - 1), []);
  assert.equal(h.advance(1).map((s) => s.seq - iss + ':' + s.data.length), ['2001:1000'], 'the probe: the last segment');
  assert.equal(h.advance(pto * 2), [], 'one probe per tail');
  h.send({ flags: ACK, seq: 5001, ack: iss + 3001 });
  assert.is(sock.sndUna - iss, 3001);
  assert.is(h.tcp.counters.retransmits, 0, 'no timeout');
  assert.is(h.tcp.counters.lossProbes, 1);
  // The probe may have repaired a loss (no DSACK to say otherwise): the response to a loss (§7.4),
  // ssthresh = cwnd = max(FlightSize / 2, 2·SMSS) with the one segment that was in flight.
  assert.is(sock.cwnd, 2000);
  assert.is(sock.rtxAt, 0, 'all acknowledged: no timer');
});

test('tail loss probe: a full window with too few duplicate ACKs gets its third from the probe → fast retransmit', () => {
  // Five segments fill the peer's window; the first is lost and one of the duplicate ACKs too.
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384, maxBurst: 64 });
  h.peerPort = 8080;
  const { sock, iss } = connectWithRtt(h, 100);
  sock.cwnd = 16000;
  h.send({ flags: ACK, seq: 5001, ack: iss + 1, win: 5000 });
  sock.write(pattern(10000));
  assert.equal(h.poll().map((s) => s.seq - iss), [1, 1001, 2001, 3001, 4001]);
  h.now += 100;
  h.send({ flags: ACK, seq: 5001, ack: iss + 1, win: 5000 });
  h.send({ flags: ACK, seq: 5001, ack: iss + 1, win: 5000 });
  assert.equal(h.poll(), [], 'two duplicates: nothing yet (and the window lets nothing new out)');
  const pto = Math.ceil(2 * sock.srtt);
  const probe = h.advance(pto);
  assert.equal(probe.map((s) => s.seq - iss + ':' + s.data.length), ['4001:1000'], 'the probe');
  h.send({ flags: ACK, seq: 5001, ack: iss + 1, win: 5000 }); // the peer's duplicate ACK of the probe
  assert.equal(h.poll().map((s) => s.seq - iss + ':' + s.data.length), ['1:1000'], 'the third duplicate: fast retransmit');
  assert.is(h.tcp.counters.fastRetransmits, 1);
  assert.is(h.tcp.counters.retransmits, 0);
});

test('SACK recovery: after the fast retransmit, each duplicate ACK retransmits the next hole the scoreboard shows', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384, maxBurst: 64 });
  h.peerPort = 8080;
  const { sock, iss } = h.connectOne(5000, { mss: 1000, txBytes: 16384, sackPermitted: true });
  sock.cwnd = 8000;
  sock.write(pattern(8000));
  assert.is(h.poll().length, 8);
  // Segments at offsets 0, 2000 and 4000 are lost; the peer SACKs what it has.
  const sack = (blocks: number[]) => h.sendSack(5001, iss + 1, blocks.map((b) => iss + 1 + b));
  sack([1000, 2000]);
  sack([1000, 2000, 3000, 4000]);
  sack([1000, 2000, 3000, 4000, 5000, 6000]);
  assert.equal(h.poll().map((s) => s.seq - iss - 1), [0], 'fast retransmit of the first hole');
  sack([1000, 2000, 3000, 4000, 5000, 7000]);
  assert.equal(h.poll().map((s) => s.seq - iss - 1), [2000], 'next hole');
  sack([1000, 2000, 3000, 4000, 5000, 8000]);
  assert.equal(h.poll().map((s) => s.seq - iss - 1), [4000], 'and the next');
  assert.is(h.tcp.counters.sackRetransmits, 2);
});

test('no route: a connect whose SYNs cannot be sent fails with EHOSTUNREACH', () => {
  const h = new Harness({ synRetries: 2 });
  h.ip.route = false;
  const sock = h.tcp.connect(PEER, 8080);
  const rec = record(sock);
  for (let i = 0; i < 100; i++) h.advance(100);
  assert.equal(rec.events, ['error:EHOSTUNREACH', 'close:error']);
});

test('slow start grows cwnd by one MSS per ACKed segment, then congestion avoidance above ssthresh', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 65536 });
  const { sock, iss } = connectWithRtt(h, 10);
  const w0 = sock.cwnd;
  sock.write(pattern(60000));
  let acked = 1;
  for (let round = 0; round < 2; round++) {
    const segs = h.poll();
    for (const s of segs) { acked = s.seq - iss + s.data.length; h.send({ flags: ACK, seq: 5001, ack: iss + acked }); }
  }
  assert.ok(sock.cwnd >= w0 + 4000, 'slow start: ' + w0 + ' → ' + sock.cwnd);
  sock.ssthresh = sock.cwnd;
  const before = sock.cwnd;
  const segs: ReturnType<typeof h.poll> = [];
  for (let i = 0; i < 8; i++) segs.push(...h.advance(2)); // one round trip's worth, past the pacing intervals
  assert.ok(segs.length >= 4, 'a window of segments: ' + segs.length);
  for (const s of segs) h.send({ flags: ACK, seq: 5001, ack: s.seq + s.data.length });
  // RFC 9438 §4.3's Reno-friendly α: about 0.53 MSS a round trip (congestion.ts).
  const grew = sock.cwnd - before;
  assert.ok(grew >= 450 && grew <= 560, 'avoidance: about 0.53 MSS per RTT (' + grew + ')');
});

test('congestion avoidance counts the segments acknowledged (RFC 9438 §4.3): a peer ACKing every second segment grows cwnd as fast', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 65536 });
  const { sock } = connectWithRtt(h, 10);
  sock.write(pattern(60000));
  sock.cwnd = 8000;
  sock.ssthresh = 8000;
  const before = sock.cwnd;
  const segs: ReturnType<typeof h.poll> = [];
  for (let i = 0; i < 8; i++) segs.push(...h.advance(2));
  assert.ok(segs.length >= 4, 'a window of segments: ' + segs.length);
  // Delayed ACKs (RFC 5681 §4.2): one ACK for every second segment.
  for (let i = 1; i < segs.length; i += 2) h.send({ flags: ACK, seq: 5001, ack: segs[i].seq + segs[i].data.length });
  const grew = sock.cwnd - before;
  assert.ok(grew >= 450 && grew <= 560, 'about 0.53 MSS per RTT with half the ACKs (' + grew + ')');
});

test('after a timeout our pure ACKs carry the highest sequence sent, not the pulled-back SND.NXT (regression)', () => {
  // Both sides lost each other's ACKs and went back: ACKs numbered below the peer's RCV.NXT would be
  // dropped as unacceptable by it, deadlocking the connection.
  const h = new Harness({ minRtoMs: 100, txBytes: 8192 });
  const { sock, iss } = connectWithRtt(h, 100);
  sock.write(pattern(3000));
  h.poll();
  h.advance(200); // (the loss probe, 2·SRTT)
  h.advance(300); // timeout: SND.NXT goes back to SND.UNA
  assert.is(sock.sndNxt - iss, 1001);
  h.send({ flags: ACK, seq: 5001, ack: iss + 1, data: 'peer data' });
  const out = h.poll();
  const ack = out[out.length - 1];
  assert.is(ack.seq - iss, 3001, 'SND.MAX');
});

test.run();
