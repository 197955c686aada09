// Segment traces for issue 6 rules not pinned down by test/tcp: RFC 5961 §5.2 old ACKs, duplicate-ACK
// qualification (RFC 5681 §2), timestamps declined (RFC 7323 §3.2), SYN-cookie connections
// (no options they cannot remember; a full table), TIME_WAIT re-ACKing a retransmitted FIN.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, ACK, SYN, FIN, RST } from '../tcp/harness';
import { TcpSocket, F_IN_RECOVERY, F_SACK_OK } from '../../tcp/tcp/socket';
import { pattern } from './peer';

test('RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND → challenge ACK, its data dropped', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000, { win: 1000 });
  const rec = record(sock);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1 - 5000, win: 1000, data: 'evil' });
  const out = h.one();
  assert.is(describe(out), 'ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0', 'challenge ACK with our real numbers');
  assert.is(rec.data, '', 'data not taken');
  assert.is(h.tcp.counters.challengeAcks, 1);
  // An old ACK still within MAX.SND.WND is fine: its data is taken.
  h.send({ flags: ACK, seq: 1001, ack: iss + 1 - 500, win: 1000, data: 'ok' });
  assert.is(rec.data, 'ok');
  assert.is(sock.stateName, 'ESTABLISHED');
});

test('RFC 5681 §2: ACKs that change the window or carry data are not duplicate ACKs — no fast retransmit', () => {
  const h = new Harness({ txBytes: 16384 });
  const { sock, iss } = h.acceptOne(1000, { txBytes: 16384 });
  sock.cwnd = 8000;
  sock.write(pattern(3 * 1460));
  assert.is(h.poll().length, 3);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, win: 60000 });
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, win: 61000 });
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, win: 62000 });
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, win: 62000, data: 'a' });
  h.send({ flags: ACK, seq: 1002, ack: iss + 1, win: 62000, data: 'b' });
  h.poll();
  assert.is(h.tcp.counters.fastRetransmits, 0);
  assert.not.ok(sock.has(F_IN_RECOVERY));
  // Three true duplicates (same ACK, same window, no data) do trigger it.
  for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: 1003, ack: iss + 1, win: 62000 });
  const fr = h.poll();
  assert.is(h.tcp.counters.fastRetransmits, 1);
  assert.is(fr[0].seq, iss + 1);
  assert.is(fr[0].data.length, 1460);
});

test('RFC 5681 §3.2 with RFC 9438 §4.6\'s β: fast retransmit sets ssthresh = max(0.7·FlightSize, 2·SMSS), cwnd = ssthresh + 3·SMSS; each further dup ACK inflates by SMSS', () => {
  const h = new Harness({ txBytes: 16384, burstIntervalMs: 0 }); // all 6 segments at once (no pacing)
  const { sock, iss } = h.acceptOne(1000, { txBytes: 16384, mss: 1000 });
  sock.cwnd = 6000;
  sock.write(pattern(6000));
  let sent = 0;
  for (let i = 0; i < 4 && sent < 6000; i++) { for (const s of h.poll()) sent += s.data.length; }
  assert.is(sent, 6000);
  for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: 1001, ack: iss + 1 });
  h.poll();
  assert.is(sock.ssthresh, 4200);
  assert.is(sock.cwnd, 7200);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1 });
  assert.is(sock.cwnd, 8200);
});

test('RFC 7323 §3.2: a peer offering timestamps gets no timestamps back (declined: see the design note)', () => {
  const h = new Harness();
  let sock: TcpSocket | null = null;
  h.tcp.listen(80, (s: TcpSocket) => { sock = s; });
  h.send({ flags: SYN, seq: 1000, mss: 1460, tsVal: 777, ws: 2, sackPermitted: true });
  const sa = h.one();
  assert.is(sa.flags, SYN | ACK);
  assert.not.ok(sa.hasTimestamp, 'no TS option on the SYN|ACK');
  assert.is(sa.windowScale, 0, 'window scale answered (our shift 0 for a 2 KB buffer)');
  assert.ok(sa.sackPermitted);
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, tsVal: 778, tsEcr: 0 });
  assert.ok(sock);
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, tsVal: 779, tsEcr: 0, data: 'x' });
  const a = h.one();
  assert.not.ok(a.hasTimestamp, 'no TS option on later segments either');
  assert.is(a.ack, 1002);
});

test('RFC 5961 §7: the challenge-ACK limit is one budget for the whole stack, not per connection', () => {
  const h = new Harness();
  const a = h.acceptOne(1000);
  h.peerPort = 40001;
  h.send({ flags: SYN, seq: 3000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 3001, ack: sa.seq + 1 });
  h.poll();
  assert.is(h.tcp.sockets.length, 2);
  let sent = 0;
  for (let i = 0; i < 8; i++) {
    h.peerPort = 40000;
    h.send({ flags: RST, seq: 1001 + 10 + i });
    sent += h.poll().length;
    h.peerPort = 40001;
    h.send({ flags: RST, seq: 3001 + 10 + i });
    sent += h.poll().length;
  }
  assert.is(sent, 10, 'ten challenge ACKs in the second, shared');
  assert.is(h.tcp.counters.challengeAcks, 10);
  assert.is(h.tcp.counters.challengeAcksLimited, 6);
  assert.is(a.sock.stateName, 'ESTABLISHED');
  h.advance(1000);
  h.send({ flags: RST, seq: 3001 + 50 });
  assert.is(h.poll().length, 1, 'a new second, a new budget');
});

