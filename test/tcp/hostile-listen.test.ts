// What a listener does with a flood that spans several ports, with peers it cannot reach, and with the
// odd SYNs scanners send (issue: floods on several ports must not stop service).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK, SYN, FIN, describe } from './harness';
import { TcpSocket } from '../../tcp/tcp/socket';
import { TCP_DEFAULTS } from '../../tcp/tcp/config';

/** `n` SYNs to `port` from peers that never answer. */
function halfOpen(h: Harness, port: number, n: number, base: number): void {
  for (let i = 0; i < n; i++) h.send({ flags: SYN, seq: 77 + i, srcPort: 20000 + i, dstPort: port, src: base + i });
  h.poll();
}

test('a flood on two ports fills the table with half-open entries: a new peer still gets a SYN|ACK and is served', () => {
  // The default configuration: 8 connections, a backlog of 4 per listener.
  const h = new Harness();
  const served: number[] = [];
  h.tcp.listen(80, (s: TcpSocket) => { served.push(80); s.on('data', () => s.end('ok')); });
  h.tcp.listen(7, (s: TcpSocket) => { served.push(7); s.on('data', (d: Uint8Array) => s.write(d)); });
  halfOpen(h, 80, TCP_DEFAULTS.backlog, 0x0b000001);
  halfOpen(h, 7, TCP_DEFAULTS.backlog, 0x0b000101);
  assert.is(h.tcp.sockets.length, TCP_DEFAULTS.maxConnections, 'the table is full of half-open entries');
  for (const port of [80, 7]) {
    h.ourPort = port;
    h.peerPort = 41000 + port;
    h.send({ flags: SYN, seq: 1000 });
    const sa = h.one();
    assert.is(sa.flags, SYN | ACK, 'a SYN|ACK (a cookie) for a new peer to :' + port);
    h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, data: 'hi' });
    assert.is(h.poll().filter((x) => x.data.length > 0).length, 1, 'and its request is answered on :' + port);
  }
  assert.equal(served, [80, 7]);
  assert.is(h.tcp.counters.synDropped, 0);
  assert.is(h.tcp.counters.evicted, 2);
  assert.ok(h.tcp.counters.synCookiesSent >= 2);
});

test('a half-open connection whose SYN|ACK cannot leave (no route, ARP queue full) ends at once', () => {
  const h = new Harness();
  h.tcp.listen(80);
  h.ip.route = false;
  h.send({ flags: SYN, seq: 1000 });
  assert.equal(h.poll(), []);
  assert.is(h.tcp.sockets.length, 0);
  assert.is(h.tcp.listeners[0].halfOpen, 0);
  assert.is(h.tcp.counters.halfOpenUnreachable, 1);
});

test('a half-open connection ends on host unreachable (our ARP gave up), not after a minute of SYN retries', () => {
  const h = new Harness();
  h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  const quoted = new Uint8Array(8);
  quoted[0] = 0; quoted[1] = 80; quoted[2] = 40000 >> 8; quoted[3] = 40000 & 255;
  new DataView(quoted.buffer).setUint32(4, sa.seq);
  h.tcp.unreachable(sa.dst, 1, quoted, 0, 8);
  assert.is(h.tcp.sockets.length, 0);
  assert.is(h.tcp.listeners[0].halfOpen, 0);
  assert.is(h.tcp.counters.halfOpenUnreachable, 1);
});

test('LISTEN drops SYN+FIN (a scanner\'s probe; Linux drops it too) and keeps the data of a SYN (RFC 9293 §3.10.7.2)', () => {
  const h = new Harness();
  let got = '';
  h.tcp.listen(80, (s: TcpSocket) => { s.on('data', (d: Uint8Array) => { got += String.fromCharCode(...d); }); });
  h.send({ flags: SYN | FIN, seq: 1000 });
  assert.equal(h.poll(), []);
  assert.is(h.tcp.counters.synFinDropped, 1);
  assert.is(h.tcp.sockets.length, 0);
  h.send({ flags: SYN, seq: 2000, data: 'early' });
  const sa = h.one();
  assert.is(describe(sa).split(' ')[0], 'SYN|ACK');
  assert.is(sa.ack, 2006, 'the SYN\'s data is acknowledged');
  h.send({ flags: ACK, seq: 2006, ack: sa.seq + 1 });
  assert.is(got, 'early');
});

