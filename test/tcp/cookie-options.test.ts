// SYN cookies: the SYN|ACK carries the listener's own window and our own MSS; the connection made from
// the returning ACK uses the listener's buffers and never more than the peer's MSS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK, SYN } from './harness';
import { TcpSocket } from '../../tcp/tcp/socket';

/** A listener with `rxBytes`/`txBytes` whose backlog of 1 is already full, so the next SYN gets a cookie. */
function cookieListener(h: Harness, rxBytes: number, txBytes: number, got: TcpSocket[]): void {
  h.tcp.listen(80, (s: TcpSocket) => { got.push(s); }, { rxBytes, txBytes, backlog: 1 });
  h.send({ flags: SYN, seq: 77, srcPort: 20000, src: 0x0b000001 });
  h.poll();
}

test('cookie SYN|ACK advertises the listener receive buffer; the connection uses the listener buffers', () => {
  const h = new Harness();
  const got: TcpSocket[] = [];
  cookieListener(h, 512, 700, got);
  h.send({ flags: SYN, seq: 1000, mss: 1460 });
  const sa = h.one();
  assert.is(h.tcp.counters.synCookiesSent, 1);
  assert.is(sa.window, 512, 'window of the listener, not the default 2048');
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.is(got.length, 1);
  const s = got[0];
  assert.is(s.rx.buf.length, 512);
  assert.is(s.tx.buf.length, 700);
  assert.is((s.rcvAdv - s.rcvNxt) | 0, 512, 'right edge as advertised in the SYN|ACK');
  // The peer may send exactly the 512 advertised: all accepted.
  const data = new Uint8Array(512).fill(65);
  let n = 0;
  s.on('data', (d: Uint8Array) => { n += d.length; });
  s.pause();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, data });
  const ack = h.poll().filter((x) => x.dstPort === 40000);
  assert.is(ack[ack.length - 1].ack, 1001 + 512);
  assert.is(ack[ack.length - 1].window, 0, 'buffer full');
  s.resume();
  assert.is(n, 512);
});

test('cookie SYN|ACK announces our own MSS, not the peer rounded down', () => {
  const h = new Harness();
  cookieListener(h, 2048, 2048, []);
  h.send({ flags: SYN, seq: 1000, mss: 1300 });
  const sa = h.one();
  assert.is(h.tcp.counters.synCookiesSent, 1);
  assert.is(sa.mss, 1460, 'MTU 1500 - 40');
  h.ip.mtu = 1000;
  h.poll();
  h.peerPort = 40001;
  h.send({ flags: SYN, seq: 3000, mss: 536 });
  const sa2 = h.one();
  assert.is(sa2.mss, 960, 'follows our MTU, independent of the peer');
});

test('cookie: a peer MSS below the old smallest table entry (216) is never exceeded', () => {
  const h = new Harness();
  const got: TcpSocket[] = [];
  cookieListener(h, 2048, 4096, got);
  h.send({ flags: SYN, seq: 1000, mss: 100 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.is(got.length, 1);
  assert.ok(got[0].sndMss <= 100, 'sndMss ' + got[0].sndMss);
  got[0].write(new Uint8Array(1000));
  const out = h.poll().filter((x) => x.dstPort === 40000 && x.data.length > 0);
  assert.ok(out.length > 0);
  for (const x of out) assert.ok(x.data.length <= 100, 'segment of ' + x.data.length);
});

test('cookie: each common MSS maps to a table value no larger than it', () => {
  for (const m of [64, 100, 216, 300, 536, 1000, 1220, 1300, 1380, 1452, 1460]) {
    const h = new Harness();
    const got: TcpSocket[] = [];
    cookieListener(h, 2048, 2048, got);
    h.send({ flags: SYN, seq: 1000, mss: m });
    const sa = h.one();
    h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
    assert.is(got.length, 1, 'mss ' + m);
    assert.ok(got[0].sndMss <= m && got[0].sndMss >= 64, m + ' -> ' + got[0].sndMss);
  }
});

test('normal handshake: the exact peer MSS is honoured, even a small one', () => {
  const h = new Harness({ txBytes: 4096 });
  const { sock } = h.acceptOne(1000, { mss: 100 });
  assert.is(sock.sndMss, 100);
  sock.setNoDelay(true);
  sock.write(new Uint8Array(1000));
  const out = h.poll().filter((x) => x.data.length > 0);
  assert.ok(out.length > 0);
  for (const x of out) assert.is(x.data.length, 100);
});

test('normal handshake: an absurd MSS (1..63) is raised only to the documented floor of 64', () => {
  const h = new Harness();
  const { sock } = h.acceptOne(1000, { mss: 8 });
  assert.is(sock.sndMss, 64);
});

test.run();
