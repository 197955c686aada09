// Memory (issue 8): what an idle Tcp and its emitters hold. The queue of bare segments (RSTs, cookie
// SYN|ACKs) and the TIME_WAIT table are empty arrays between uses, the configuration holds only the
// values given (the defaults are shared), and an emitter holds a listener table only once listened to,
// with a single listener stored as itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK, FIN, RST } from './harness';
import { TCP_DEFAULTS } from '../../tcp/tcp/config';
import { Emitter } from '../../tcp/events';

/** The Tcp's private fields, as the memory estimate sees them. */
function internals(h: Harness): { rq: number[]; tw: number[] } {
  const t = h.tcp as unknown as { rq: number[]; timeWait: { e: number[] } };
  return { rq: t.rq, tw: t.timeWait.e };
}

test('the RST queue is empty between polls; RSTs queued for segments to nothing are all sent', () => {
  const h = new Harness();
  assert.is(internals(h).rq.length, 0);
  for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: 100 + i, ack: 5000, dstPort: 9000 + i });
  assert.is(internals(h).rq.length, 3 * 8, 'three queued');
  const out = h.poll();
  assert.equal(out.map((s) => s.flags & RST), [RST, RST, RST]);
  assert.is(internals(h).rq.length, 0, 'emptied by the poll');
});

test('the RST queue is bounded (16): further ones are counted, not queued', () => {
  const h = new Harness();
  for (let i = 0; i < 20; i++) h.send({ flags: ACK, seq: 100 + i, ack: 5000, dstPort: 9000 + i });
  assert.is(internals(h).rq.length, 16 * 8);
  assert.is(h.tcp.counters.rstQueueFull, 4);
  assert.is(h.poll().length, 16);
});

test('the TIME_WAIT table is one flat array: an entry while it lasts, nothing after', () => {
  const h = new Harness({ mslMs: 1000 });
  const { sock, iss } = h.acceptOne(1000);
  sock.end();
  const fin = h.poll().find((s) => (s.flags & FIN) !== 0)!;
  assert.ok(fin, 'our FIN');
  h.send({ flags: ACK | FIN, seq: 1001, ack: iss + 2 });
  h.poll();
  assert.is(h.tcp.timeWait.count(), 1);
  assert.is(internals(h).tw.length, 8);
  h.advance(2500);
  assert.is(h.tcp.timeWait.count(), 0);
  assert.is(internals(h).tw.length, 0);
});

test('the configuration holds only the values given; the defaults are shared', () => {
  const h = new Harness({ rxBytes: 4096 });
  assert.equal(Object.keys(h.tcp.config).sort(), ['delayedAckMs', 'rxBytes']);
  assert.is(h.tcp.config.rxBytes, 4096);
  assert.is(h.tcp.config.mss, TCP_DEFAULTS.mss);
  assert.is(TCP_DEFAULTS.rxBytes, 2048, 'the defaults themselves are untouched');
});

test('emitter: no table before the first listener; one listener held as itself, several in an array', () => {
  const e = new Emitter();
  const held = () => (e as unknown as { evs?: Record<string, unknown> }).evs;
  assert.is(held(), undefined);
  const calls: string[] = [];
  const a = (x: unknown) => calls.push('a' + x);
  const b = (x: unknown) => calls.push('b' + x);
  e.on('x', a);
  assert.is(held()!.x, a, 'a single listener is stored as the function');
  e.on('x', b);
  assert.ok(Array.isArray(held()!.x));
  assert.is(e.listenerCount('x'), 2);
  e.emit('x', 1);
  e.off('x', a);
  assert.is(held()!.x, b, 'back to a single function');
  e.emit('x', 2);
  e.off('x', b);
  assert.is(held()!.x, undefined);
  assert.not.ok(e.emit('x', 3));
  e.once('y', a);
  e.emit('y', 4);
  e.emit('y', 5);
  assert.equal(calls, ['a1', 'b1', 'b2', 'a4']);
  e.on('z', a);
  e.removeAllListeners();
  assert.is(e.listenerCount('z'), 0);
});

test('emitter: a listener removing itself during emit does not disturb the others', () => {
  const e = new Emitter();
  const calls: string[] = [];
  const a = () => { calls.push('a'); e.off('x', a); };
  const b = () => calls.push('b');
  e.on('x', a);
  e.on('x', b);
  e.emit('x');
  e.emit('x');
  assert.equal(calls, ['a', 'b', 'b']);
});

test.run();
