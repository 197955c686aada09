// The kernel comparison's relay clamps the client's advertised window (bench/linux-compare.ts,
// clampWindow): the rewritten segment must still carry a valid checksum, honour the window scale
// announced in the SYN, and leave small windows and other frames alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clampWindow } from '../../bench/linux-compare';
import { emitTcp, parseTcp, tcpHeaderLength } from '../../tcp/wire/tcp';
import { newTcpRepr, isWireError, TCP_ACK, TCP_SYN, TcpRepr } from '../../tcp/wire/reprs';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

const SRC = parseIpv4Address('10.80.1.1') as number;
const DST = parseIpv4Address('10.80.1.2') as number;

/** Ethernet + 20-byte IPv4 header (only the fields clampWindow reads) + TCP segment with `data` payload bytes. */
function frame(flags: number, window: number, windowScale = -1, data = 0): Uint8Array {
  const buf = new Uint8Array(14 + 20 + 60 + data);
  buf[12] = 8; buf[13] = 0; // IPv4
  buf[14] = 0x45; buf[23] = 6; // version/IHL, protocol TCP
  const r: TcpRepr = newTcpRepr();
  r.srcPort = 40000; r.dstPort = 80; r.seq = 123456789; r.ack = 987654321; r.flags = flags; r.window = window;
  r.windowScale = windowScale;
  r.payloadLength = data;
  const payloadAt = 34 + tcpHeaderLength(r);
  for (let i = 0; i < data; i++) buf[payloadAt + i] = (i * 7 + 3) & 255;
  const len = emitTcp(r, buf, 34, SRC, DST);
  return buf.subarray(0, 34 + len);
}

function tcpOf(f: Uint8Array): TcpRepr {
  const r = parseTcp(f, 34, f.length - 34, SRC, DST, newTcpRepr());
  if (isWireError(r)) throw new Error('bad segment: ' + r);
  return r;
}

test('a large window is clamped and the checksum stays valid', () => {
  const shifts = {};
  const out = clampWindow(frame(TCP_ACK, 65535, -1, 100), 8192, shifts);
  assert.is(tcpOf(out).window, 8192);
});

test('the window scale from the SYN is honoured: field = clamp >> shift', () => {
  const shifts = {};
  const syn = clampWindow(frame(TCP_SYN, 64240, 7), 8192, shifts);
  assert.is(tcpOf(syn).window, 8192); // a SYN's window is never scaled (RFC 7323 §2.2)
  const ack = clampWindow(frame(TCP_ACK, 502), 8192, shifts);
  assert.is(tcpOf(ack).window, 8192 >> 7);
});

test('a window already small enough, and non-TCP frames, pass unchanged (same object)', () => {
  const f = frame(TCP_ACK, 4000);
  assert.is(clampWindow(f, 8192, {}), f);
  const arp = new Uint8Array(60);
  arp[12] = 8; arp[13] = 6;
  assert.is(clampWindow(arp, 8192, {}), arp);
});

test.run();
