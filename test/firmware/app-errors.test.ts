// The firmware on the real stack: an application handler that throws is answered (500, or a reset once
// the response has begun), counted and reported; the device goes on serving everyone else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deviceSim, probeHttp, probeEcho } from '../helpers/device-sim';
import { HttpRequest, HttpResponse } from '../../firmware/http/server';

function get(sim: ReturnType<typeof deviceSim>, path: string): { text: string; closed: boolean; error: string } {
  const r = { text: '', closed: false, error: '' };
  const s = sim.connect(80);
  s.on('connect', () => { s.write('GET ' + path + ' HTTP/1.1\r\nHost: d\r\n\r\n'); });
  s.on('data', (d: Uint8Array) => { r.text += String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]); });
  s.on('end', () => { s.end(); });
  s.on('error', (e: Error) => { r.error = e.message; });
  s.on('close', () => { r.closed = true; });
  sim.run(2000, () => r.closed);
  return r;
}

test('a route handler that throws before answering: 500 and close, counted (http handlerErrors, app errors), others served', () => {
  const sim = deviceSim('sim', 'none');
  const http = sim.device.http!.http;
  http.router.get('/boom', () => { throw new Error('handler bug'); });
  const r = get(sim, '/boom');
  assert.match(r.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
  assert.ok(r.closed);
  assert.is(http.counters.handlerErrors, 1);
  const st = sim.device.status();
  assert.is(st.appErrors, 1);
  assert.is(st.lastAppError, 'data: handler bug');
  assert.is(st.internalErrors, 0);
  const g = probeHttp(sim, 80);
  const e = probeEcho(sim, 7);
  sim.run(1000, () => g.done && e.done);
  assert.ok(g.ok && e.ok, 'still serving: ' + g.detail + ' ' + e.detail);
});

test('a handler that throws after its response began: the connection is reset (a half response cannot be completed)', () => {
  const sim = deviceSim('sim', 'none');
  const http = sim.device.http!.http;
  http.router.get('/half', (_req: HttpRequest, res: HttpResponse) => {
    res.writeHead(200, { 'Content-Length': 100 });
    res.write('part of it');
    throw new Error('late bug');
  });
  const r = get(sim, '/half');
  assert.is(r.error, 'ECONNRESET');
  assert.not.match(r.text, /part of it/, 'no truncated body passed off as whole: ' + JSON.stringify(r.text));
  assert.is(http.counters.handlerErrors, 1);
  assert.is(sim.device.status().appErrors, 1);
});

test('a body listener that throws: 500, and the body bytes are not handed over twice', () => {
  const sim = deviceSim('sim', 'none');
  const http = sim.device.http!.http;
  let seen = '';
  http.router.post('/upload', (req: HttpRequest) => {
    req.on('data', (d: Uint8Array) => {
      seen += String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]);
      throw new Error('body bug');
    });
  });
  const s = sim.connect(80);
  let text = '';
  let closed = false;
  s.on('connect', () => { s.write('POST /upload HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nhello'); });
  s.on('data', (d: Uint8Array) => { text += String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]); });
  s.on('end', () => s.end());
  s.on('error', () => undefined);
  s.on('close', () => { closed = true; });
  sim.run(2000, () => closed);
  assert.is(seen, 'hello');
  assert.match(text, /^HTTP\/1\.1 500/);
  assert.is(http.counters.handlerErrors, 1);
});

test.run();
