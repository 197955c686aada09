// A chunked response over a real TCP stack whose send side has the Pico's bound on what write() may
// hold (rx + tx = 4 KB beyond a 2 KB ring): each chunk goes out in one write, so a write refused for
// piling up (ENOBUFS) never leaves half a chunk on the wire, and the last chunk is never refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePair, B_ADDR } from '../../tools/model/pair';
import { HttpServer, Handler } from '../../firmware/http/server';
import { Router } from '../../firmware/http/router';
import { exchange } from './http-client';

const PICO_TCP = { rxBytes: 2048, txBytes: 2048, maxPendingWriteBytes: 4096, maxPendingWrites: 8 };

function serve(handler: (res: any) => void) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const p = makePair({}, 3, PICO_TCP);
  const http = new HttpServer(new Router<Handler>().get('/x', (_req, res) => handler(res)), {});
  p.b.createServer(80, (sock) => { http.handle(sock); });
  const c = p.a.connect({ host: B_ADDR, port: 80 }, { rxBytes: 16384, txBytes: 16384 });
  const x = exchange(c, 'GET /x HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
  p.run(x.done, 200000);
  assert.ok(x.done(), 'the response ended and the connection closed');
  return x.reader;
}

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) & 255;
  return b;
}

test('one 10 KB chunk (held whole, above the bound) and end(): the body arrives whole and framed', () => {
  const body = bytes(10000, 1);
  const r = serve((res) => { res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); res.write(body); res.end(); });
  assert.is(r.responses.length, 1);
  assert.is(r.responses[0].headers['transfer-encoding'], 'chunked');
  assert.is(r.responses[0].bodyLength, 10000);
});

test('a second chunk written ignoring backpressure is refused whole; the response stays well framed', () => {
  let second: boolean | null = null;
  const r = serve((res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write(bytes(10000, 2));
    second = res.write(bytes(10000, 3)); // ignores the false above: refused (ENOBUFS)
    res.end('tail');
  });
  assert.is(second, false);
  assert.is(r.responses.length, 1, 'one complete response: the chunked framing held');
  assert.is(r.responses[0].status, 200);
  assert.is(r.responses[0].bodyLength, 10000 + 4, 'the first chunk and the tail; the refused chunk is absent whole');
});

test.run();