test('a connection the application marked evictable, quiet for evictQuietMs, gives its slot to a peer that completed a handshake; the quietest goes first', () => {
  const h = new Harness({ maxConnections: 3, backlog: 1 });
  const socks: TcpSocket[] = [];
  const errors: string[] = [];
  h.tcp.listen(80, (s: TcpSocket) => { socks.push(s); s.on('error', (e: Error) => errors.push(s.remotePort + ' ' + e.message)); });
  for (let i = 0; i < 3; i++) {
    h.peerPort = 40000 + i;
    h.send({ flags: SYN, seq: 1000 });
    const sa = h.one();
    h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
    h.now += 100;
  }
  assert.is(socks.length, 3);
  socks[0].setEvictable('never'); // quiet longest, but never to be ended
  socks[1].setEvictable('quiet'); // quiet since t=100
  socks[2].setEvictable('quiet'); // quiet since t=200
  h.poll();
  // Within evictQuietMs of their last segment nobody may go: the new peer's ACK is dropped.
  h.peerPort = 40009;
  h.send({ flags: SYN, seq: 4000 });
  const early = h.one();
  h.send({ flags: ACK, seq: 4001, ack: early.seq + 1 });
  assert.equal(h.poll(), []);
  assert.is(h.tcp.counters.synDropped, 1);
  assert.equal(errors, []);
  h.now += TCP_DEFAULTS.evictQuietMs;
  h.peerPort = 40010;
  h.send({ flags: SYN, seq: 5000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 5001, ack: sa.seq + 1 });
  const out = h.poll();
  assert.equal(errors, ['40001 ECONNABORTED'], 'the quietest evictable connection went');
  assert.ok(out.some((x) => x.dstPort === 40001 && (x.flags & 4) !== 0), 'with a RST to its peer');
  assert.is(socks.length, 4);
  assert.is(socks[0].stateName, 'ESTABLISHED');
  assert.is(socks[2].stateName, 'ESTABLISHED');
  assert.is(h.tcp.counters.evicted, 1);
});

test('an \'idle\' connection gives its slot at once, before a \'quiet\' one that has been quiet longer', () => {
  const h = new Harness({ maxConnections: 2, backlog: 1 });
  const socks: TcpSocket[] = [];
  h.tcp.listen(80, (s: TcpSocket) => { socks.push(s); s.on('error', () => undefined); });
  for (let i = 0; i < 2; i++) {
    h.peerPort = 40000 + i;
    h.send({ flags: SYN, seq: 1000 });
    const sa = h.one();
    h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
    h.now += TCP_DEFAULTS.evictQuietMs;
  }
  socks[0].setEvictable('quiet');
  socks[1].setEvictable('idle'); // its last segment came just now
  h.peerPort = 40010;
  h.send({ flags: SYN, seq: 5000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 5001, ack: sa.seq + 1 });
  assert.is(socks[1].stateName, 'CLOSED');
  assert.is(socks[0].stateName, 'ESTABLISHED');
  assert.is(socks.length, 3);
});

test('spoofed SYNs alone never end a working or evictable connection', () => {
  const h = new Harness({ maxConnections: 1, backlog: 1 });
  const { sock } = h.acceptOne(500);
  sock.setEvictable('idle');
  for (let i = 0; i < 50; i++) h.send({ flags: SYN, seq: 9000 + i, srcPort: 30000 + i, src: 0x0c000001 + i });
  h.poll();
  assert.is(sock.stateName, 'ESTABLISHED');
  assert.is(h.tcp.counters.evicted, 0);
});

test.run();
