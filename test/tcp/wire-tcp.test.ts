import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTcp, emitTcp, tcpHeaderLength } from '../../tcp/wire/tcp';
import { newTcpRepr, isWireError, TcpRepr, TCP_SYN, TCP_ACK } from '../../tcp/wire/reprs';
import { SeededRandom } from '../../hal/sim/random';

const SRC = 0x0a000001;
const DST = 0x0a000002;

test('emit → parse round trip with every option, payload at the right place', () => {
  const r = newTcpRepr();
  Object.assign(r, { srcPort: 1234, dstPort: 80, seq: 0xfffffff0, ack: 7, flags: TCP_SYN | TCP_ACK, window: 5000,
    mss: 1460, windowScale: 7, sackPermitted: true, hasTimestamp: true, tsVal: 11, tsEcr: 22, sack: [1, 2, 3, 4] });
  const hl = tcpHeaderLength(r);
  assert.is(hl, 20 + 4 + 4 + 4 + 12 + 12, 'one SACK block fits beside the others (40 option bytes)');
  const buf = new Uint8Array(200);
  buf.set([9, 8, 7], 3 + hl);
  r.payloadLength = 3;
  const n = emitTcp(r, buf, 3, SRC, DST);
  assert.is(n, hl + 3);
  const p = parseTcp(buf, 3, n, SRC, DST, newTcpRepr()) as TcpRepr;
  assert.not.ok(isWireError(p));
  assert.is(p.seq, 0xfffffff0);
  assert.is(p.ack, 7);
  assert.is(p.mss, 1460);
  assert.is(p.windowScale, 7);
  assert.ok(p.sackPermitted);
  assert.ok(p.hasTimestamp);
  assert.is(p.tsVal, 11);
  assert.is(p.tsEcr, 22);
  assert.equal(p.sack, [1, 2]);
  assert.is(p.payloadOffset, 3 + hl);
  assert.equal(Array.from(buf.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength)), [9, 8, 7]);
});

test('checksum: a flipped bit or the wrong pseudo-header is rejected', () => {
  const r = newTcpRepr();
  r.srcPort = 1; r.dstPort = 2; r.flags = TCP_ACK; r.payloadLength = 5;
  const buf = new Uint8Array(64);
  buf.set([1, 2, 3, 4, 5], 20);
  const n = emitTcp(r, buf, 0, SRC, DST);
  assert.not.ok(isWireError(parseTcp(buf, 0, n, SRC, DST, newTcpRepr())));
  assert.is(parseTcp(buf, 0, n, SRC, DST + 1, newTcpRepr()), 'tcp-checksum');
  buf[22] ^= 0x10;
  assert.is(parseTcp(buf, 0, n, SRC, DST, newTcpRepr()), 'tcp-checksum');
});

test('malformed headers and options are errors, not exceptions', () => {
  const r = newTcpRepr();
  r.flags = TCP_SYN; r.mss = 1000;
  const buf = new Uint8Array(64);
  const n = emitTcp(r, buf, 0, SRC, DST);
  assert.is(parseTcp(buf, 0, 19, SRC, DST, newTcpRepr()), 'tcp-truncated');
  const bad = new Uint8Array(buf.subarray(0, n));
  bad[21] = 9; // MSS option length 9 runs past the header
  assert.is(parseTcp(bad, 0, n, SRC, DST, newTcpRepr()), 'tcp-checksum');
  const off = new Uint8Array(buf.subarray(0, n));
  off[12] = 0x40; // data offset 4 words
  assert.is(parseTcp(off, 0, n, SRC, DST, newTcpRepr()), 'tcp-bad-offset');
});

test('total on random input: never throws, never reads outside the range', () => {
  const rnd = new SeededRandom(9);
  const out = newTcpRepr();
  for (let i = 0; i < 20000; i++) {
    const len = rnd.nextInt(80);
    const buf = new Uint8Array(len + 4);
    for (let k = 0; k < buf.length; k++) buf[k] = rnd.nextInt(256);
    if (len >= 20) { buf[2 + 12] = (5 + rnd.nextInt(11)) << 4; }
    // Fix the checksum so option parsing is reached half of the time.
    const res = parseTcp(buf, 2, len, SRC, DST, out);
    assert.ok(isWireError(res) || (res.payloadOffset + res.payloadLength <= 2 + len));
  }
});

test('options parsed past NOPs; unknown options skipped by length; window scale clamped to 14', () => {
  const buf = new Uint8Array(40);
  buf[12] = (32 / 4) << 4;
  buf[13] = TCP_SYN;
  buf.set([1, 99, 4, 0, 0, 3, 3, 20, 2, 4, 5, 0], 20); // NOP, unknown(99) len 4, WS=20, MSS=1280
  buf[16] = 0; buf[17] = 0;
  const { internetChecksum, pseudoHeaderSum } = require('../../tcp/wire/checksum');
  const cs = internetChecksum(buf, 0, 32, pseudoHeaderSum(SRC, DST, 6, 32));
  buf[16] = cs >> 8; buf[17] = cs & 255;
  const p = parseTcp(buf, 0, 32, SRC, DST, newTcpRepr()) as TcpRepr;
  assert.not.ok(isWireError(p), String(p));
  assert.is(p.windowScale, 14);
  assert.is(p.mss, 1280);
});

test.run();
