// Edge cases of each format, one at a time: what is accepted, what is rejected and why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEthernet, emitEthernetHeader, isBroadcastMac, newEthernetRepr } from '../../tcp/wire/ethernet';
import { macToString, parseMac } from '../../tcp/wire/mac-text';
import { writeU16 } from '../../tcp/wire/bytes';
import { parseArp, emitArp, ArpRepr } from '../../tcp/wire/arp';
import {
  parseIpv4Header, emitIpv4Header, newIpv4Repr, ipv4Version, ipv4HeaderLength, ipv4Protocol, ipv4Src, ipv4Dst, IPV4_CHECKSUM,
} from '../../tcp/wire/ipv4';
import { parseIcmp, emitIcmp, IcmpRepr } from '../../tcp/wire/icmp';
import { parseUdp, emitUdpHeader, udpSrcPort, udpDstPort } from '../../tcp/wire/udp';
import { internetChecksum } from '../../tcp/wire/checksum';
import { parseIpv4Address as addr } from '../../tcp/wire/ipv4-address';
import { isWireError, ETHERTYPE_IPV4, ETHERTYPE_ARP, IP_PROTO_UDP } from '../../tcp/wire/reprs';

const A = addr('192.168.7.10') as number;
const B = addr('192.168.7.1') as number;

function must<T>(r: T | string): T {
  if (isWireError(r)) throw new Error('unexpected WireError ' + r);
  return r as T;
}

// ---- Ethernet (IEEE 802.3 Ethernet II)
test('ethernet: header fields, views and payload bounds at a non-zero offset', () => {
  const buf = new Uint8Array(100);
  const dst = parseMac('ff:ff:ff:ff:ff:ff')!;
  const src = parseMac('02-00-5E-10-00-01')!;
  assert.is(emitEthernetHeader(buf, 4, dst, src, ETHERTYPE_ARP), 14);
  const out = newEthernetRepr();
  const r = must(parseEthernet(buf, 4, 60, out));
  assert.is(r, out, 'fills the object it was given');
  assert.ok(isBroadcastMac(r.dst));
  assert.not.ok(isBroadcastMac(r.src));
  assert.is(macToString(r.src), '02:00:5e:10:00:01');
  assert.is(r.ethertype, ETHERTYPE_ARP);
  assert.is(r.payloadOffset, 18);
  assert.is(r.payloadLength, 46);
  buf[10] = 0x77; // the views share the frame's memory
  assert.is(r.src[0], 0x77);
  writeU16(buf, 4 + 12, ETHERTYPE_IPV4); // the type field
  assert.is(must(parseEthernet(buf, 4, 14)).ethertype, ETHERTYPE_IPV4);
});

test('ethernet: short frames, 802.3 length fields and ranges outside the buffer are rejected', () => {
  const buf = new Uint8Array(20);
  buf[12] = 0x08;
  assert.is(parseEthernet(buf, 0, 13), 'eth-truncated');
  assert.is(must(parseEthernet(buf, 0, 14)).payloadLength, 0);
  buf[12] = 0x05; buf[13] = 0xdc; // 1500: an 802.3 length
  assert.is(parseEthernet(buf, 0, 20), 'eth-not-ethernet-ii');
  assert.is(parseEthernet(buf, 10, 14), 'eth-bad-range');
  assert.is(parseEthernet(buf, -1, 14), 'eth-bad-range');
});

test('ethernet: MAC text', () => {
  assert.is(parseMac('aa:bb:cc:dd:ee'), null);
  assert.is(parseMac('aa:bb:cc:dd:ee:fg'), null);
  assert.is(parseMac('aa:bb:cc:dd:ee:100'), null);
  assert.is(macToString(parseMac('0:1:a:ff:10:0')!), '00:01:0a:ff:10:00');
});

// ---- ARP (RFC 826)
function arpRequest(): Uint8Array {
  const b = new Uint8Array(46); // padded to the Ethernet minimum
  const r: ArpRepr = { op: 1, senderMac: parseMac('02:00:00:00:00:01')!, senderIp: A, targetMac: new Uint8Array(6), targetIp: B };
  assert.is(emitArp(r, b, 0), 28);
  return b;
}

test('arp: a padded request parses; a reply built over it in place is correct', () => {
  const b = arpRequest();
  const r = must(parseArp(b, 0, b.length));
  assert.is(r.op, 1);
  assert.is(r.senderIp, A);
  assert.is(r.targetIp, B);
  // Answer in the same buffer: the target becomes the old sender (RFC 826 "swap").
  const us = parseMac('02:00:00:00:00:99')!;
  emitArp({ op: 2, senderMac: us, senderIp: B, targetMac: r.senderMac, targetIp: A }, b, 0);
  const reply = must(parseArp(b, 0, 28));
  assert.is(reply.op, 2);
  assert.is(macToString(reply.targetMac), '02:00:00:00:00:01');
  assert.is(macToString(reply.senderMac), '02:00:00:00:00:99');
  assert.is(reply.senderIp, B);
});

