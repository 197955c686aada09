import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK, SYN, PEER } from './harness';
import { TcpSocket, F_SACK_OK } from '../../tcp/tcp/socket';

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 65 + (i % 26);
  return b;
}

test('RFC 7323: passive open answers window scale only when the SYN offered it', () => {
  const h = new Harness({ rxBytes: 200000 });
  h.tcp.listen(80);
  h.send({ flags: SYN, seq: 1000, srcPort: 1 });
  const plain = h.one();
  assert.is(plain.windowScale, -1);
  assert.is(plain.window, 65535, 'SYN window unscaled, capped at 65535');
  h.send({ flags: SYN, seq: 1000, srcPort: 2, ws: 7 });
  const scaled = h.one();
  assert.is(scaled.windowScale, 2, '200000 bytes need a shift of 2');
  assert.is(scaled.window, 65535);
});

test('RFC 7323: with scaling in force, our window field is shifted, and the peer window is scaled', () => {
  const h = new Harness({ rxBytes: 200000, txBytes: 65536, maxBurst: 64 });
  let sock: TcpSocket | null = null;
  h.tcp.listen(80, (s: TcpSocket) => { sock = s; });
  h.send({ flags: SYN, seq: 1000, ws: 7, mss: 1000, win: 100 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, win: 100 }); // 100 << 7 = 12800 bytes
  const s = sock as unknown as TcpSocket;
  assert.is(s.sndWnd, 12800);
  s.setNoDelay(true);
  s.cwnd = 1 << 20;
  s.write(pattern(20000));
  const segs = h.poll();
  // 12 full segments fit in the 12800-byte window; the 800-byte rest waits (sender SWS avoidance:
  // less than a segment and less than half the largest window).
  assert.is(segs.reduce((n, x) => n + x.data.length, 0), 12000);
  assert.ok(segs.every((x) => x.data.length === 1000));
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, win: 100, data: 'x' });
  const a = h.poll().pop()!;
  assert.is(a.window, (200000 - 1 - ((200000 - 1) & 3)) >> 2, 'free space >> 2');
});

test('RFC 7323: active open offers scaling and SACK; a SYN|ACK without them turns both off', () => {
  const h = new Harness({ rxBytes: 200000 });
  const sock = h.tcp.connect(PEER, 8080, { rxBytes: 200000 });
  const syn = h.one();
  assert.is(syn.windowScale, 2);
  assert.ok(syn.sackPermitted);
  h.ourPort = syn.srcPort; h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 100, ack: syn.seq + 1, win: 1000 });
  h.poll();
  assert.is(sock.sndShift, 0);
  assert.is(sock.rcvShift, 0);
  assert.not.ok(sock.has(F_SACK_OK));
  h.send({ flags: ACK, seq: 101, ack: syn.seq + 1, data: 'x' });
  assert.is(h.poll()[0].window, 65534, 'unscaled (capped at 65535); the right edge stays put for 1 byte (SWS)');
});

test('RFC 2018: duplicate ACKs carry SACK blocks for held data, the most recent block first', () => {
  const h = new Harness({ rxBytes: 8192 });
  let sock: TcpSocket | null = null;
  h.tcp.listen(80, (s: TcpSocket) => { sock = s; }, { rxBytes: 8192 });
  h.send({ flags: SYN, seq: 1000, sackPermitted: true });
  const sa = h.one();
  assert.ok(sa.sackPermitted, 'SACK-permitted answered');
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1 });
  assert.ok((sock as unknown as TcpSocket).has(F_SACK_OK));
  h.send({ flags: ACK, seq: 1101, ack: sa.seq + 1, data: pattern(100) });
  const a1 = h.one();
  assert.is(a1.ack, 1001);
  assert.equal(a1.sack, [1101, 1201]);
  h.send({ flags: ACK, seq: 1301, ack: sa.seq + 1, data: pattern(100) });
  assert.equal(h.one().sack, [1301, 1401, 1101, 1201]);
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, data: pattern(100) });
  const a3 = h.one();
  assert.is(a3.ack, 1201);
  assert.equal(a3.sack, [1301, 1401]);
});

test('no SACK blocks when the peer did not permit them', () => {
  const h = new Harness();
  const { iss } = h.acceptOne(1000);
  h.send({ flags: ACK, seq: 1101, ack: iss + 1, data: pattern(100) });
  assert.equal(h.one().sack, []);
});

test.run();
