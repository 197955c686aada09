import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, ACK, SYN, FIN, RST } from './harness';
import { TcpSocket } from '../../tcp/tcp/socket';
import { SeededRandom } from '../../hal/sim/random';

function fill(h: Harness, n: number): void {
  for (let i = 0; i < n; i++) h.send({ flags: SYN, seq: 77 + i, srcPort: 20000 + i, src: 0x0b000001 + i });
  h.poll();
}

test('backlog full: SYN|ACK with a cookie, no state; the returning ACK creates the connection', () => {
  const h = new Harness({ backlog: 2 });
  const got: TcpSocket[] = [];
  let data = '';
  h.tcp.listen(80, (s: TcpSocket) => { got.push(s); s.on('data', (d: Uint8Array) => { data += String.fromCharCode(...d); }); });
  fill(h, 2);
  const before = h.tcp.sockets.length;
  h.send({ flags: SYN, seq: 1000, mss: 1300 });
  const sa = h.one();
  assert.is(describe(sa), 'SYN|ACK seq=' + sa.seq + ' ack=1001 win=2048 len=0 mss=1460'); // our own MSS (MTU − 40)
  assert.is(h.tcp.sockets.length, before, 'no state kept');
  assert.is(h.tcp.counters.synCookiesSent, 1);
  h.send({ flags: ACK | 0x08, seq: 1001, ack: sa.seq + 1, data: 'GET /' });
  assert.is(got.length, 1);
  assert.is(got[0].stateName, 'ESTABLISHED');
  assert.is(got[0].sndMss, 1200, 'MSS from the cookie');
  assert.is(data, 'GET /');
  assert.is(h.one().ack, 1006);
  assert.is(h.tcp.counters.synCookiesValid, 1);
});

test('while cookies are in use, an ACK that does not check is dropped (not reset); later, RST again', () => {
  const h = new Harness({ backlog: 1 });
  h.tcp.listen(80);
  fill(h, 1);
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 2 }); // forged cookie
  h.send({ flags: ACK, seq: 1500, ack: sa.seq + 1, data: 'later segment' }); // SEQ-1 is not the ISN
  assert.equal(h.poll().filter((x) => x.dstPort === 40000), []);
  assert.is(h.tcp.counters.synCookiesInvalid, 2);
  assert.is(h.tcp.counters.synCookiesValid, 0);
  // The peer resends from ISN+1: that one checks.
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, data: 'first segment' });
  assert.is(h.tcp.counters.synCookiesValid, 1);
  h.now += 200000; // two key periods later: a stale cookie, and cookies no longer in use → RST
  h.peerPort = 40001;
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.equal(h.poll().filter((x) => x.dstPort === 40001).map((x) => x.flags), [RST]);
});

test('every slot half-open: a cookie still answers, and its ACK takes the oldest half-open slot', () => {
  const h = new Harness({ backlog: 1, maxConnections: 1 });
  let got: TcpSocket | null = null;
  h.tcp.listen(80, (s: TcpSocket) => { got = s; });
  fill(h, 1);
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  assert.is(sa.flags, SYN | ACK);
  assert.is(h.tcp.counters.synCookiesSent, 1);
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.ok(got !== null, 'the peer that completed the handshake is served');
  assert.is(h.tcp.counters.evicted, 1, 'the half-open entry gave way');
  assert.is(h.tcp.sockets.length, 1);
  assert.is(h.tcp.listeners[0].halfOpen, 0);
});

test('every slot working: the cookie\'s ACK finds no room and is dropped (nothing working is ended)', () => {
  const h = new Harness({ backlog: 1, maxConnections: 1 });
  const { sock } = h.acceptOne(500);
  h.peerPort = 40001;
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.equal(h.poll(), []);
  assert.is(h.tcp.counters.synDropped, 1);
  assert.is(h.tcp.counters.evicted, 0);
  assert.is(sock.stateName, 'ESTABLISHED');
});

test('without cookies, a full table gives its oldest half-open slot to a new SYN', () => {
  const h = new Harness({ backlog: 4, maxConnections: 2, synCookies: false });
  h.tcp.listen(80);
  fill(h, 2);
  h.send({ flags: SYN, seq: 1000 });
  const out = h.poll();
  assert.equal(out.map((x) => x.flags), [SYN | ACK]);
  assert.is(out[0].dstPort, 40000);
  assert.is(h.tcp.counters.evicted, 1);
  assert.is(h.tcp.sockets.length, 2);
});

test('flood: 10,000 SYNs from random sources while a client completes 100 requests; memory bounded', () => {
  const h = new Harness({ backlog: 4, maxConnections: 8 });
  const rnd = new SeededRandom(99);
  let served = 0;
  h.tcp.listen(80, (s: TcpSocket) => {
    s.on('data', () => { s.end('HTTP/1.0 200 OK\r\n\r\nhello'); served++; });
  });
  let completed = 0;
  let maxSockets = 0;
  for (let req = 0; req < 100; req++) {
    for (let k = 0; k < 100; k++) {
      h.send({ flags: SYN, seq: rnd.nextU32(), srcPort: 1024 + rnd.nextInt(60000), src: (0x0c000000 + rnd.nextInt(1 << 24)) >>> 0 });
      if (k % 8 === 7) h.poll();
      h.now += 1;
      maxSockets = Math.max(maxSockets, h.tcp.sockets.length);
    }
    h.poll();
    // The legitimate client: handshake, request, response, close.
    h.peerPort = 30000 + req;
    h.send({ flags: SYN, seq: 5000, mss: 1460 });
    const sa = h.poll().filter((x) => x.dstPort === h.peerPort)[0];
    assert.ok(sa && sa.flags === (SYN | ACK), 'request ' + req + ' got a SYN|ACK');
    h.send({ flags: ACK, seq: 5001, ack: sa.seq + 1, data: 'GET / HTTP/1.0\r\n\r\n' });
    const resp = h.poll().filter((x) => x.dstPort === h.peerPort);
    const body = resp.map((x) => String.fromCharCode(...x.data)).join('');
    if (body.indexOf('hello') >= 0 && resp.some((x) => (x.flags & FIN) !== 0)) completed++;
    const fin = resp.find((x) => (x.flags & FIN) !== 0);
    if (!fin) throw new Error('request ' + req + ': ' + resp.map(describe).join(' ; ') + ' sockets ' + h.tcp.sockets.map((x) => x.stateName).join());
    h.send({ flags: FIN | ACK, seq: 5001 + 18, ack: fin.seq + fin.data.length + 1 });
    h.poll();
    maxSockets = Math.max(maxSockets, h.tcp.sockets.length);
  }
  assert.is(completed, 100);
  assert.is(served, 100);
  assert.ok(maxSockets <= 8, 'connections bounded: ' + maxSockets);
  assert.ok(h.tcp.counters.synCookiesSent >= 9000);
  assert.ok(h.tcp.counters.timeWaitReclaimed > 0 || h.tcp.config.timeWaitSlots >= 100);
});

test.run();