test('arp: other hardware/protocol types, address lengths, opcodes and short packets are rejected', () => {
  const cases: Array<[number, number, string]> = [[1, 6, 'arp-bad-htype'], [3, 0x86, 'arp-bad-ptype'], [4, 8, 'arp-bad-addr-len'], [5, 16, 'arp-bad-addr-len'], [7, 3, 'arp-bad-op']];
  for (const [at, v, err] of cases) {
    const b = arpRequest();
    b[at] = v;
    assert.is(parseArp(b, 0, 28), err);
  }
  assert.is(parseArp(arpRequest(), 0, 27), 'arp-truncated');
});

// ---- IPv4 (RFC 791)
function ipPacket(payloadLength: number, pad = 0): Uint8Array {
  const b = new Uint8Array(20 + payloadLength + pad);
  const r = newIpv4Repr();
  r.src = A; r.dst = B; r.protocol = IP_PROTO_UDP; r.id = 0xbeef; r.ttl = 63; r.tos = 0xb8;
  r.dontFragment = true; r.payloadLength = payloadLength;
  emitIpv4Header(r, b, 0);
  return b;
}

function fixIpChecksum(b: Uint8Array, off = 0): void {
  b[off + 10] = 0; b[off + 11] = 0;
  const c = internetChecksum(b, off, (b[off] & 15) * 4);
  b[off + 10] = c >> 8; b[off + 11] = c & 255;
}

test('ipv4: fields, Ethernet padding beyond Total Length is ignored', () => {
  const b = ipPacket(6, 20);
  const r = must(parseIpv4Header(b, 0, b.length));
  assert.is(r.payloadLength, 6);
  assert.is(r.totalLength, 26);
  assert.is(r.id, 0xbeef);
  assert.is(r.ttl, 63);
  assert.is(r.tos, 0xb8);
  assert.ok(r.dontFragment);
  assert.not.ok(r.moreFragments);
  b[8] = 1; // TTL
  assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-bad-checksum', 'a changed field needs a new checksum');
  fixIpChecksum(b);
  assert.is(must(parseIpv4Header(b, 0, b.length)).ttl, 1);
});

test('ipv4: the field readers for an unparsed header (an ICMP error quotes one) read what parse reads', () => {
  const b = new Uint8Array(4 + 28);
  const r = newIpv4Repr();
  r.src = A; r.dst = B; r.protocol = IP_PROTO_UDP; r.payloadLength = 8;
  emitIpv4Header(r, b, 4);
  b[4 + IPV4_CHECKSUM] ^= 0xff; // a quoted header's checksum need not hold: the readers do not look
  assert.is(ipv4Version(b, 4), 4);
  assert.is(ipv4HeaderLength(b, 4), 20);
  assert.is(ipv4Protocol(b, 4), IP_PROTO_UDP);
  assert.is(ipv4Src(b, 4), A);
  assert.is(ipv4Dst(b, 4), B);
  b[4] = 0x46;
  assert.is(ipv4HeaderLength(b, 4), 24);
});

test('ipv4: fragment fields round-trip (offset in bytes, 8-byte units on the wire)', () => {
  const b = new Uint8Array(40);
  const r = newIpv4Repr();
  r.moreFragments = true; r.fragmentOffset = 1480; r.payloadLength = 20;
  emitIpv4Header(r, b, 0);
  assert.is((b[6] << 8) | b[7], 0x2000 | 185);
  const p = must(parseIpv4Header(b, 0, 40));
  assert.ok(p.moreFragments);
  assert.is(p.fragmentOffset, 1480);
});

test('ipv4: bad version, IHL < 5, header or total length beyond the data, bad checksum', () => {
  let b = ipPacket(8);
  b[0] = 0x65; fixIpChecksum(b);
  assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-bad-version');
  for (let ihl = 0; ihl < 5; ihl++) {
    b = ipPacket(8); b[0] = 0x40 | ihl;
    assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-bad-ihl', 'IHL ' + ihl);
  }
  b = ipPacket(8); b[0] = 0x4f; // 60-byte header in a 28-byte packet
  assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-truncated');
  b = ipPacket(8); b[3] = 19; fixIpChecksum(b);
  assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-bad-total-length');
  b = ipPacket(8); b[3] = 29; fixIpChecksum(b);
  assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-truncated', 'Total Length lies beyond the frame');
  b = ipPacket(8); b[15] ^= 1;
  assert.is(parseIpv4Header(b, 0, b.length), 'ipv4-bad-checksum');
  assert.is(parseIpv4Header(b, 0, 19), 'ipv4-truncated');
});

/** A 24..60-byte header with the given option bytes (padded with EOL) and no payload. */
function withOptions(opts: number[]): Uint8Array {
  const hl = 20 + ((opts.length + 3) & ~3);
  const b = new Uint8Array(hl);
  const r = newIpv4Repr();
  emitIpv4Header(r, b, 0);
  b.set(opts, 20);
  b[0] = 0x40 | (hl / 4);
  b[3] = hl;
  fixIpChecksum(b);
  return b;
}

