import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, ACK, SYN, FIN, RST, PEER } from './harness';

test('we close first: FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT (2×MSL) → gone', () => {
  const h = new Harness({ mslMs: 1000 });
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.end();
  assert.is(sock.stateName, 'FIN_WAIT_1');
  assert.is(describe(h.one()), 'FIN|ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0');
  h.send({ flags: ACK, seq: 1001, ack: iss + 2 });
  assert.is(sock.stateName, 'FIN_WAIT_2');
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  assert.equal(rec.events, ['end', 'close']);
  assert.is(sock.stateName, 'TIME_WAIT');
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 2) + ' ack=1002 win=0 len=0');
  // A retransmitted FIN in TIME_WAIT is acknowledged again.
  h.now += 500;
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 2) + ' ack=1002 win=0 len=0');
  assert.is(h.tcp.counters.rstSent, 0);
  // 2 MSL after the last FIN the entry is gone: a segment now gets a RST.
  h.advance(1999);
  h.send({ flags: ACK, seq: 1002, ack: iss + 2 });
  assert.equal(h.poll().length, 0);
  h.advance(1);
  h.send({ flags: ACK, seq: 1002, ack: iss + 2 });
  assert.is(describe(h.one()), 'RST seq=' + (iss + 2) + ' ack=0 win=0 len=0');
});

test('peer closes first: CLOSE_WAIT (we may still send) → LAST_ACK → CLOSED', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 1 });
  assert.is(sock.stateName, 'CLOSE_WAIT');
  assert.equal(rec.events, ['end']);
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1002 win=2047 len=0', 'the FIN took one number: the right edge stays put');
  // Half-close: we keep sending after the peer's FIN.
  sock.write('late data');
  const d = h.one();
  assert.is(describe(d), 'PSH|ACK seq=' + (iss + 1) + ' ack=1002 win=2047 len=9');
  sock.end();
  assert.is(sock.stateName, 'LAST_ACK');
  h.send({ flags: ACK, seq: 1002, ack: iss + 10 });
  assert.is(describe(h.one()), 'FIN|ACK seq=' + (iss + 10) + ' ack=1002 win=2047 len=0');
  h.send({ flags: ACK, seq: 1002, ack: iss + 11 });
  assert.is(sock.stateName, 'CLOSED');
  assert.equal(rec.events, ['end', 'close']);
  assert.is(h.tcp.sockets.length, 0);
});

test('half-close the other way: after our FIN the peer keeps sending, we receive in FIN_WAIT_2', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.end();
  h.one();
  h.send({ flags: ACK, seq: 1001, ack: iss + 2 });
  h.send({ flags: ACK, seq: 1001, ack: iss + 2, data: 'more from peer' });
  assert.is(rec.data, 'more from peer');
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 2) + ' ack=1015 win=2034 len=0', 'receiver SWS: the right edge does not move for 14 bytes');
  assert.is(sock.stateName, 'FIN_WAIT_2');
});

test('simultaneous close: FINs cross → CLOSING → TIME_WAIT', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.end();
  h.one();
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 1 }); // peer's FIN does not ack ours
  assert.is(sock.stateName, 'CLOSING');
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 2) + ' ack=1002 win=2047 len=0');
  h.send({ flags: ACK, seq: 1002, ack: iss + 2 });
  assert.is(sock.stateName, 'TIME_WAIT');
  assert.equal(rec.events, ['end', 'close']);
});

test('FIN_WAIT_1 with a FIN that also acks ours → straight to TIME_WAIT', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  sock.end();
  h.one();
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  assert.is(sock.stateName, 'TIME_WAIT');
  assert.is(h.tcp.sockets.length, 0, 'TIME_WAIT is kept compactly, not as a connection');
});

test('FIN with data: data delivered, then end; ack covers data + FIN', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  h.send({ flags: FIN | ACK | 0x08, seq: 1001, ack: iss + 1, data: 'bye' });
  assert.is(rec.data, 'bye');
  assert.equal(rec.events, ['end']);
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1005 win=2044 len=0');
});

