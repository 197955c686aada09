import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, ACK, SYN, RST, FIN, PEER } from './harness';
import { TcpSocket } from '../../tcp/tcp/socket';

test('passive open: peer SYN seq=x → we answer SYN|ACK ack=x+1 with our MSS and window; ACK → ESTABLISHED', () => {
  const h = new Harness({ rxBytes: 4096 });
  let got: TcpSocket | null = null;
  h.tcp.listen(80, (s: TcpSocket) => { got = s; });
  h.send({ flags: SYN, seq: 1000, mss: 1460 });
  const sa = h.one();
  assert.is(describe(sa), 'SYN|ACK seq=' + sa.seq + ' ack=1001 win=4096 len=0 mss=1460');
  assert.is(got, null, 'not announced while half-open');
  assert.is(h.tcp.sockets[0].stateName, 'SYN_RECEIVED');
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.ok(got);
  assert.is((got as unknown as TcpSocket).stateName, 'ESTABLISHED');
  assert.is((got as unknown as TcpSocket).remoteAddress, '10.0.0.2');
  assert.is((got as unknown as TcpSocket).remotePort, 40000);
  assert.equal(h.poll(), [], 'nothing owed after the handshake');
});

test('active open: SYN with MSS, peer SYN|ACK → we ACK, emit connect', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  const rec = record(sock);
  const syn = h.one();
  assert.is(describe(syn), 'SYN seq=' + syn.seq + ' ack=0 win=2048 len=0 mss=1460');
  assert.ok(syn.srcPort >= 49152 && syn.srcPort <= 65535, 'ephemeral port');
  assert.is(sock.stateName, 'SYN_SENT');
  h.ourPort = syn.srcPort;
  h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 7000, ack: syn.seq + 1, mss: 1000 });
  assert.equal(rec.events, ['connect']);
  assert.is(sock.stateName, 'ESTABLISHED');
  assert.is(sock.sndMss, 1000, 'peer MSS honoured');
  assert.is(describe(h.one()), 'ACK seq=' + (syn.seq + 1) + ' ack=7001 win=2048 len=0');
});

test('SYN|ACK acking something else → RST <SEQ=SEG.ACK>, stays SYN_SENT', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  const syn = h.one();
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 7000, ack: syn.seq + 5 });
  assert.is(describe(h.one()), 'RST seq=' + (syn.seq + 5) + ' ack=0 win=0 len=0');
  assert.is(sock.stateName, 'SYN_SENT');
});

test('RST|ACK in SYN_SENT → ECONNREFUSED and close', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  const rec = record(sock);
  const syn = h.one();
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: RST, seq: 0, ack: syn.seq + 1 }); // no ACK bit: ignored
  assert.equal(rec.events, []);
  h.send({ flags: RST | ACK, seq: 0, ack: syn.seq + 1 });
  assert.equal(rec.events, ['error:ECONNREFUSED', 'close:error']);
  assert.is(h.tcp.sockets.length, 0);
});

test('simultaneous open: SYN crosses SYN → SYN_RECEIVED, SYN|ACK, then ESTABLISHED', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 8080);
  const rec = record(sock);
  const syn = h.one();
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN, seq: 9000, mss: 1200 });
  assert.is(sock.stateName, 'SYN_RECEIVED');
  const sa = h.one();
  assert.is(describe(sa), 'SYN|ACK seq=' + syn.seq + ' ack=9001 win=2048 len=0 mss=1460');
  h.send({ flags: SYN | ACK, seq: 9000, ack: syn.seq + 1 }); // the peer's SYN|ACK: old SYN → ACK
  h.send({ flags: ACK, seq: 9001, ack: syn.seq + 1 });
  assert.is(sock.stateName, 'ESTABLISHED');
  assert.equal(rec.events, ['connect']);
});

test('retransmitted SYN in SYN_RECEIVED → the same SYN|ACK again, one connection', () => {
  const h = new Harness();
  h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000 });
  const a = h.one();
  h.send({ flags: SYN, seq: 1000 });
  const b = h.one();
  assert.is(describe(b), describe(a));
  assert.is(h.tcp.sockets.length, 1);
});

test('SYN|ACK is retransmitted with backoff; after synRetries the half-open entry is dropped silently', () => {
  const h = new Harness({ synRetries: 2, initialRtoMs: 1000 });
  const l = h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000 });
  const first = h.one();
  assert.equal(h.advance(999), []);
  assert.is(describe(h.advance(1)[0]), describe(first));
  assert.equal(h.advance(1999), []);
  assert.is(describe(h.advance(1)[0]), describe(first));
  assert.equal(h.advance(4000), []);
  assert.is(h.tcp.sockets.length, 0);
  assert.is(l.halfOpen, 0);
});