test('ipv4: options — NOP/EOL and well-formed options accepted; length 0, 1 or overlong rejected', () => {
  const ok = withOptions([1, 1, 0x94, 4, 0, 0]); // NOP NOP Router Alert (RFC 2113)
  const r = must(parseIpv4Header(ok, 0, ok.length));
  assert.is(r.headerLength, 28);
  assert.is(r.payloadOffset, 28);
  assert.is(r.payloadLength, 0);
  must(parseIpv4Header(withOptions([0, 0x94, 0]), 0, 24)); // after EOL nothing is read
  assert.is(parseIpv4Header(withOptions([0x94, 0]), 0, 24), 'ipv4-bad-option');
  assert.is(parseIpv4Header(withOptions([0x94, 1]), 0, 24), 'ipv4-bad-option');
  assert.is(parseIpv4Header(withOptions([1, 1, 0x94, 3]), 0, 24), 'ipv4-bad-option'); // reaches past the header
  assert.is(parseIpv4Header(withOptions([1, 1, 1, 0x94]), 0, 24), 'ipv4-bad-option'); // no room for its length
});

// ---- ICMP (RFC 792)
test('icmp: echo request with odd payload at an odd offset round-trips; corrupted data fails the checksum', () => {
  const b = new Uint8Array(3 + 8 + 5);
  b.set([1, 2, 3, 4, 5], 11);
  const e: IcmpRepr = { type: 8, code: 0, restOfHeader: (0x1234 << 16 | 7) >>> 0, payloadOffset: 0, payloadLength: 5 };
  assert.is(emitIcmp(e, b, 3), 13);
  const r = must(parseIcmp(b, 3, 13));
  assert.is(r.type, 8);
  assert.is(r.restOfHeader >>> 16, 0x1234);
  assert.is(r.restOfHeader & 0xffff, 7);
  assert.is(r.payloadOffset, 11);
  assert.is(r.payloadLength, 5);
  b[15] ^= 0x40;
  assert.is(parseIcmp(b, 3, 13), 'icmp-bad-checksum');
  assert.is(parseIcmp(b, 3, 7), 'icmp-truncated');
});

// ---- UDP (RFC 768)
function udpDatagram(payload: number[], srcPort = 5353, dstPort = 53): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  b.set(payload, 8);
  emitUdpHeader(b, 0, srcPort, dstPort, payload.length, A, B);
  return b;
}

test('udp: fields and checksum; a zero checksum means none and is accepted', () => {
  const b = udpDatagram([104, 105, 33]);
  const r = must(parseUdp(b, 0, b.length, A, B));
  assert.is(r.srcPort, 5353);
  assert.is(r.dstPort, 53);
  assert.is(r.datagramLength, 11);
  assert.is(r.payloadOffset, 8);
  assert.is(r.payloadLength, 3);
  assert.is(parseUdp(b, 0, b.length, A, B + 1), 'udp-bad-checksum', 'the pseudo-header covers the addresses');
  writeU16(b, 6, 0); // the checksum field
  must(parseUdp(b, 0, b.length, A, B + 1));
  assert.is(udpSrcPort(b, 0), 5353, 'port readers for an unparsed (quoted) header');
  assert.is(udpDstPort(b, 0), 53);
});

test('udp: Length below 8 or beyond the data is rejected; bytes beyond Length are ignored', () => {
  const b = udpDatagram([1, 2, 3, 4]);
  const setLength = (n: number): void => writeU16(b, 4, n);
  writeU16(b, 6, 0); // no checksum
  setLength(7);
  assert.is(parseUdp(b, 0, b.length, A, B), 'udp-bad-length');
  setLength(13);
  assert.is(parseUdp(b, 0, b.length, A, B), 'udp-truncated');
  setLength(10);
  assert.is(must(parseUdp(b, 0, b.length, A, B)).payloadLength, 2);
  assert.is(parseUdp(b, 0, 7, A, B), 'udp-truncated');
});

test('udp: a computed checksum of 0 is sent as 0xffff (RFC 768)', () => {
  let found = false;
  for (let x = 0; x < 0x10000 && !found; x++) {
    const b = udpDatagram([x >> 8, x & 255]);
    if ((b[6] << 8 | b[7]) === 0xffff) {
      found = true;
      must(parseUdp(b, 0, b.length, A, B));
    }
  }
  assert.ok(found, 'some 2-byte payload sums to a zero checksum');
});

// ---- Dotted quads (configuration text)
test('dotted quads: 1 to 3 digits per part, each at most 255, exactly four parts', () => {
  assert.is(addr('0.0.0.0'), 0);
  assert.is(addr('255.255.255.255'), 0xffffffff);
  assert.is(addr('010.1.2.3'), 0x0a010203, 'leading zeros are decimal');
  for (const bad of ['1.2.3', '1.2.3.4.5', '1.2.3.256', '1.2.3.0001', '1.2.3.', '1.2..4', '1.2.3.-1', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.x', '1.2.3.4{']) {
    assert.is(addr(bad), -1, JSON.stringify(bad));
  }
});

test.run();