test('FIN out of order: held until the gap fills, then end', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  h.send({ flags: FIN | ACK, seq: 1004, ack: iss + 1, data: 'def' });
  assert.is(sock.stateName, 'ESTABLISHED');
  assert.equal(rec.events, []);
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0', 'duplicate ACK for the gap');
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: 'abc' });
  assert.is(rec.data, 'abcdef');
  assert.equal(rec.events, ['end']);
  assert.is(sock.stateName, 'CLOSE_WAIT');
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1008 win=2041 len=0');
});

test('end() after pending data: FIN follows the last byte; FIN is retransmitted until acked', () => {
  const h = new Harness({ initialRtoMs: 1000 });
  const { sock, iss } = h.acceptOne(1000);
  sock.end('data');
  assert.is(describe(h.one()), 'FIN|PSH|ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=4');
  h.send({ flags: ACK, seq: 1001, ack: iss + 5 }); // data acked, FIN not
  assert.is(sock.stateName, 'FIN_WAIT_1');
  const re = h.advance(1000);
  assert.is(re.map(describe).join(';'), 'FIN|ACK seq=' + (iss + 5) + ' ack=1001 win=2048 len=0');
  h.send({ flags: ACK, seq: 1001, ack: iss + 6 });
  assert.is(sock.stateName, 'FIN_WAIT_2');
});

test('write after end → EPIPE', () => {
  const h = new Harness();
  const { sock } = h.acceptOne(1000);
  const rec = record(sock);
  sock.end();
  assert.is(sock.write('x'), false);
  assert.equal(rec.events, ['error:EPIPE']);
});

test('destroy() sends RST and closes at once', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.destroy();
  assert.equal(rec.events, ['close']);
  assert.is(describe(h.one()), 'RST seq=' + (iss + 1) + ' ack=0 win=0 len=0');
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: 'x' });
  assert.is(describe(h.one()), 'RST seq=' + (iss + 1) + ' ack=0 win=0 len=0');
});

test('TIME_WAIT: a new SYN above the old sequence numbers reopens the 4-tuple', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  sock.end();
  h.one();
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  h.poll();
  h.send({ flags: SYN, seq: 50000 });
  const sa = h.one();
  assert.is(describe(sa), 'SYN|ACK seq=' + sa.seq + ' ack=50001 win=2048 len=0 mss=1460');
});

test('TIME_WAIT entries are bounded: the oldest is reclaimed', () => {
  const h = new Harness({ timeWaitSlots: 2 });
  h.tcp.listen(80);
  for (let i = 0; i < 3; i++) {
    h.peerPort = 41000 + i;
    h.send({ flags: SYN, seq: 1000 });
    const sa = h.one();
    h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
    const s = h.tcp.sockets[0];
    s.end();
    h.poll();
    h.send({ flags: FIN | ACK, seq: 1001, ack: sa.seq + 2 });
    assert.is(s.stateName, 'TIME_WAIT');
    h.poll();
    h.now += 10;
  }
  assert.is(h.tcp.counters.timeWaitReclaimed, 1);
  assert.is(h.tcp.sockets.length, 0);
  void RST; void SYN;
});

test('end() while SYN_SENT: the FIN follows the handshake and the data', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  sock.write('early');
  sock.end();
  const syn = h.one();
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 100, ack: syn.seq + 1 });
  assert.is(sock.stateName, 'FIN_WAIT_1');
  assert.is(describe(h.one()), 'FIN|PSH|ACK seq=' + (syn.seq + 1) + ' ack=101 win=2048 len=5');
});

test('end() while SYN_RECEIVED (simultaneous open): FIN_WAIT_1 once established', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  const syn = h.one();
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN, seq: 100 });
  assert.is(sock.stateName, 'SYN_RECEIVED');
  sock.end();
  h.poll();
  h.send({ flags: ACK, seq: 101, ack: syn.seq + 1 });
  assert.is(sock.stateName, 'FIN_WAIT_1');
  assert.is(describe(h.one()), 'FIN|ACK seq=' + (syn.seq + 1) + ' ack=101 win=2048 len=0');
});

test('a server closed while a connection was half-open resets it when it completes', () => {
  const h = new Harness();
  const l = h.tcp.listen(80, () => { throw new Error('no connection expected'); });
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  l.close();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.is(describe(h.one()), 'RST seq=' + (sa.seq + 1) + ' ack=0 win=0 len=0');
});

test.run();
