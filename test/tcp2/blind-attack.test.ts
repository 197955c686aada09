// RFC 5961 in bulk: an off-path attacker who does not know the sequence numbers sprays an established
// connection (and a listener) with random RSTs, SYNs, FINs, ACKs and data. Nothing may get through:
// the connection stays up and intact, no forged byte is delivered, no forged cookie opens a
// connection, and what we send back stays bounded (challenge ACKs rate-limited, at most one ACK per
// connection per poll, RSTs bounded by the queue).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, record, ACK, SYN, FIN, RST, PSH } from '../tcp/harness';
import { TcpSocket } from '../../tcp/tcp/socket';
import { SeededRandom } from '../../hal/sim/random';

const KINDS = [RST, RST | ACK, SYN, SYN | ACK, ACK, ACK | PSH, FIN | ACK];

test('100,000 blind segments against an established connection: it survives, nothing forged is delivered, replies bounded', () => {
  const h = new Harness({ delayedAckMs: 40 });
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  const rnd = new SeededRandom(61);
  let replies = 0;
  let maxPerPoll = 0;
  const polls = 1000;
  for (let p = 0; p < polls; p++) {
    for (let k = 0; k < 100; k++) {
      const flags = KINDS[rnd.nextInt(KINDS.length)];
      const withData = (flags & ACK) !== 0 && rnd.nextInt(2) === 0;
      // Half the time the attacker guesses close to RCV.NXT (within 64 KB above it, never exactly it:
      // an exact hit is a legitimate reset), so in-window RSTs, SYNs and ACKs really are tried.
      const near = rnd.nextInt(2) === 0;
      const seq = near ? (sock.rcvNxt + 1 + rnd.nextInt(65535)) >>> 0 : rnd.nextU32();
      h.send({ flags, seq, ack: rnd.nextU32(), win: rnd.nextInt(65536), data: withData ? 'FORGED' : undefined });
    }
    const out = h.advance(10);
    replies += out.length;
    if (out.length > maxPerPoll) maxPerPoll = out.length;
    for (const s of out) assert.is(s.flags & (RST | SYN | FIN), 0, 'only ACKs go out');
  }
  assert.is(sock.stateName, 'ESTABLISHED');
  assert.equal(rec.events, []);
  assert.is(rec.data, '');
  assert.ok(maxPerPoll <= 1, 'at most one ACK per poll: ' + maxPerPoll);
  const c = h.tcp.counters;
  // 10 s of virtual time: at most 10 challenge ACKs per second get the go-ahead (RFC 5961 §7).
  assert.ok(c.challengeAcks <= 10 * (polls * 10 / 1000 + 1), 'challenge ACKs limited: ' + c.challengeAcks);
  assert.ok(c.challengeAcksLimited > 0, 'the limiter was exercised');
  assert.ok(replies <= polls, 'replies: ' + replies);
  // The real peer is unaffected: its data still arrives, its ACK is answered.
  h.send({ flags: ACK, seq: 1001, ack: iss + 1, data: 'real' });
  h.advance(50);
  assert.is(rec.data, 'real');
  sock.write('reply');
  const r = h.poll();
  assert.is(r.length, 1);
  assert.is(r[0].seq, iss + 1);
  assert.is(r[0].ack, 1005);
});

test('100,000 random ACKs at a listener under SYN-cookie duty: no connection is forged, replies bounded per poll', () => {
  const h = new Harness({ backlog: 1 });
  const got: TcpSocket[] = [];
  h.tcp.listen(80, (s: TcpSocket) => { got.push(s); });
  // Fill the backlog so cookies are in force (and a real cookie exists for some 4-tuple).
  h.send({ flags: SYN, seq: 5, srcPort: 999 });
  h.send({ flags: SYN, seq: 1000 });
  h.poll();
  const rnd = new SeededRandom(62);
  let maxPerPoll = 0;
  for (let p = 0; p < 1000; p++) {
    for (let k = 0; k < 100; k++) {
      h.send({ flags: ACK, seq: rnd.nextU32(), ack: rnd.nextU32(), srcPort: 1024 + rnd.nextInt(4), src: 0x0a000002 });
    }
    const rsts = h.advance(10).filter((x) => (x.flags & RST) !== 0).length;
    if (rsts > maxPerPoll) maxPerPoll = rsts;
  }
  assert.is(got.length, 0, 'no forged connection');
  assert.is(h.tcp.counters.synCookiesValid, 0);
  assert.ok(h.tcp.counters.synCookiesInvalid >= 99000);
  // Whether such ACKs are answered with RST or, while cookies are out, dropped silently, what goes
  // out per poll stays within the RST queue's bound.
  assert.ok(maxPerPoll <= 16, 'RSTs per poll bounded by the queue: ' + maxPerPoll);
  assert.ok(h.tcp.sockets.length <= 1);
});

test.run();
