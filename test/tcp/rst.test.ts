import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, ACK, SYN, FIN, RST } from './harness';
import { TcpSocket } from '../../tcp/tcp/socket';

type Setup = (h: Harness, s: TcpSocket, iss: number) => void;

const states: Array<[string, Setup, string[]]> = [
  ['ESTABLISHED', () => {}, ['error:ECONNRESET', 'close:error']],
  ['FIN_WAIT_1', (h, s) => { s.end(); h.poll(); }, ['error:ECONNRESET', 'close:error']],
  ['FIN_WAIT_2', (h, s, iss) => { s.end(); h.poll(); h.send({ flags: ACK, seq: 1001, ack: iss + 2 }); }, ['error:ECONNRESET', 'close:error']],
  ['CLOSE_WAIT', (h, _s, iss) => { h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 1 }); h.poll(); }, ['end', 'error:ECONNRESET', 'close:error']],
  ['CLOSING', (h, s, iss) => { s.end(); h.poll(); h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 1 }); h.poll(); }, ['end', 'close']],
  ['LAST_ACK', (h, s, iss) => { h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 1 }); s.end(); h.poll(); }, ['end', 'close']],
];

for (const [name, setup, events] of states) {
  test('RST with SEQ = RCV.NXT in ' + name + ' closes: ' + events.join(', '), () => {
    const h = new Harness();
    const { sock, iss } = h.acceptOne(1000);
    const rec = record(sock);
    setup(h, sock, iss);
    assert.is(sock.stateName, name);
    h.send({ flags: RST, seq: sock.rcvNxt });
    assert.equal(rec.events, events);
    assert.is(h.tcp.sockets.length, 0);
    assert.equal(h.poll(), [], 'no answer to a RST');
  });
}

test('RST in TIME_WAIT removes the entry', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  sock.end();
  h.poll();
  h.send({ flags: FIN | ACK, seq: 1001, ack: iss + 2 });
  h.poll();
  h.send({ flags: RST, seq: 1002 });
  h.send({ flags: ACK, seq: 1002, ack: iss + 2 });
  assert.is(describe(h.one()), 'RST seq=' + (iss + 2) + ' ack=0 win=0 len=0', 'entry gone: CLOSED answers');
});

test('RFC 5961 §3: RST in the window but not at RCV.NXT → challenge ACK, connection stays', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  h.send({ flags: RST, seq: 1500 });
  assert.equal(rec.events, []);
  assert.is(sock.stateName, 'ESTABLISHED');
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0');
  assert.is(h.tcp.counters.challengeAcks, 1);
});

test('RST outside the window is ignored silently', () => {
  const h = new Harness();
  const { sock } = h.acceptOne(1000);
  h.send({ flags: RST, seq: 900 });
  h.send({ flags: RST, seq: 1001 + 5000 });
  assert.equal(h.poll(), []);
  assert.is(sock.stateName, 'ESTABLISHED');
});

test('RFC 5961 §4: SYN on an established connection → challenge ACK, no reset', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  h.send({ flags: SYN, seq: 1200 });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0');
  assert.is(sock.stateName, 'ESTABLISHED');
});

test('RFC 5961 §5: ACK of data never sent → challenge ACK, data dropped', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  h.send({ flags: ACK, seq: 1001, ack: iss + 100, data: 'evil' });
  assert.is(rec.data, '');
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0');
});

test('challenge ACKs are rate-limited (10 per second)', () => {
  const h = new Harness();
  h.acceptOne(1000);
  for (let i = 0; i < 30; i++) {
    h.send({ flags: RST, seq: 1100 + i });
    h.poll();
  }
  assert.is(h.tcp.counters.challengeAcks, 10);
  assert.is(h.tcp.counters.challengeAcksLimited, 20);
  h.now += 1000;
  h.send({ flags: RST, seq: 1200 });
  assert.is(h.poll().length, 1);
});

test('unacceptable segment (old duplicate beyond the window) → ACK, nothing delivered', () => {
  const h = new Harness();
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  h.send({ flags: ACK, seq: 900, ack: iss + 1, data: 'old' });
  assert.is(describe(h.one()), 'ACK seq=' + (iss + 1) + ' ack=1001 win=2048 len=0');
  assert.is(rec.data, '');
  assert.is(h.tcp.counters.outOfWindow, 1);
});

test.run();
