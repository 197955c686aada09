import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, describe, record, ACK } from './harness';

test('keep-alive is off by default: an idle connection sends nothing', () => {
  const h = new Harness();
  h.acceptOne(1000);
  for (let i = 0; i < 100; i++) assert.equal(h.advance(60000), []);
});

test('keep-alive: probe <SEQ=SND.UNA-1> after the idle time; an answer keeps the connection', () => {
  const h = new Harness({ keepAliveIntervalMs: 1000, keepAliveProbes: 3 });
  const { sock, iss } = h.acceptOne(1000);
  const rec = record(sock);
  sock.setKeepAlive(true, 5000);
  assert.equal(h.advance(4999), []);
  assert.is(describe(h.advance(1)[0]), 'ACK seq=' + iss + ' ack=1001 win=2048 len=0');
  h.send({ flags: ACK, seq: 1001, ack: iss + 1 });
  assert.equal(h.advance(4999), [], 'the answer restarted the idle time');
  assert.is(h.advance(1).length, 1);
  assert.equal(rec.events, []);
});

test('keep-alive: unanswered probes → ETIMEDOUT', () => {
  const h = new Harness({ keepAliveIntervalMs: 1000, keepAliveProbes: 3 });
  const { sock } = h.acceptOne(1000);
  const rec = record(sock);
  sock.setKeepAlive(true, 5000);
  const at: number[] = [];
  for (let t = 0; t < 20000; t += 100) for (const s of h.advance(100)) { void s; at.push(h.now); }
  assert.equal(at, [5000, 6000, 7000]);
  assert.equal(rec.events, ['error:ETIMEDOUT', 'close:error']);
});

test.run();
