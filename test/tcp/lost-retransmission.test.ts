import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sackConnection } from './harness';

/**
 * SACK-permitted connection (40 ms handshake RTT, RTO floor 200 ms), six 1000-byte segments in flight filling
 * the peer's 6000-byte window, the first one lost: three SACKed duplicates start recovery and its fast retransmit.
 */
function recoveringFirstHole() {
  const { h, sock, iss, sent } = sackConnection({ minRtoMs: 200, txBytes: 12000, win: 6000, write: 12000 });
  assert.is(sent.length, 6, 'the window is full');
  const sack = (r: number) => h.sendSack(5001, iss + 1, [iss + 1 + 1000, iss + 1 + r], 6000);
  h.now += 40;
  sack(2000);
  sack(3000);
  sack(4000);
  const out = h.poll();
  assert.equal(out.map((s) => s.seq - iss - 1), [0], 'fast retransmit of the hole');
  return { h, sock, iss, sack };
}

test('a fast retransmission that is lost too is sent again two round trips later, not after the 200 ms RTO', () => {
  const { h, sock, iss } = recoveringFirstHole();
  const srtt = sock.srtt;
  assert.ok(sock.rto >= 200, 'RTO ' + sock.rto);
  assert.equal(h.advance(Math.floor(2 * srtt) - 1), [], 'no ACK yet, within two round trips');
  assert.equal(h.advance(2).map((s) => s.seq - iss - 1), [0], 'sent again');
  assert.is(h.tcp.counters.fastRetransmits, 2);
  assert.is(h.tcp.counters.retransmits, 0, 'no timeout');
  // Once per hole: its next loss is the RTO's.
  assert.equal(h.advance(Math.floor(2 * srtt) + 2), [], 'not a third time two round trips later');
  const late = h.advance(sock.rto);
  assert.ok(late.length >= 1 && late[0].seq - iss - 1 === 0, 'the RTO resends it');
  assert.is(h.tcp.counters.retransmits, 1);
});

test('the ACK of the retransmission stops that timer, and the next hole gets one of its own', () => {
  const { h, sock, iss } = recoveringFirstHole();
  h.now += 20;
  // The retransmission arrived: the ACK covers the SACKed block, a partial ACK (the segment at 4000 is lost).
  h.sendSack(5001, iss + 1 + 4000, [iss + 1 + 5000, iss + 1 + 6000], 6000);
  const out = h.poll().map((s) => s.seq - iss - 1);
  assert.equal(out, [4000, 6000, 7000], 'NewReno partial ACK: the next hole, then new data in the window it opened');
  const srtt = sock.srtt;
  assert.equal(h.advance(Math.floor(2 * srtt) - 1), [], 'waiting for that one\'s ACK');
  assert.equal(h.advance(2).map((s) => s.seq - iss - 1), [4000], 'lost as well: sent again');
  assert.is(h.tcp.counters.retransmits, 0);
});

test('a lost retransmission lowers ssthresh again from the flight at that time (RFC 8985 §3.4), and recovery reaches it', () => {
  const { h, sock, iss } = recoveringFirstHole();
  const first = sock.ssthresh;
  sock.ssthresh = 100000; // as if the first reduction had been from a larger flight
  h.advance(Math.floor(2 * sock.srtt) + 1);
  assert.is(sock.ssthresh, first, 'β × the same 6000 bytes in flight');
  void iss;
});

test.run();
