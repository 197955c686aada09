// DHCP message layout (RFC 2131 §2) and options (RFC 2132).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDhcp, emitDhcp, newDhcpRepr, DHCPDISCOVER, DHCPACK, DHCP_MAGIC, DHCP_OPTIONS, BOOTREPLY, DHCP_FLAG_BROADCAST } from '../../tcp/wire/dhcp';
import { parseMac } from '../../tcp/wire/mac-text';
import { parseIpv4Address as addr } from '../../tcp/wire/ipv4-address';
import { isWireError } from '../../tcp/wire/reprs';

function discover(): Uint8Array {
  const r = newDhcpRepr();
  r.xid = 0xdeadbeef; r.flags = DHCP_FLAG_BROADCAST; r.messageType = DHCPDISCOVER;
  r.chaddr = parseMac('02:00:00:00:00:07')!; r.hostname = 'espruino'; r.parameterRequestList = [1, 3, 6, 51];
  const b = new Uint8Array(576);
  const n = emitDhcp(r, b, 0);
  return b.subarray(0, n);
}

test('a DISCOVER is padded to 300 bytes, has the magic cookie and parses back', () => {
  const b = discover();
  assert.is(b.length, 300);
  assert.is(((b[236] << 24) | (b[237] << 16) | (b[238] << 8) | b[239]) >>> 0, DHCP_MAGIC);
  assert.equal(Array.from(b.subarray(240, 243)), [53, 1, 1]);
  const r = parseDhcp(b, 0, b.length);
  if (isWireError(r)) return assert.unreachable(r);
  assert.is(r.xid, 0xdeadbeef);
  assert.is(r.flags, 0x8000);
  assert.is(r.hostname, 'espruino');
  assert.equal(r.parameterRequestList, [1, 3, 6, 51]);
  assert.is(r.leaseTime, 0, 'absent options read as 0');
  assert.equal(r.dnsServers, []);
});

test('an ACK with every option we model round-trips', () => {
  const r = newDhcpRepr();
  r.op = BOOTREPLY; r.xid = 1; r.yiaddr = addr('10.0.0.50') as number; r.siaddr = addr('10.0.0.1') as number;
  r.messageType = DHCPACK; r.serverId = addr('10.0.0.1') as number; r.leaseTime = 0xffffffff;
  r.renewalTime = 1800; r.rebindingTime = 3150; r.subnetMask = addr('255.255.255.0') as number;
  r.router = addr('10.0.0.1') as number; r.dnsServers = [addr('10.0.0.1') as number, addr('9.9.9.9') as number];
  r.chaddr = parseMac('02:00:00:00:00:07')!;
  const b = new Uint8Array(576);
  const n = emitDhcp(r, b, 0);
  const p = parseDhcp(b, 0, n);
  if (isWireError(p)) return assert.unreachable(p);
  p.chaddr = r.chaddr;
  assert.equal(p, r);
});

test('bad op, hardware type, cookie, truncated options, wrong option lengths and no message type are rejected', () => {
  const mutate = (at: number, v: number) => { const b = new Uint8Array(discover()); b[at] = v; return parseDhcp(b, 0, b.length); };
  assert.is(mutate(0, 3), 'dhcp-bad-op');
  assert.is(mutate(1, 6), 'dhcp-bad-htype');
  assert.is(mutate(2, 16), 'dhcp-bad-htype');
  assert.is(mutate(239, 0), 'dhcp-bad-cookie');
  assert.is(mutate(241, 2), 'dhcp-bad-option', 'message type of length 2');
  assert.is(mutate(242, 9), 'dhcp-no-message-type', 'type 9 is not a DHCP message');
  assert.is(mutate(240, 0), 'dhcp-bad-option', 'type option turned into PAD: its length byte reads as option 1 (subnet mask) of length 1');
  const b = discover();
  assert.is(parseDhcp(b, 0, 239), 'dhcp-truncated');
  // Cut inside the hostname option: its length now reaches past the end.
  assert.is(parseDhcp(b, 0, DHCP_OPTIONS + 5), 'dhcp-bad-option');
  const noType = new Uint8Array(b);
  noType.fill(0, DHCP_OPTIONS, DHCP_OPTIONS + 3);
  assert.is(parseDhcp(noType, 0, noType.length), 'dhcp-no-message-type');
});

test('unknown options are skipped by length; router and DNS lists must be multiples of 4', () => {
  const b = new Uint8Array(discover());
  const o = DHCP_OPTIONS + 3;
  b.set([250, 3, 9, 9, 9, 3, 8, 10, 0, 0, 1, 10, 0, 0, 2, 6, 4, 1, 1, 1, 1, 255], o);
  const r = parseDhcp(b, 0, b.length);
  if (isWireError(r)) return assert.unreachable(r);
  assert.is(r.router, addr('10.0.0.1') as number, 'first router of the list');
  assert.equal(r.dnsServers, [addr('1.1.1.1') as number]);
  b[o + 6] = 6;
  assert.is(parseDhcp(b, 0, b.length), 'dhcp-bad-option');
});

test('a message that does not fit the buffer is not written (0 returned)', () => {
  const r = newDhcpRepr();
  r.messageType = DHCPDISCOVER;
  assert.is(emitDhcp(r, new Uint8Array(299), 0), 0);
  const b = new Uint8Array(310);
  assert.is(emitDhcp(r, b, 11), 0);
  assert.ok(b.every((x) => x === 0), 'nothing written');
  assert.is(emitDhcp(r, b, 10), 300);
  r.hostname = 'h'.repeat(100);
  r.dnsServers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const n = emitDhcp(r, new Uint8Array(600), 0);
  assert.is(n, 240 + 3 + (2 + 60) + (2 + 100) + 1, 'longer than 300: exactly up to END');
  assert.is(emitDhcp(r, new Uint8Array(n - 1), 0), 0);
});

test('options are emitted in the documented order, the rest of the message is zero', () => {
  const r = newDhcpRepr();
  r.messageType = DHCPACK; r.router = 0x0a000001; r.subnetMask = 0xffffff00; r.serverId = 0x0a000001;
  r.requestedIp = 0x0a000032; r.leaseTime = 3600; r.renewalTime = 1800; r.rebindingTime = 3150;
  const b = new Uint8Array(400).fill(0xee);
  const n = emitDhcp(r, b, 50);
  assert.is(n, 300);
  const codes: number[] = [];
  let i = 50 + DHCP_OPTIONS;
  while (b[i] !== 255) { codes.push(b[i]); i += 2 + b[i + 1]; }
  assert.equal(codes, [53, 50, 54, 51, 58, 59, 1, 3]);
  assert.ok(b.subarray(i + 1, 50 + n).every((x) => x === 0), 'zero padding after END');
  assert.ok(b.subarray(50 + 44, 50 + 236).every((x) => x === 0), 'sname and file are zero');
  assert.is(b[49], 0xee, 'nothing before the message');
  assert.is(b[50 + n], 0xee, 'nothing after it');
});

test('a repeated hostname option replaces the earlier one; a repeated request list is joined', () => {
  const b = new Uint8Array(discover());
  const o = DHCP_OPTIONS + 3;
  b.set([12, 2, 104, 49, 12, 2, 104, 50, 55, 1, 3, 55, 1, 6, 255], o);
  const r = parseDhcp(b, 0, b.length);
  if (isWireError(r)) return assert.unreachable(r);
  assert.is(r.hostname, 'h2');
  assert.equal(r.parameterRequestList, [3, 6]);
});

test.run();