test('SYN retransmits in SYN_SENT, then ETIMEDOUT', () => {
  const h = new Harness({ synRetries: 3, initialRtoMs: 1000 });
  const sock = h.tcp.connect(PEER, 8080);
  const rec = record(sock);
  const syn = h.one();
  const times: number[] = [];
  for (let t = 0; t < 20000; t += 100) {
    const out = h.advance(100);
    for (const s of out) { assert.is(describe(s), describe(syn)); times.push(h.now); }
  }
  assert.equal(times, [1000, 3000, 7000]);
  assert.equal(rec.events, ['error:ETIMEDOUT', 'close:error']);
});

test('SYN carrying data: data kept, acknowledged with the SYN|ACK, delivered once established', () => {
  const h = new Harness();
  let got = '';
  h.tcp.listen(80, (s: TcpSocket) => { s.on('data', (c: Uint8Array) => { got += String.fromCharCode(...c); }); });
  h.send({ flags: SYN, seq: 1000, data: 'hello' });
  const sa = h.one();
  assert.is(sa.ack, 1006);
  h.send({ flags: ACK, seq: 1006, ack: sa.seq + 1 });
  assert.is(got, 'hello');
});

test('segment to a closed port: RST|ACK ack=seq+len for non-ACK, RST seq=ack for ACK, nothing for RST', () => {
  const h = new Harness();
  h.send({ flags: SYN, seq: 100, dstPort: 81 });
  assert.is(describe(h.one()), 'RST|ACK seq=0 ack=101 win=0 len=0');
  h.send({ flags: ACK, seq: 100, ack: 555, dstPort: 81, data: 'xy' });
  assert.is(describe(h.one()), 'RST seq=555 ack=0 win=0 len=0');
  h.send({ flags: RST, seq: 100, dstPort: 81 });
  assert.equal(h.poll(), []);
  h.send({ flags: FIN, seq: 100, dstPort: 81, data: 'abc' });
  assert.is(describe(h.one()), 'RST|ACK seq=0 ack=104 win=0 len=0');
});

test('LISTEN: ACK → RST, RST ignored', () => {
  const h = new Harness();
  h.tcp.listen(80);
  h.send({ flags: ACK, seq: 1, ack: 77 });
  assert.is(describe(h.one()), 'RST seq=77 ack=0 win=0 len=0');
  h.send({ flags: RST, seq: 1 });
  assert.equal(h.poll(), []);
});

test('RST in SYN_RECEIVED (passive) returns to LISTEN: entry gone, listener keeps accepting', () => {
  const h = new Harness();
  const l = h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000 });
  h.one();
  h.send({ flags: RST, seq: 1001 });
  assert.is(h.tcp.sockets.length, 0);
  assert.is(l.halfOpen, 0);
  h.send({ flags: SYN, seq: 2000 });
  assert.is(h.one().ack, 2001);
});

test('ACK of a wrong number in SYN_RECEIVED → RST <SEQ=SEG.ACK>', () => {
  const h = new Harness();
  h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 100 });
  assert.is(describe(h.one()), 'RST seq=' + (sa.seq + 100) + ' ack=0 win=0 len=0');
});

test('backlog bounds half-open connections; without SYN cookies extra SYNs are dropped and counted', () => {
  const h = new Harness({ backlog: 2, synCookies: false });
  h.tcp.listen(80);
  for (let i = 0; i < 5; i++) h.send({ flags: SYN, seq: 1000 * i, srcPort: 30000 + i });
  assert.is(h.poll().length, 2);
  assert.is(h.tcp.counters.synDropped, 3);
});

test('accept queue: without a connection handler, established sockets wait for accept() (bounded)', () => {
  const h = new Harness({ backlog: 1 });
  const l = h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000, srcPort: 30001 });
  const a = h.one();
  h.send({ flags: ACK, seq: 1001, ack: a.seq + 1, srcPort: 30001 });
  h.send({ flags: SYN, seq: 5000, srcPort: 30002 });
  const b = h.one();
  h.send({ flags: ACK, seq: 5001, ack: b.seq + 1, srcPort: 30002 });
  assert.is(h.tcp.counters.acceptOverflow, 1);
  assert.is(describe(h.one()), 'RST seq=' + (b.seq + 1) + ' ack=0 win=0 len=0');
  const s = l.accept();
  assert.ok(s);
  assert.is((s as TcpSocket).remotePort, 30001);
  assert.is(l.accept(), null);
});

test('ISNs differ per connection and per 4-tuple', () => {
  const h = new Harness();
  const isns = new Set<number>();
  for (let i = 0; i < 8; i++) {
    h.tcp.connect(PEER, 8000 + i);
  }
  for (const s of h.poll()) isns.add(s.seq);
  assert.is(isns.size, 8);
});

test.run();
