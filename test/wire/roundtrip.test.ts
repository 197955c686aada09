// parse(emit(x)) = x for random representations of every format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { parseEthernet, emitEthernetHeader } from '../../tcp/wire/ethernet';
import { parseArp, emitArp } from '../../tcp/wire/arp';
import { parseIpv4Header, emitIpv4Header, Ipv4Repr } from '../../tcp/wire/ipv4';
import { parseIcmp, emitIcmp } from '../../tcp/wire/icmp';
import { parseUdp, emitUdpHeader } from '../../tcp/wire/udp';
import { parseTcp, emitTcp, tcpHeaderLength } from '../../tcp/wire/tcp';
import { parseDhcp, emitDhcp, DhcpRepr } from '../../tcp/wire/dhcp';
import { emitDnsQuery, parseDnsResponse } from '../../tcp/wire/dns';
import { isWireError, newTcpRepr, TcpRepr } from '../../tcp/wire/reprs';

const u32 = fc.nat(0xffffffff);
const u16 = fc.nat(0xffff);
const u8 = fc.nat(255);
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
const RUNS = { seed: 42, numRuns: 400 };

function ok<T>(r: T | string): T {
  if (isWireError(r)) throw new Error('rejected: ' + r);
  return r as T;
}
const arr = (b: Uint8Array) => Array.from(b);

test('ethernet', () => {
  fc.assert(fc.property(mac, mac, fc.integer({ min: 0x0600, max: 0xffff }), fc.nat(1500), fc.nat(5), (dst, src, type, plen, off) => {
    const b = new Uint8Array(off + 14 + plen);
    emitEthernetHeader(b, off, dst, src, type);
    const r = ok(parseEthernet(b, off, 14 + plen));
    assert.equal([arr(r.dst), arr(r.src), r.ethertype, r.payloadOffset, r.payloadLength], [arr(dst), arr(src), type, off + 14, plen]);
  }), RUNS);
});

test('arp', () => {
  fc.assert(fc.property(fc.constantFrom(1, 2), mac, u32, mac, u32, fc.nat(5), (op, sm, si, tm, ti, off) => {
    const b = new Uint8Array(off + 28);
    emitArp({ op, senderMac: sm, senderIp: si, targetMac: tm, targetIp: ti }, b, off);
    const r = ok(parseArp(b, off, 28));
    assert.equal([r.op, arr(r.senderMac), r.senderIp, arr(r.targetMac), r.targetIp], [op, arr(sm), si, arr(tm), ti]);
  }), RUNS);
});

test('ipv4', () => {
  const repr = fc.record({
    src: u32, dst: u32, protocol: u8, ttl: u8, tos: u8, id: u16, dontFragment: fc.boolean(), moreFragments: fc.boolean(),
    fragmentOffset: fc.nat(0x1fff).map((x) => x * 8), payloadLength: fc.nat(1480),
  });
  fc.assert(fc.property(repr, fc.nat(5), fc.nat(30), (x, off, pad) => {
    const b = new Uint8Array(off + 20 + x.payloadLength + pad);
    const full: Ipv4Repr = Object.assign({ headerLength: 20, totalLength: 20 + x.payloadLength, payloadOffset: off + 20 }, x);
    assert.is(emitIpv4Header(full, b, off), 20);
    assert.equal(ok(parseIpv4Header(b, off, b.length - off)), full);
  }), RUNS);
});

test('icmp', () => {
  fc.assert(fc.property(u8, u8, u32, fc.uint8Array({ maxLength: 600 }), fc.nat(5), (type, code, rest, payload, off) => {
    const b = new Uint8Array(off + 8 + payload.length);
    b.set(payload, off + 8);
    const x = { type, code, restOfHeader: rest, payloadOffset: off + 8, payloadLength: payload.length };
    assert.is(emitIcmp(x, b, off), 8 + payload.length);
    assert.equal(ok(parseIcmp(b, off, 8 + payload.length)), x);
  }), RUNS);
});

test('udp', () => {
  fc.assert(fc.property(u16, u16, fc.uint8Array({ maxLength: 1472 }), u32, u32, fc.nat(5), (sp, dp, payload, si, di, off) => {
    const b = new Uint8Array(off + 8 + payload.length);
    b.set(payload, off + 8);
    assert.is(emitUdpHeader(b, off, sp, dp, payload.length, si, di), 8);
    assert.ok(((b[off + 6] << 8) | b[off + 7]) !== 0, 'never a zero checksum');
    assert.equal(ok(parseUdp(b, off, 8 + payload.length, si, di)),
      { srcPort: sp, dstPort: dp, datagramLength: 8 + payload.length, payloadOffset: off + 8, payloadLength: payload.length });
  }), RUNS);
});

