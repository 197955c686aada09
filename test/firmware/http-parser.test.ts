import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRequestHead, RequestHead } from '../../firmware/http/request-head';
import { ChunkedDecoder } from '../../firmware/http/chunked-decoder';
import { Router } from '../../firmware/http/router';
import { findHeadEnd } from '../../firmware/bytes';
import { bytes, text } from '../helpers/fake-socket';

const limits = { maxHeaders: 8, maxTargetLength: 64 };

function ok(t: string): RequestHead {
  const r = parseRequestHead(t, limits);
  if (typeof r === 'number') throw new Error('rejected with ' + r + ': ' + t);
  return r;
}

test('request line and headers are parsed; names are case-insensitive, repeats joined', () => {
  const r = ok('GET /a/b?x=1&y HTTP/1.1\r\nHost: dev\r\nX-A:  1 \r\nx-a: 2\r\nContent-Length: 0');
  assert.is(r.method, 'GET');
  assert.is(r.path, '/a/b');
  assert.is(r.query, 'x=1&y');
  assert.is(r.minor, 1);
  assert.is(r.headers['x-a'], '1, 2');
  assert.is(r.contentLength, 0);
  assert.ok(r.keepAlive);
  assert.not.ok(r.chunked);
});

test('keep-alive rules per version (RFC 9112 §9.3)', () => {
  assert.not.ok(ok('GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close').keepAlive);
  assert.not.ok(ok('GET / HTTP/1.0').keepAlive);
  assert.ok(ok('GET / HTTP/1.0\r\nConnection: Keep-Alive').keepAlive);
});

test('framing: chunked, Content-Length lists, conflicts', () => {
  assert.ok(ok('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked').chunked);
  assert.is(ok('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5').contentLength, 5);
  assert.is(parseRequestHead('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6', limits), 400);
  assert.is(parseRequestHead('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5', limits), 400);
  assert.is(parseRequestHead('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456', limits), 400);
  assert.is(parseRequestHead('POST / HTTP/1.0\r\nTransfer-Encoding: chunked', limits), 400);
  assert.is(parseRequestHead('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked', limits), 501);
  assert.ok(ok('POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue').expectContinue);
});

test('rejections carry the right status', () => {
  const cases: Array<[string, number]> = [
    ['', 400], ['GET', 400], ['GET /', 400], ['GET / HTTP/1.1 extra', 400], ['G(T / HTTP/1.1\r\nHost: a', 400],
    ['GET x HTTP/1.1\r\nHost: a', 400], ['GET / HTTP/1.1', 400], ['GET / HTTP/3.0\r\nHost: a', 505],
    ['GET / http/1.1\r\nHost: a', 400], ['GET /' + 'x'.repeat(64) + ' HTTP/1.1\r\nHost: a', 414],
    ['GET / HTTP/1.1\r\nHost : a', 400], ['GET / HTTP/1.1\r\nHost: a\r\n\tcont', 400],
    ['GET / HTTP/1.1\r\nHost: a\nX: b', 400], ['GET / HTTP/1.1\r\n: a', 400],
  ];
  for (const [t, code] of cases) assert.is(parseRequestHead(t, limits), code, JSON.stringify(t));
  let many = 'GET / HTTP/1.1\r\nHost: a';
  for (let i = 0; i < 8; i++) many += '\r\nX' + i + ': y';
  assert.is(parseRequestHead(many, limits), 431);
});

test('leading empty lines before the request line are ignored (RFC 9112 §2.2)', () => {
  assert.is(ok('\r\nGET / HTTP/1.1\r\nHost: a').path, '/');
});

test('findHeadEnd finds CRLFCRLF only inside the filled part', () => {
  const b = new Uint8Array(64);
  b.set(bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), 0);
  assert.is(findHeadEnd(b, 0, 27), 23);
  assert.is(findHeadEnd(b, 0, 26), -1);
  assert.is(findHeadEnd(b, 20, 27), 23);
  assert.is(findHeadEnd(bytes('\r\r\n\r\r\n\r\n'), -3, 8), 4);
});

function decodeAll(src: string, pieces: number): { out: string; rest: number; failed: boolean } {
  const d = new ChunkedDecoder();
  const b = bytes(src);
  let out = '';
  let rest = -1;
  const step = Math.max(1, Math.ceil(b.length / pieces));
  for (let i = 0; i < b.length && rest < 0; i += step) {
    const end = Math.min(b.length, i + step);
    const r = d.feed(b, i, end, { deliver: (v) => { out += text(v); }, stopped: () => false });
    if (r < 0) return { out, rest: -1, failed: true };
    if (d.done()) rest = r;
  }
  return { out, rest, failed: false };
}

test('chunked decoding gives the same result however the input is split', () => {
  const body = '4\r\nWiki\r\n6;name=v\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT';
  for (let pieces = 1; pieces <= body.length; pieces++) {
    const r = decodeAll(body, pieces);
    assert.is(r.out, 'Wikipedia in \r\n\r\nchunks.', 'pieces ' + pieces);
    assert.is(r.failed, false);
    assert.is(body.substring(r.rest), 'NEXT', 'stops at the next message (' + pieces + ')');
  }
});

test('chunked decoding rejects malformed input', () => {
  for (const bad of ['x\r\n', '5\r\nabcdeXY', '5\nabcde\r\n', '123456789\r\n', '\r\n', '3;' + 'a'.repeat(300) + '\r\n']) {
    assert.ok(decodeAll(bad + '0\r\n\r\n', 1).failed, JSON.stringify(bad));
  }
});

test('router: exact, prefix, HEAD→GET, order, miss', () => {
  const r = new Router();
  const h = (name: string) => Object.assign(() => {}, { tag: name });
  r.get('/', h('root')).get('/bytes/*', h('bytes')).post('/echo', h('echo'), { maxBody: 10 });
  assert.is((r.match('GET', '/')!.route.handler as any).tag, 'root');
  assert.is(r.match('GET', '/bytes/42')!.param, '42');
  assert.is(r.match('HEAD', '/bytes/')!.param, '');
  assert.is(r.match('POST', '/echo')!.route.maxBody, 10);
  assert.is(r.match('GET', '/echo'), null);
  assert.is(r.match('GET', '/bytes'), null);
  assert.is(r.match('PUT', '/'), null);
});

test.run();
