// Memory (issue 8): what a connection does not need while in order and idle is not held. The
// out-of-order state, the SACK scoreboard and the writes held beyond the send ring are made when first
// needed and let go once they are not; an idle established connection holds none of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, record, text, ACK, SYN, PEER } from './harness';
import { TcpSocket, F_SACK_OK } from '../../tcp/tcp/socket';
import { makePair, B_ADDR } from '../../tools/model/pair';

function pattern(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + ((start + i) % 26);
  return b;
}

function lazyParts(s: TcpSocket): { ooo: unknown; sacked: unknown; pending: unknown } {
  return { ooo: s.ooo, sacked: s.sacked, pending: s.pending };
}

test('an established connection that exchanged data in order holds no out-of-order state, scoreboard or held writes', () => {
  const h = new Harness({ rxBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  const rec = record(sock);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(300) });
  sock.write(pattern(200));
  const out = h.poll();
  assert.ok(out.some((s) => s.data.length === 200), 'our data went out');
  h.send({ flags: ACK, seq: 1301, ack: iss + 201 });
  h.advance(10);
  assert.is(rec.data, text(pattern(300)));
  assert.equal(lazyParts(sock), { ooo: null, sacked: null, pending: null });
  assert.is(sock.ka, null, 'no keep-alive state unless asked for');
  sock.setKeepAlive(true, 5000);
  assert.equal(sock.ka, { idle: 5000, probes: 0, next: 0 });
  sock.setKeepAlive(false);
  assert.is(sock.ka, null);
});

test('out-of-order state: made on the first segment beyond RCV.NXT, kept while a hole is open, dropped when it fills', () => {
  const h = new Harness({ rxBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  const rec = record(sock);
  const d = pattern(600);
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: d.subarray(0, 100) });
  h.poll();
  assert.is(sock.ooo, null, 'in order: nothing made');
  h.send({ flags: ACK, seq: 1301, ack: iss + 1, data: d.subarray(300, 400) });
  assert.ok(sock.ooo !== null, 'made by the out-of-order segment');
  assert.equal(sock.ooo!.r, [1301, 1401], 'one range held');
  const dup = h.poll();
  assert.equal(dup.map((s) => s.ack), [1101], 'its duplicate ACK went out');
  assert.ok(sock.ooo !== null, 'kept while the hole is open');
  h.send({ flags: ACK, seq: 1501, ack: iss + 1, data: d.subarray(500, 600) });
  assert.equal(sock.ooo!.r, [1301, 1401, 1501, 1601], 'a second range');
  h.poll();
  h.send({ flags: ACK, seq: 1101, ack: iss + 1, data: d.subarray(100, 300) });
  assert.ok(sock.ooo !== null, 'the second hole is still open');
  assert.equal(sock.ooo!.r, [1501, 1601]);
  h.send({ flags: ACK, seq: 1401, ack: iss + 1, data: d.subarray(400, 500) });
  assert.is(sock.ooo, null, 'dropped as soon as the last hole fills');
  assert.is(rec.data, text(d));
  assert.equal(h.poll().map((s) => s.ack), [1601], 'one ACK for everything');
});

test('out-of-order state for a FIN beyond a hole lives until the FIN is processed', () => {
  const h = new Harness({ rxBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  const rec = record(sock);
  h.send({ flags: ACK | 0x01, seq: 1101, ack: iss + 1 }); // FIN at 1101, data 1001..1100 missing
  assert.ok(sock.ooo !== null && sock.ooo.fin === 1101, 'the FIN is remembered');
  h.poll();
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: pattern(100) });
  assert.is(sock.ooo, null);
  assert.equal(rec.events.filter((e) => e === 'end'), ['end'], 'end after the data');
});