// TCP options that fit 40 bytes: a SYN's set (MSS, WS, SACK-permitted, timestamps), or a data
// segment's (timestamps and up to 3 SACK blocks, or up to 4 blocks without timestamps).
const tcpRepr: fc.Arbitrary<TcpRepr> = fc.record({
  srcPort: u16, dstPort: u16, seq: u32, ack: u32, flags: u8, window: u16, urgent: u16,
  syn: fc.boolean(), mss: fc.nat(0xffff), windowScale: fc.integer({ min: -1, max: 14 }), sackPermitted: fc.boolean(),
  hasTimestamp: fc.boolean(), tsVal: u32, tsEcr: u32, blocks: fc.array(fc.tuple(u32, u32), { maxLength: 4 }),
}).map((x) => {
  const r = newTcpRepr();
  Object.assign(r, { srcPort: x.srcPort, dstPort: x.dstPort, seq: x.seq, ack: x.ack, flags: x.flags, window: x.window, urgent: x.urgent,
    hasTimestamp: x.hasTimestamp, tsVal: x.hasTimestamp ? x.tsVal : 0, tsEcr: x.hasTimestamp ? x.tsEcr : 0 });
  if (x.syn) {
    r.mss = x.mss; r.windowScale = x.windowScale; r.sackPermitted = x.sackPermitted;
  } else {
    const n = Math.min(x.blocks.length, x.hasTimestamp ? 3 : 4);
    for (let i = 0; i < n; i++) r.sack.push(x.blocks[i][0], x.blocks[i][1]);
  }
  return r;
});

test('tcp (tcp/wire/tcp.ts)', () => {
  fc.assert(fc.property(tcpRepr, fc.uint8Array({ maxLength: 1460 }), u32, u32, fc.nat(5), (x, payload, si, di, off) => {
    const hl = tcpHeaderLength(x);
    assert.ok(hl <= 60 && hl % 4 === 0, 'header length ' + hl);
    const b = new Uint8Array(off + hl + payload.length);
    b.set(payload, off + hl);
    x.payloadOffset = off + hl;
    x.payloadLength = payload.length;
    assert.is(emitTcp(x, b, off, si, di), hl + payload.length);
    assert.equal(ok(parseTcp(b, off, hl + payload.length, si, di, newTcpRepr())), x);
  }), RUNS);
});

test('dhcp', () => {
  const nz = fc.integer({ min: 1, max: 0xffffffff });
  const repr: fc.Arbitrary<DhcpRepr> = fc.record({
    op: fc.constantFrom(1, 2), xid: u32, secs: u16, flags: fc.constantFrom(0, 0x8000), ciaddr: u32, yiaddr: u32, siaddr: u32, giaddr: u32,
    chaddr: mac, messageType: fc.integer({ min: 1, max: 8 }),
    serverId: fc.oneof(fc.constant(0), nz), requestedIp: fc.oneof(fc.constant(0), nz), leaseTime: fc.oneof(fc.constant(0), nz),
    renewalTime: fc.oneof(fc.constant(0), nz), rebindingTime: fc.oneof(fc.constant(0), nz), subnetMask: fc.oneof(fc.constant(0), nz),
    router: fc.oneof(fc.constant(0), nz), dnsServers: fc.array(u32, { maxLength: 4 }),
    hostname: fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    parameterRequestList: fc.array(u8, { maxLength: 20 }),
  });
  fc.assert(fc.property(repr, fc.nat(5), (x, off) => {
    const b = new Uint8Array(off + 600);
    const n = emitDhcp(x, b, off);
    const r = ok(parseDhcp(b, off, n));
    assert.equal(arr(r.chaddr), arr(x.chaddr));
    r.chaddr = x.chaddr;
    assert.equal(r, Object.assign({}, x)); // fc.record objects have no prototype
  }), RUNS);
});

test('dns: a query for any encodable name, answered with a pointer to its question, reads back the name', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  const name = fc.array(label, { minLength: 1, maxLength: 6 }).map((l) => l.join('.')).filter((s) => s.length <= 253);
  fc.assert(fc.property(name, u16, u32, u32, fc.nat(5), (n, id, ttl, address, off) => {
    const b = new Uint8Array(off + 12 + 255 + 4 + 16);
    const len = emitDnsQuery(b, off, id, n);
    if (isWireError(len)) throw new Error(len + ' for ' + n);
    // Turn it into a response: QR|RD|RA, ANCOUNT 1, answer = pointer to the question name, A IN.
    b[off + 2] = 0x81; b[off + 3] = 0x80; b[off + 7] = 1;
    const a = off + len;
    b.set([0xc0, 12, 0, 1, 0, 1, ttl >>> 24, (ttl >>> 16) & 255, (ttl >>> 8) & 255, ttl & 255, 0, 4,
      address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255], a);
    const r = ok(parseDnsResponse(b, off, len + 16));
    assert.equal(r, { id, rcode: 0, truncated: false, answers: [{ name: n, type: 1, ttl, address }] });
  }), RUNS);
});

test.run();
