// Blind ICMP attacks (RFC 5927): a forged "port unreachable" naming our 4-tuple must not abort a
// connection unless the TCP sequence number it quotes is one we have sent (SND.UNA <= seq <= SND.MAX,
// RFC 5927 §4.1). A genuine one still ends an opening connection at once (RFC 1122 §4.2.3.9).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, record, PEER, SYN, ACK } from '../tcp/harness';
import { F_UNREACHABLE } from '../../tcp/tcp/socket';

/** The first 8 bytes of a TCP header we sent, as an ICMP error quotes it. */
function quoted(srcPort: number, dstPort: number, seq: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = srcPort >>> 8; b[1] = srcPort & 255; b[2] = dstPort >>> 8; b[3] = dstPort & 255;
  b[4] = seq >>> 24; b[5] = (seq >>> 16) & 255; b[6] = (seq >>> 8) & 255; b[7] = seq & 255;
  return b;
}

test('SYN_SENT: a forged port-unreachable quoting a sequence number we never sent is ignored', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 80);
  const rec = record(sock);
  const syn = h.one();
  for (const seq of [0, syn.seq - 1, syn.seq + 2, syn.seq + 100000, syn.seq ^ 0x80000000]) {
    const q = quoted(syn.srcPort, 80, seq >>> 0);
    h.tcp.unreachable(PEER, 3, q, 0, 8);
  }
  assert.is(sock.stateName, 'SYN_SENT');
  assert.equal(rec.events, []);
  assert.is(h.tcp.counters.icmpOutOfWindow, 5, 'each one counted');
  // The real SYN|ACK still completes the handshake.
  h.ourPort = syn.srcPort;
  h.peerPort = 80;
  h.send({ flags: SYN | ACK, seq: 9000, ack: syn.seq + 1 });
  assert.is(sock.stateName, 'ESTABLISHED');
});

test('SYN_SENT: a port-unreachable quoting our SYN (seq = ISS) refuses the connection', () => {
  const h = new Harness();
  const sock = h.tcp.connect(PEER, 80);
  const rec = record(sock);
  const syn = h.one();
  h.tcp.unreachable(PEER, 3, quoted(syn.srcPort, 80, syn.seq), 0, 8);
  assert.equal(rec.events, ['error:ECONNREFUSED', 'close:error']);
});

test('ESTABLISHED: forged host-unreachables do not mark the connection; one quoting data in flight does (soft error)', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  sock.write('data');
  h.poll();
  h.tcp.unreachable(PEER, 1, quoted(80, h.peerPort, iss + 5000), 0, 8);
  assert.not.ok(sock.has(F_UNREACHABLE), 'forged: not even a soft error');
  h.tcp.unreachable(PEER, 1, quoted(80, h.peerPort, iss + 1), 0, 8);
  assert.ok(sock.has(F_UNREACHABLE), 'genuine: remembered as a soft error');
  assert.is(sock.stateName, 'ESTABLISHED');
});

test.run();
