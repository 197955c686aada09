import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'crypto';
import { FakeNet, FakeSocket } from '../helpers/fake-socket';
import { startEcho } from '../../firmware/apps/echo';

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function client(net: FakeNet, opts = { rxBytes: 1024, txBytes: 1024 }) {
  const sock = net.connect({ host: '10.0.0.1', port: 7 }, opts);
  const got: Buffer[] = [];
  const st = { ended: false, closed: false, bytes: 0 };
  sock.on('data', (d: Uint8Array) => { got.push(Buffer.from(d)); st.bytes += d.length; });
  sock.on('end', () => { st.ended = true; });
  sock.on('close', () => { st.closed = true; });
  return { sock, got, st };
}

test('echoes 200 KB byte for byte through 1 KB buffers, then closes after the client FIN', () => {
  const net = new FakeNet();
  const echo = startEcho(net, 7, { rxBytes: 1024, txBytes: 1024 });
  const c = client(net);
  const data = pattern(200000, 5);
  c.sock.write(data);
  c.sock.end();
  net.pump();
  assert.is(Buffer.compare(Buffer.concat(c.got), Buffer.from(data)), 0);
  assert.ok(c.st.ended, 'server FIN after the data');
  assert.ok(c.st.closed);
  assert.is(echo.counters.bytes, 200000);
  assert.is(echo.counters.connections, 0);
  assert.is(echo.counters.connectionsTotal, 1);
});

test('half-close: data queued before the FIN is still echoed in full', () => {
  const net = new FakeNet();
  startEcho(net, 7, { rxBytes: 512, txBytes: 512 });
  const c = client(net, { rxBytes: 512, txBytes: 512 });
  c.sock.pause(); // the client reads nothing at first: the server must hold off, not drop
  c.sock.write(pattern(5000, 9));
  c.sock.end();
  net.pump();
  assert.not.ok(c.st.ended);
  c.sock.resume();
  net.pump();
  assert.is(Buffer.compare(Buffer.concat(c.got), Buffer.from(pattern(5000, 9))), 0);
  assert.ok(c.st.ended && c.st.closed);
});

test('backpressure: a client that does not read stops the server reading (bounded buffering)', () => {
  const net = new FakeNet();
  startEcho(net, 7, { rxBytes: 1024, txBytes: 1024 });
  const c = client(net);
  c.sock.pause();
  c.sock.write(pattern(100000, 1));
  net.pump();
  const server = net.sockets.find((s) => s !== c.sock) as FakeSocket;
  // Held: client rx (1024) + server tx (1024) + one referenced chunk + server rx (1024) + client tx (1024).
  assert.ok(server.bytesRead <= 1024 * 3, 'server read ' + server.bytesRead);
  assert.ok(c.sock.bufferedAmount > 90000, 'the rest waits at the client');
  c.sock.resume();
  c.sock.end();
  net.pump();
  assert.is(Buffer.compare(Buffer.concat(c.got), Buffer.from(pattern(100000, 1))), 0);
  const h = createHash('sha256').update(Buffer.concat(c.got)).digest('hex');
  assert.is(h, createHash('sha256').update(pattern(100000, 1)).digest('hex'));
});

test('20 concurrent clients each get exactly their own bytes back', () => {
  const net = new FakeNet();
  const echo = startEcho(net, 7, { rxBytes: 1024, txBytes: 1024 });
  const cs = [] as ReturnType<typeof client>[];
  for (let i = 0; i < 20; i++) {
    const c = client(net);
    c.sock.write(pattern(10000 + i * 100, i + 1));
    c.sock.end();
    cs.push(c);
  }
  net.pump();
  cs.forEach((c, i) => {
    assert.is(Buffer.compare(Buffer.concat(c.got), Buffer.from(pattern(10000 + i * 100, i + 1))), 0, 'client ' + i);
    assert.ok(c.st.closed);
  });
  assert.is(echo.counters.connections, 0);
});

test('a client reset does not disturb the server', () => {
  const net = new FakeNet();
  const echo = startEcho(net, 7);
  const c = client(net);
  c.sock.write('abc');
  net.pump();
  c.sock.destroy();
  net.pump();
  assert.is(echo.counters.connections, 0);
});

test.run();