test('SACK scoreboard: none until the peer reports a block, gone when the cumulative ACK passes it', () => {
  const h = new Harness({ minRtoMs: 1000, txBytes: 16384, maxBurst: 64 });
  h.peerPort = 8080;
  const { sock, iss } = h.connectOne(5000, { mss: 1000, txBytes: 16384, sackPermitted: true });
  assert.ok(sock.has(F_SACK_OK));
  sock.cwnd = 8000;
  sock.write(pattern(4000));
  assert.is(h.poll().length, 4);
  assert.is(sock.sacked, null, 'nothing reported yet');
  h.send({ flags: ACK, seq: 5001, ack: iss + 1001 });
  assert.is(sock.sacked, null, 'cumulative ACKs alone make none');
  h.sendSack(5001, iss + 1001, [iss + 2001, iss + 3001]);
  assert.equal(sock.sacked, [iss + 2001, iss + 3001], 'made by the first SACK block');
  h.send({ flags: ACK, seq: 5001, ack: iss + 3001 });
  assert.is(sock.sacked, null, 'the cumulative ACK passed everything reported: dropped');
});

test('held writes: an array only while writes wait beyond the send ring', () => {
  const h = new Harness({ txBytes: 1000 });
  const { sock, iss } = h.acceptOne(1000, { txBytes: 1000, mss: 500 });
  let drains = 0;
  sock.on('drain', () => drains++);
  assert.ok(sock.write(pattern(800)));
  assert.is(sock.pending, null);
  assert.not.ok(sock.write(pattern(700)), 'does not fit: held');
  assert.ok(sock.pending !== null);
  assert.is(sock.bufferedAmount, 1500);
  h.poll();
  h.send({ flags: ACK, seq: 1001, ack: iss + 1001 });
  h.poll();
  assert.is(sock.pending, null, 'all moved into the ring: released');
  assert.is(drains, 1);
  assert.is(sock.bufferedAmount, 500);
});

test('a closed connection lets go of everything it made', () => {
  const h = new Harness({ rxBytes: 4096 });
  const { sock, iss } = h.acceptOne(1000, { rxBytes: 4096 });
  h.send({ flags: ACK, seq: 1301, ack: iss + 1, data: pattern(100) });
  assert.ok(sock.ooo !== null);
  sock.destroy();
  assert.equal(lazyParts(sock), { ooo: null, sacked: null, pending: null });
});

test('two stacks over a lossy, reordering wire: both directions byte-exact, and afterwards no lazy state is left', () => {
  for (const seed of [3, 4]) {
    const p = makePair({ loss: 0.05, delayMs: 2, jitterMs: 3, reorder: 0.05, reorderMs: 4, bitsPerSecond: 10e6, seed }, seed,
      { rxBytes: 8192, txBytes: 8192 });
    const total = 60000;
    const data = pattern(total);
    let server: TcpSocket | null = null;
    let echoed = 0;
    let bad = 0;
    p.b.createServer(7, (s: TcpSocket) => {
      server = s;
      s.on('data', (d: Uint8Array) => s.write(new Uint8Array(d)));
    });
    const c = p.a.connect({ host: B_ADDR, port: 7 });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(1000, total - sent);
        const ok = c.write(data.subarray(sent, sent + n));
        sent += n;
        if (!ok) return;
      }
    };
    c.on('connect', pump);
    c.on('drain', pump);
    c.on('data', (d: Uint8Array) => {
      for (let i = 0; i < d.length; i++) if (d[i] !== data[echoed + i]) bad++;
      echoed += d.length;
    });
    p.run(() => echoed >= total, 2000000);
    assert.is(echoed, total, 'seed ' + seed + ': everything echoed');
    assert.is(bad, 0);
    const counters = p.b.tcp.counters;
    assert.ok(counters.oooSegments + p.a.tcp.counters.oooSegments > 0, 'the wire did reorder or lose: ' + JSON.stringify(counters));
    p.run(() => false, 3000); // ACKs and timers settle
    for (const s of [c, server as unknown as TcpSocket]) {
      assert.equal(lazyParts(s), { ooo: null, sacked: null, pending: null }, 'seed ' + seed);
    }
  }
});

test.run();