function fillBacklog(h: Harness, n: number): void {
  for (let i = 0; i < n; i++) h.send({ flags: SYN, seq: 77 + i, srcPort: 20000 + i, src: 0x0b000001 + i });
  h.poll();
}

test('SYN cookie: the SYN|ACK offers no window scale or SACK (a cookie cannot remember them); the connection runs unscaled', () => {
  const h = new Harness({ backlog: 1, rxBytes: 200000 });
  const got: TcpSocket[] = [];
  h.tcp.listen(80, (s: TcpSocket) => { got.push(s); });
  fillBacklog(h, 1);
  h.send({ flags: SYN, seq: 1000, mss: 1460, ws: 7, sackPermitted: true });
  const sa = h.one();
  assert.is(h.tcp.counters.synCookiesSent, 1);
  assert.is(sa.windowScale, -1);
  assert.not.ok(sa.sackPermitted);
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, win: 100 });
  assert.is(got.length, 1);
  const s = got[0];
  assert.is(s.sndShift, 0, 'peer window taken unscaled');
  assert.is(s.sndWnd, 100);
  assert.is(s.rcvShift, 0);
  assert.not.ok(s.has(F_SACK_OK));
});

test('SYN cookie: a valid ACK that finds every slot working is dropped and counted; its retransmission succeeds once there is room', () => {
  const h = new Harness({ backlog: 1, maxConnections: 1 });
  const got: TcpSocket[] = [];
  h.tcp.listen(80, (s: TcpSocket) => { got.push(s); });
  // A working connection on another port takes the only slot (never evictable: the default).
  h.tcp.listen(81);
  h.send({ flags: SYN, seq: 5000, dstPort: 81, srcPort: 777 });
  const sa81 = h.one();
  h.send({ flags: ACK, seq: 5001, ack: sa81.seq + 1, dstPort: 81, srcPort: 777 });
  h.poll();
  assert.is(h.tcp.sockets.length, 1);
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  assert.is(h.tcp.counters.synCookiesSent, 1, 'the table is full: a cookie');
  const dropped = h.tcp.counters.synDropped;
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.equal(h.poll(), [], 'no RST: the cookie was valid');
  assert.is(h.tcp.counters.synDropped, dropped + 1);
  assert.is(h.tcp.counters.evicted, 0, 'nothing working is ended');
  assert.is(got.length, 0);
  // The connection on port 81 is reset by its peer: room again.
  h.send({ flags: RST, seq: 5001, dstPort: 81, srcPort: 777 });
  assert.is(h.tcp.sockets.length, 0);
  h.send({ flags: ACK | 0x08, seq: 1001, ack: sa.seq + 1, data: 'hi' });
  assert.is(got.length, 1);
  assert.is(got[0].stateName, 'ESTABLISHED');
});

test('TIME_WAIT: a retransmitted FIN is acknowledged again and restarts the 2·MSL wait', () => {
  const h = new Harness({ mslMs: 1000 });
  const { sock, iss } = h.acceptOne(1000);
  sock.end();
  h.poll();
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  assert.is(h.one().ack, 1002);
  h.advance(1500);
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 2) + ' ack=1002 win=0 len=0');
  h.advance(1999);
  h.send({ flags: ACK, seq: 1002, ack: iss + 2 });
  assert.equal(h.poll(), [], 'still in TIME_WAIT 1999 ms after the FIN (2·MSL = 2000): nothing to say');
  h.advance(1);
  h.send({ flags: ACK, seq: 1002, ack: iss + 2 });
  assert.is(h.one().flags, RST, 'entry expired: CLOSED answers with RST');
});

test('TIME_WAIT entries hold no buffers: 100 closed connections leave at most timeWaitSlots small entries', () => {
  const h = new Harness({ timeWaitSlots: 4 });
  let s: TcpSocket | null = null;
  h.tcp.listen(80, (x: TcpSocket) => { s = x; });
  for (let i = 0; i < 100; i++) {
    h.peerPort = 30000 + i;
    h.send({ flags: SYN, seq: 1000 });
    const sa = h.one();
    h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
    h.poll();
    (s as unknown as TcpSocket).end();
    h.poll();
    h.send({ flags: FIN | ACK, seq: 1001, ack: sa.seq + 2 });
    h.poll();
  }
  assert.is(h.tcp.sockets.length, 0);
  assert.is(h.tcp.counters.timeWaitReclaimed, 96);
});

test.run();
