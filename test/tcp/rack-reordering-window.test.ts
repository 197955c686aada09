import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ACK, sackConnection } from './harness';
import { F_REORDER } from '../../tcp/tcp/socket';

/** SACK-permitted connection with a 40 ms handshake RTT, six 1000-byte segments sent, none acknowledged. */
function sixInFlight() {
  const { h, sock, iss, sent } = sackConnection({ minRtoMs: 1000, txBytes: 6000, win: 65535, write: 6000 });
  assert.is(sent.length, 6);
  const sack = (ack: number, l: number, r: number) => h.sendSack(5001, iss + 1 + ack, [iss + 1 + l, iss + 1 + r]);
  return { h, sock, iss, sack };
}

test('RFC 8985 RACK: a hole below SACKed data is resent a reordering window (SRTT/4) after the first duplicate ACK, without a third', () => {
  const { h, sock, iss, sack } = sixInFlight();
  h.now += 40;
  sack(0, 1000, 2000); // the first segment lost: one duplicate ACK, and no more data to send
  assert.equal(h.poll(), [], 'one duplicate ACK: not yet');
  const wnd = sock.srtt / 4;
  assert.equal(h.advance(wnd - 1), [], 'within the reordering window');
  assert.equal(h.advance(1).map((s) => s.seq - iss - 1), [0], 'then the hole is lost: fast retransmit');
  assert.is(h.tcp.counters.fastRetransmits, 1);
  assert.is(h.tcp.counters.retransmits, 0);
});

test('RACK: a hole filled by the original before the timer is reordering, and the window grows to SRTT (no spurious retransmission the next time)', () => {
  const { h, sock, iss, sack } = sixInFlight();
  h.now += 40;
  sack(0, 1000, 2000);
  h.poll();
  h.now += 1;
  h.send({ flags: ACK, seq: 5001, ack: iss + 6001 }); // the late original arrived: everything is acknowledged
  assert.equal(h.poll(), []);
  assert.ok((sock.flags & F_REORDER) !== 0, 'reordering seen');
  sock.write(new Uint8Array(6000).fill(66));
  assert.is(h.poll().length, 6);
  h.now += 20; // (a SACK this early: the timer, SRTT later, comes before the tail loss probe's 2·SRTT)
  sack(6000, 7000, 8000);
  const srtt = sock.srtt;
  assert.equal(h.advance(Math.ceil(srtt / 4)), [], 'SRTT/4 later: still waiting');
  assert.equal(h.advance(Math.floor(srtt) - Math.ceil(srtt / 4) - 1), [], 'still within SRTT');
  assert.equal(h.advance(2).map((s) => s.seq - iss - 1), [6000], 'after SRTT: resent');
  assert.is(h.tcp.counters.fastRetransmits, 1);
});

test('RACK: a third duplicate ACK that comes after the RACK deadline but before the poll starts fast recovery, not a timeout', () => {
  const { h, sock, iss, sack } = sixInFlight();
  h.now += 40;
  sack(0, 1000, 2000);
  assert.equal(h.poll(), [], 'the RACK timer is armed');
  h.now += sock.srtt; // past the reordering window, with no poll in between (a busy loop)
  sack(0, 1000, 3000);
  sack(0, 1000, 4000); // the third duplicate: recovery by the count
  const out = h.poll();
  assert.equal(out.map((s) => s.seq - iss - 1), [0], 'the fast retransmission only');
  assert.is(h.tcp.counters.retransmits, 0, 'no retransmission by timeout');
  assert.ok(sock.cwnd > sock.sndMss, 'cwnd ' + sock.cwnd + ': not collapsed to one segment');
  assert.ok(sock.rtxAt > h.now, 'no timer left at the passed deadline');
});

test.run();
