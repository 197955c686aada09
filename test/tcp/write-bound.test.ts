// write() past a full send buffer holds data by reference: the first held chunk always, more only up to
// maxPendingWriteBytes bytes and maxPendingWrites chunks; beyond that the call is refused whole
// (false + 'error' ENOBUFS) and everything accepted before it is still sent, in order. Writes of at most
// 16 bytes (protocol framing) are bounded by the chunk count only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK, record } from './harness';

function pattern(n: number, start: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 255;
  return b;
}

/** Drains the connection: acknowledges everything sent until nothing more comes; returns the bytes. */
function collect(h: Harness, irs: number): number[] {
  const got: number[] = [];
  for (let round = 0; round < 1000; round++) {
    const out = h.advance(1).filter((x) => x.data.length > 0);
    if (out.length === 0 && round > 3) break;
    for (const x of out) for (let i = 0; i < x.data.length; i++) got.push(x.data[i]);
    if (out.length > 0) {
      const last = out[out.length - 1];
      h.send({ flags: ACK, seq: irs + 1, ack: last.seq + last.data.length, win: 65535 });
    }
  }
  return got;
}

test('bytes: a write that would hold more than maxPendingWriteBytes is refused whole; earlier data is sent', () => {
  const h = new Harness({ txBytes: 1000, maxPendingWriteBytes: 3000 });
  const { sock, irs } = h.acceptOne(1000);
  const rec = record(sock);
  assert.is(sock.write(pattern(2500, 0)), false, 'ring full, 1500 held');
  assert.is(sock.write(pattern(1500, 2500)), false, '3000 held: at the limit, accepted');
  assert.equal(rec.events, []);
  assert.is(sock.bufferedAmount, 4000);
  assert.is(sock.write(pattern(17, 4000)), false, 'more is refused (17 bytes: above framing size)');
  assert.equal(rec.events, ['error:ENOBUFS']);
  assert.is(sock.bufferedAmount, 4000, 'nothing of the refused call taken');
  assert.is(sock.stateName, 'ESTABLISHED', 'the connection goes on');
  const got = collect(h, irs);
  assert.is(got.length, 4000);
  for (let i = 0; i < got.length; i++) if (got[i] !== (i & 255)) assert.unreachable('byte ' + i);
  assert.ok(rec.events.indexOf('drain') > 0, 'drain after the held data went into the ring');
  // After the drain, writing works again.
  assert.is(sock.write(pattern(10, 0)), true);
});

test('the first held chunk is taken whatever its size; the bound counts it for what piles up behind', () => {
  const h = new Harness({ txBytes: 1000, maxPendingWriteBytes: 500 });
  const { sock, irs } = h.acceptOne(1000);
  const rec = record(sock);
  assert.is(sock.write(pattern(3000, 0)), false, 'ring full, 2000 held (one chunk, above the bound)');
  assert.equal(rec.events, []);
  assert.is(sock.write(pattern(17, 3000)), false);
  assert.equal(rec.events, ['error:ENOBUFS']);
  assert.is(sock.bufferedAmount, 3000);
  const got = collect(h, irs);
  assert.is(got.length, 3000);
  for (let i = 0; i < got.length; i++) if (got[i] !== (i & 255)) assert.unreachable('byte ' + i);
  // Now: 300 held, then 201 more would pass 500 (refused whole), 200 fit.
  assert.is(sock.write(pattern(1300, 0)), false);
  assert.is(sock.write(pattern(201, 1300)), false);
  assert.equal(rec.events.filter((e) => e === 'error:ENOBUFS').length, 2);
  assert.is(sock.bufferedAmount, 1300, 'not half-taken');
  assert.is(sock.write(pattern(200, 1300)), false);
  assert.is(sock.bufferedAmount, 1500);
  assert.equal(rec.events.filter((e) => e === 'error:ENOBUFS').length, 2);
  const got2 = collect(h, irs);
  assert.is(got2.length, 1500);
  for (let i = 0; i < got2.length; i++) if (got2[i] !== (i & 255)) assert.unreachable('byte ' + i);
});

test('a write of a few bytes (protocol framing) is bounded by the chunk count only, not the bytes', () => {
  const h = new Harness({ txBytes: 1000, maxPendingWriteBytes: 500, maxPendingWrites: 3 });
  const { sock } = h.acceptOne(1000);
  const rec = record(sock);
  assert.is(sock.write(pattern(3000, 0)), false, '2000 held, above the bound');
  assert.is(sock.write(pattern(17, 0)), false);
  assert.equal(rec.events, ['error:ENOBUFS'], '17 bytes are bounded');
  assert.is(sock.write('0\r\n\r\n'), false);
  assert.is(sock.write(pattern(16, 0)), false);
  assert.equal(rec.events, ['error:ENOBUFS'], 'framing-sized writes are taken');
  assert.is(sock.bufferedAmount, 3000 + 5 + 16);
  assert.is(sock.write('x'), false);
  assert.equal(rec.events, ['error:ENOBUFS', 'error:ENOBUFS'], 'the chunk count still bounds them');
});

test('chunks: more than maxPendingWrites held chunks are refused', () => {
  const h = new Harness({ txBytes: 100, maxPendingWrites: 3 });
  const { sock } = h.acceptOne(1000);
  const rec = record(sock);
  assert.is(sock.write(pattern(150, 0)), false); // 1 chunk held
  assert.is(sock.write('a'), false); // 2
  assert.is(sock.write('b'), false); // 3
  assert.equal(rec.events, []);
  assert.is(sock.write('c'), false);
  assert.equal(rec.events, ['error:ENOBUFS']);
  assert.is(sock.bufferedAmount, 152);
});

test('a writer that waits for drain never hits the bound', () => {
  const h = new Harness({ txBytes: 1000, maxPendingWriteBytes: 1024, maxPendingWrites: 2 });
  const { sock, irs } = h.acceptOne(1000);
  const rec = record(sock);
  let produced = 0;
  const TOTAL = 50000;
  const go = (): void => {
    while (produced < TOTAL) {
      const ok = sock.write(pattern(1000, produced));
      produced += 1000;
      if (!ok) return;
    }
  };
  sock.on('drain', go);
  go();
  const got = collect(h, irs);
  assert.is(got.length, TOTAL);
  for (let i = 0; i < got.length; i++) if (got[i] !== (i & 255)) assert.unreachable('byte ' + i);
  assert.is(rec.events.filter((e) => e.indexOf('error') === 0).length, 0);
});

test.run();
