// DHCP (udhcpc ↔ dnsmasq) and DNS (dig ↔ dnsmasq) messages captured from Linux: our parsers read
// what tshark reads; our DNS query emitter rebuilds dig's query byte for byte; DHCP messages survive
// parse → emit → parse (our option order differs from udhcpc's and dnsmasq's, so bytes cannot match).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGolden, GoldenFrame } from './golden';
import { checkFrame } from './golden-layers';
import { parseDhcp, emitDhcp, DhcpRepr } from '../../tcp/wire/dhcp';
import { parseDnsResponse, emitDnsQuery } from '../../tcp/wire/dns';
import { macToString } from '../../tcp/wire/mac-text';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { isWireError } from '../../tcp/wire/reprs';

function ip(s: string): string { return s === '' ? '0.0.0.0' : s; }

function dhcpOf(g: GoldenFrame): DhcpRepr {
  const l = checkFrame(g);
  const u = l.udp!;
  const r = parseDhcp(g.data, u.payloadOffset, u.payloadLength);
  if (isWireError(r)) return assert.unreachable('parseDhcp: ' + r) as never;
  return r;
}

const dhcpFrames = loadGolden('dhcp');
for (const g of dhcpFrames) {
  test('dhcp.pcap frame ' + g.number + ': fields match tshark', () => {
    const r = dhcpOf(g);
    assert.is(r.op, g.n('dhcp.type'), 'op');
    assert.is(r.xid, g.n('dhcp.id'), 'xid');
    assert.is(r.secs, g.n('dhcp.secs'), 'secs');
    assert.is(r.flags, g.n('dhcp.flags'), 'flags');
    assert.is(formatIpv4(r.ciaddr), g.f('dhcp.ip.client'));
    assert.is(formatIpv4(r.yiaddr), g.f('dhcp.ip.your'));
    assert.is(formatIpv4(r.siaddr), g.f('dhcp.ip.server'));
    assert.is(formatIpv4(r.giaddr), g.f('dhcp.ip.relay'));
    assert.is(macToString(r.chaddr), g.f('dhcp.hw.mac_addr'));
    assert.is(r.messageType, g.n('dhcp.option.dhcp'), 'message type');
    assert.is(formatIpv4(r.serverId), ip(g.f('dhcp.option.dhcp_server_id')), 'server id');
    assert.is(formatIpv4(r.requestedIp), ip(g.f('dhcp.option.requested_ip_address')), 'requested ip');
    const t = (f: string) => (g.f(f) === '' ? 0 : g.n(f));
    assert.is(r.leaseTime, t('dhcp.option.ip_address_lease_time'), 'lease');
    assert.is(r.renewalTime, t('dhcp.option.renewal_time_value'), 'T1');
    assert.is(r.rebindingTime, t('dhcp.option.rebinding_time_value'), 'T2');
    assert.is(formatIpv4(r.subnetMask), ip(g.f('dhcp.option.subnet_mask')), 'mask');
    assert.is(formatIpv4(r.router), ip(g.f('dhcp.option.router')), 'router');
    assert.equal(r.dnsServers.map(formatIpv4), g.all('dhcp.option.domain_name_server'), 'dns servers');
    assert.is(r.hostname, g.f('dhcp.option.hostname'), 'hostname');
    assert.equal(r.parameterRequestList, g.all('dhcp.option.request_list_item').map(Number), 'parameter request list');
  });
  test('dhcp.pcap frame ' + g.number + ': parse → emit → parse keeps every field', () => {
    const r = dhcpOf(g);
    const buf = new Uint8Array(600);
    const n = emitDhcp(r, buf, 10);
    assert.ok(n >= 300);
    const again = parseDhcp(buf, 10, n);
    if (isWireError(again)) return assert.unreachable(again);
    assert.equal(Array.from(again.chaddr), Array.from(r.chaddr));
    again.chaddr = r.chaddr;
    assert.equal(again, r);
  });
}

test('dhcp.pcap holds DISCOVER, OFFER, REQUEST and ACK', () => {
  const types = dhcpFrames.map((g) => dhcpOf(g).messageType);
  for (const t of [1, 2, 3, 5]) assert.ok(types.indexOf(t) >= 0, 'message type ' + t);
});

const dnsFrames = loadGolden('dns');
for (const g of dnsFrames) {
  const isResponse = g.f('dns.flags.response') === '1';
  test('dns.pcap frame ' + g.number + (isResponse ? ': response fields match tshark' : ': our query emitter rebuilds dig\'s query'), () => {
    const u = checkFrame(g).udp!;
    if (!isResponse) {
      const id = g.n('dns.id');
      const buf = new Uint8Array(u.payloadLength + 64);
      const n = emitDnsQuery(buf, 0, id, g.f('dns.qry.name'), 1);
      if (isWireError(n)) return assert.unreachable(n);
      if (g.data.length - u.payloadOffset === n) {
        assert.equal(Array.from(buf.subarray(0, n)), Array.from(g.data.subarray(u.payloadOffset, u.payloadOffset + n)));
      } else {
        // dig with EDNS appends an OPT record: the question part must still match.
        assert.ok(u.payloadLength > n, 'EDNS query is longer');
        const capt = Array.from(g.data.subarray(u.payloadOffset, u.payloadOffset + n));
        capt[11] = 0; // ARCOUNT 1 → 0
        assert.equal(Array.from(buf.subarray(0, n)), capt);
      }
      // A query is not a response.
      assert.is(parseDnsResponse(g.data, u.payloadOffset, u.payloadLength), 'dns-not-response');
      return;
    }
    const r = parseDnsResponse(g.data, u.payloadOffset, u.payloadLength);
    if (isWireError(r)) return assert.unreachable(r);
    assert.is(r.id, g.n('dns.id'));
    assert.is(r.rcode, g.n('dns.flags.rcode'));
    assert.is(r.truncated, g.f('dns.flags.truncated') === '1');
    const an = g.n('dns.count.answers');
    assert.is(r.answers.length, an);
    const names = g.all('dns.resp.name');
    const types = g.all('dns.resp.type').map(Number);
    const ttls = g.all('dns.resp.ttl').map(Number);
    const as = g.all('dns.a');
    const cnames = g.all('dns.cname');
    for (let i = 0; i < an; i++) {
      const a = r.answers[i];
      assert.is(a.name, names[i]);
      assert.is(a.type, types[i]);
      assert.is(a.ttl, ttls[i]);
      if (a.type === 1) assert.is(formatIpv4(a.address!), as.shift());
      if (a.type === 5) assert.is(a.target, cnames.shift());
    }
    assert.is(as.length, 0, 'every A record tshark saw was decoded');
    assert.is(cnames.length, 0, 'every CNAME tshark saw was decoded');
  });
}

test('dns.pcap holds an A answer, a CNAME chain with compression pointers, and an NXDOMAIN', () => {
  const rs = dnsFrames.filter((g) => g.f('dns.flags.response') === '1').map((g) => {
    const u = checkFrame(g).udp!;
    return parseDnsResponse(g.data, u.payloadOffset, u.payloadLength);
  });
  assert.ok(rs.some((r) => !isWireError(r) && r.answers.some((a) => a.type === 1)));
  assert.ok(rs.some((r) => !isWireError(r) && r.answers.some((a) => a.type === 5 && a.target === 'www.example.test')));
  assert.ok(rs.some((r) => !isWireError(r) && r.rcode === 3));
});

test.run();
