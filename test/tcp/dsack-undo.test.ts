import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, sackConnection } from './harness';
import { TCP_ACK, TCP_PSH } from '../../tcp/wire/reprs';
import { F_IN_RECOVERY } from '../../tcp/tcp/socket';

/**
 * RFC 3708 §3.2 with RFC 2883 DSACKs: a fast recovery whose every retransmission the peer reports as a
 * duplicate was caused by reordering, not loss, and its reduction of the congestion window is undone.
 * The connection: SACK permitted, six 1000-byte segments in the peer's 6000-byte window, cwnd 8000; the
 * first segment "lost" (held back by the network): three SACKed duplicates start recovery.
 */
function recovering() {
  const { h, sock, iss, sent } = sackConnection({ minRtoMs: 200, txBytes: 12000, win: 6000, write: 12000 });
  assert.is(sent.length, 6, 'the window is full');
  const before = { cwnd: sock.cwnd, ssthresh: sock.ssthresh };
  const at = (n: number) => iss + 1 + n;
  h.now += 40;
  for (const r of [2000, 3000, 4000]) h.sendSack(5001, at(0), [at(1000), at(r)], 6000);
  assert.equal(h.poll().map((s) => s.seq - at(0)), [0], 'fast retransmit of the hole');
  assert.ok(sock.cwnd < before.cwnd && sock.ssthresh < before.ssthresh, 'reduced');
  return { h, sock, at, before };
}

test('the retransmission reported a duplicate after the recovery: cwnd and ssthresh as before it', () => {
  const { h, sock, at, before } = recovering();
  h.now += 10;
  // The original arrives (all acknowledged: the recovery ends), then the retransmission: a DSACK below the ACK.
  h.sendSack(5001, at(6000), [], 6000);
  h.poll();
  assert.is(sock.flags & F_IN_RECOVERY, 0);
  const reduced = sock.ssthresh;
  assert.ok(reduced < before.ssthresh);
  h.sendSack(5001, at(6000), [at(0), at(1000)], 6000);
  h.poll();
  assert.is(sock.ssthresh, before.ssthresh, 'ssthresh undone');
  assert.ok(sock.cwnd >= before.cwnd, 'cwnd back to at least ' + before.cwnd + ': ' + sock.cwnd);
  assert.is(h.tcp.counters.recoveriesUndone, 1);
});

test('one ACK that ends the recovery and reports its retransmission a duplicate (a delayed ACK of the original) undoes it', () => {
  const { h, sock, at, before } = recovering();
  h.now += 10;
  h.sendSack(5001, at(6000), [at(0), at(1000)], 6000);
  h.poll();
  assert.is(sock.flags & F_IN_RECOVERY, 0);
  assert.is(h.tcp.counters.recoveriesUndone, 1);
  assert.is(sock.ssthresh, before.ssthresh);
  assert.ok(sock.cwnd >= before.cwnd);
});

test('a DSACK for data never retransmitted, or for one retransmission of two, undoes nothing', () => {
  const { h, sock, at, before } = recovering();
  h.now += 10;
  // Partial ACK: the segment at 4000 is lost as well; NewReno resends it.
  h.sendSack(5001, at(4000), [at(5000), at(6000)], 6000);
  assert.equal(h.poll().map((s) => s.seq - at(0)).slice(0, 1), [4000]);
  // The first retransmission comes back as a duplicate (the original of 0 had only been late).
  h.sendSack(5001, at(4000), [at(0), at(1000), at(5000), at(6000)], 6000);
  h.poll();
  // The retransmission of 4000 was needed: it fills the hole, and no DSACK for it comes...
  h.sendSack(5001, at(6000), [], 6000);
  h.poll();
  // ...but one for a segment never retransmitted (the network duplicated it).
  h.sendSack(5001, at(6000), [at(2000), at(3000)], 6000);
  h.poll();
  assert.is(h.tcp.counters.recoveriesUndone, 0);
  assert.ok(sock.ssthresh < before.ssthresh, 'the reduction stands');
});

test('a timeout ends the episode: its reduction is not undone by a later DSACK', () => {
  const { h, sock, at } = recovering();
  for (let i = 0; i < 20 && h.tcp.counters.retransmits === 0; i++) h.advance(50); // no ACK: the RTO
  assert.ok(h.tcp.counters.retransmits >= 1, 'timed out');
  const after = sock.ssthresh;
  h.sendSack(5001, at(6000), [at(0), at(1000)], 6000);
  h.poll();
  assert.is(h.tcp.counters.recoveriesUndone, 0);
  assert.ok(sock.ssthresh <= after);
});

test('a loss probe whose data the peer reports a duplicate does not lower the window (RFC 8985 §7.4.2)', () => {
  for (const dup of [false, true]) {
    const { h, sock, iss } = sackConnection({ minRtoMs: 200, txBytes: 12000, win: 6000, write: 3000 });
    const at = (n: number) => iss + 1 + n;
    h.now += 40;
    h.sendSack(5001, at(1000), [], 6000); // the first of three acknowledged; then silence
    h.poll();
    const cwnd = sock.cwnd;
    const probe = h.advance(200).filter((s) => s.data.length > 0);
    assert.equal(probe.map((s) => s.seq - at(0)), [2000], 'the last segment again, as a loss probe');
    assert.is(h.tcp.counters.lossProbes, 1);
    // The tail had arrived (only its ACK was lost): the probe's ACK reports it twice, or not.
    h.sendSack(5001, at(3000), dup ? [at(2000), at(3000)] : [], 6000);
    h.poll();
    if (dup) assert.ok(sock.cwnd >= cwnd, 'no reduction: ' + cwnd + ' -> ' + sock.cwnd);
    else assert.ok(sock.cwnd < cwnd, 'taken for a repaired loss: ' + cwnd + ' -> ' + sock.cwnd);
  }
});

test('data received twice is reported first in the SACK option of the ACK (a DSACK, RFC 2883 §4), once', () => {
  for (const sack of [true, false]) {
    const h = new Harness();
    const { irs, iss } = h.connectOne(5000, { sackPermitted: sack });
    const seg = (seq: number, n: number) => h.send({ flags: TCP_ACK | TCP_PSH, seq: irs + 1 + seq, ack: iss + 1, data: 'x'.repeat(n) });
    const poll = () => h.poll().map((s) => s.sack.map((b) => b - irs - 1));
    seg(0, 100);
    h.ip.sent.length = 0;
    assert.equal(poll(), [[]], 'new data: an ACK without blocks');
    seg(0, 100); // the same again
    assert.equal(poll(), [sack ? [0, 100] : []], 'the duplicate reported (SACK agreed: ' + sack + ')');
    seg(50, 100); // half old, half new: the old half is the duplicate (§4.1.2)
    assert.equal(poll(), [sack ? [50, 100] : []]);
    seg(150, 50);
    assert.equal(poll(), [[]], 'reported once only');
  }
});

test.run();
