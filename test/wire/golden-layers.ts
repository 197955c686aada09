// Checks one captured frame layer by layer against tshark's reading of it, and that our emitters
// rebuild the captured bytes exactly. Shared by the golden-*.test.ts files.
import * as assert from 'uvu/assert';
import { GoldenFrame, num, copyOf } from './golden';
import { parseEthernet, emitEthernetHeader, EthernetRepr, ETH_HEADER_LEN } from '../../tcp/wire/ethernet';
import { macToString } from '../../tcp/wire/mac-text';
import { parseArp, emitArp, ArpRepr } from '../../tcp/wire/arp';
import { parseIpv4Header, emitIpv4Header, Ipv4Repr, IPV4_CHECKSUM } from '../../tcp/wire/ipv4';
import { parseIcmp, emitIcmp, IcmpRepr } from '../../tcp/wire/icmp';
import { parseUdp, emitUdpHeader, UdpRepr } from '../../tcp/wire/udp';
import { parseTcp, emitTcp, tcpHeaderLength } from '../../tcp/wire/tcp';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { isWireError, newTcpRepr, TcpRepr, ETHERTYPE_ARP, ETHERTYPE_IPV4, IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP } from '../../tcp/wire/reprs';

export interface Layers {
  eth: EthernetRepr;
  arp?: ArpRepr;
  ip?: Ipv4Repr;
  icmp?: IcmpRepr;
  udp?: UdpRepr;
  tcp?: TcpRepr;
}

function ok<T>(r: T | string, what: string): T {
  if (isWireError(r)) assert.unreachable(what + ' rejected a real frame: ' + r);
  return r as T;
}

function bytesEqual(a: Uint8Array, b: Uint8Array, what: string): void {
  assert.equal(Array.prototype.slice.call(a), Array.prototype.slice.call(b), what);
}

export function checkFrame(g: GoldenFrame): Layers {
  const d = g.data;
  const at = 'frame ' + g.number + ': ';
  const eth = ok(parseEthernet(d, 0, d.length), at + 'parseEthernet');
  assert.is(macToString(eth.dst), g.f('eth.dst'), at + 'eth.dst');
  assert.is(macToString(eth.src), g.f('eth.src'), at + 'eth.src');
  assert.is(eth.ethertype, g.n('eth.type'), at + 'eth.type');
  const e = new Uint8Array(ETH_HEADER_LEN);
  assert.is(emitEthernetHeader(e, 0, eth.dst, eth.src, eth.ethertype), ETH_HEADER_LEN);
  bytesEqual(e, d.subarray(0, ETH_HEADER_LEN), at + 'Ethernet header re-emitted');
  const out: Layers = { eth };

  if (eth.ethertype === ETHERTYPE_ARP) {
    const arp = ok(parseArp(d, eth.payloadOffset, eth.payloadLength), at + 'parseArp');
    assert.is(arp.op, g.n('arp.opcode'), at + 'arp.opcode');
    assert.is(macToString(arp.senderMac), g.f('arp.src.hw_mac'), at + 'arp.src.hw_mac');
    assert.is(formatIpv4(arp.senderIp), g.f('arp.src.proto_ipv4'), at + 'arp.src.proto_ipv4');
    assert.is(macToString(arp.targetMac), g.f('arp.dst.hw_mac'), at + 'arp.dst.hw_mac');
    assert.is(formatIpv4(arp.targetIp), g.f('arp.dst.proto_ipv4'), at + 'arp.dst.proto_ipv4');
    const c = new Uint8Array(28);
    assert.is(emitArp(arp, c, 0), 28);
    bytesEqual(c, d.subarray(eth.payloadOffset, eth.payloadOffset + 28), at + 'ARP re-emitted');
    out.arp = arp;
    return out;
  }

  assert.is(eth.ethertype, ETHERTYPE_IPV4, at + 'only ARP and IPv4 are captured');
  const ip = ok(parseIpv4Header(d, eth.payloadOffset, eth.payloadLength), at + 'parseIpv4Header');
  assert.is(ip.headerLength, g.n('ip.hdr_len'), at + 'ip.hdr_len');
  assert.is(ip.totalLength, g.n('ip.len'), at + 'ip.len');
  assert.is(ip.tos, g.n('ip.dsfield'), at + 'ip.dsfield');
  assert.is(ip.id, g.n('ip.id'), at + 'ip.id');
  assert.is(ip.dontFragment, g.f('ip.flags.df') === '1', at + 'ip.flags.df');
  assert.is(ip.moreFragments, g.f('ip.flags.mf') === '1', at + 'ip.flags.mf');
  // tshark shows the raw field (8-byte units); the repr holds bytes.
  assert.is(ip.fragmentOffset, 8 * g.n('ip.frag_offset'), at + 'ip.frag_offset');
  assert.is(ip.ttl, g.n('ip.ttl'), at + 'ip.ttl');
  assert.is(ip.protocol, g.n('ip.proto'), at + 'ip.proto');
  assert.is(formatIpv4(ip.src), g.f('ip.src'), at + 'ip.src');
  assert.is(formatIpv4(ip.dst), g.f('ip.dst'), at + 'ip.dst');
  const ipOff = eth.payloadOffset;
  assert.is((d[ipOff + IPV4_CHECKSUM] << 8) | d[ipOff + IPV4_CHECKSUM + 1], g.n('ip.checksum'), at + 'ip.checksum');
  if (ip.headerLength === 20) {
    const c = new Uint8Array(20);
    assert.is(emitIpv4Header(ip, c, 0), 20);
    bytesEqual(c, d.subarray(ipOff, ipOff + 20), at + 'IPv4 header re-emitted (incl. checksum)');
  }
  out.ip = ip;
  // A fragment carries only part of the transport message: nothing more to check here.
  if (ip.moreFragments || ip.fragmentOffset > 0) {
    if (ip.fragmentOffset === 0 && ip.protocol === IP_PROTO_ICMP) {
      assert.is(d[ip.payloadOffset], g.n('icmp.type'), at + 'icmp.type (first fragment)');
    }
    return out;
  }

  if (ip.protocol === IP_PROTO_ICMP) {
    const icmp = ok(parseIcmp(d, ip.payloadOffset, ip.payloadLength), at + 'parseIcmp');
    assert.is(icmp.type, g.n('icmp.type'), at + 'icmp.type');
    assert.is(icmp.code, g.n('icmp.code'), at + 'icmp.code');
    assert.is((d[ip.payloadOffset + 2] << 8) | d[ip.payloadOffset + 3], g.n('icmp.checksum'), at + 'icmp.checksum');
    if (icmp.type === 0 || icmp.type === 8) {
      assert.is(icmp.restOfHeader >>> 16, g.n('icmp.ident'), at + 'icmp.ident');
      assert.is(icmp.restOfHeader & 0xffff, g.n('icmp.seq'), at + 'icmp.seq');
    }
    const c = copyOf(d);
    c.fill(0, ip.payloadOffset, ip.payloadOffset + 8);
    assert.is(emitIcmp(icmp, c, ip.payloadOffset), ip.payloadLength);
    bytesEqual(c, d, at + 'ICMP re-emitted (incl. checksum)');
    out.icmp = icmp;
  } else if (ip.protocol === IP_PROTO_UDP) {
    const udp = ok(parseUdp(d, ip.payloadOffset, ip.payloadLength, ip.src, ip.dst), at + 'parseUdp');
    assert.is(udp.srcPort, g.n('udp.srcport'), at + 'udp.srcport');
    assert.is(udp.dstPort, g.n('udp.dstport'), at + 'udp.dstport');
    assert.is(udp.datagramLength, g.n('udp.length'), at + 'udp.length');
    assert.is(udp.payloadLength, udp.datagramLength - 8);
    const c = copyOf(d);
    c.fill(0, ip.payloadOffset, ip.payloadOffset + 8);
    assert.is(emitUdpHeader(c, ip.payloadOffset, udp.srcPort, udp.dstPort, udp.payloadLength, ip.src, ip.dst), 8);
    bytesEqual(c, d, at + 'UDP re-emitted (incl. checksum)');
    assert.is((c[ip.payloadOffset + 6] << 8) | c[ip.payloadOffset + 7], g.n('udp.checksum'), at + 'udp.checksum');
    out.udp = udp;
  } else if (ip.protocol === IP_PROTO_TCP) {
    const tcp = ok(parseTcp(d, ip.payloadOffset, ip.payloadLength, ip.src, ip.dst, newTcpRepr()), at + 'parseTcp');
    assert.is(tcp.srcPort, g.n('tcp.srcport'), at + 'tcp.srcport');
    assert.is(tcp.dstPort, g.n('tcp.dstport'), at + 'tcp.dstport');
    assert.is(tcp.seq, g.n('tcp.seq_raw'), at + 'tcp.seq_raw');
    assert.is(tcp.ack, g.n('tcp.ack_raw'), at + 'tcp.ack_raw');
    assert.is(tcp.flags, g.n('tcp.flags') & 0xff, at + 'tcp.flags');
    assert.is(tcp.window, g.n('tcp.window_size_value'), at + 'tcp.window_size_value');
    assert.is(tcp.urgent, g.n('tcp.urgent_pointer'), at + 'tcp.urgent_pointer');
    assert.is(tcp.mss, g.f('tcp.options.mss_val') === '' ? 0 : g.n('tcp.options.mss_val'), at + 'mss');
    assert.is(tcp.windowScale, g.f('tcp.options.wscale.shift') === '' ? -1 : g.n('tcp.options.wscale.shift'), at + 'wscale');
    assert.is(tcp.sackPermitted, g.f('tcp.options.sack_perm') !== '', at + 'sack_perm');
    assert.is(tcp.hasTimestamp, g.f('tcp.options.timestamp.tsval') !== '', at + 'timestamps');
    if (tcp.hasTimestamp) {
      assert.is(tcp.tsVal, g.n('tcp.options.timestamp.tsval'), at + 'tsval');
      assert.is(tcp.tsEcr, g.n('tcp.options.timestamp.tsecr'), at + 'tsecr');
    }
    assert.is(tcp.payloadLength, g.n('tcp.len'), at + 'tcp.len');
    assert.is(tcp.payloadOffset - ip.payloadOffset, g.n('tcp.hdr_len'), at + 'tcp.hdr_len');
    // Re-emit: the payload goes where emitTcp puts it, after its own option layout.
    const hl = tcpHeaderLength(tcp);
    const c = new Uint8Array(hl + tcp.payloadLength);
    c.set(d.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadLength), hl);
    assert.is(emitTcp(tcp, c, 0, ip.src, ip.dst), hl + tcp.payloadLength);
    if (hl === g.n('tcp.hdr_len')) {
      // Same option layout as Linux (e.g. NOP NOP TS on data segments): byte for byte.
      bytesEqual(c, d.subarray(ip.payloadOffset, ip.payloadOffset + ip.payloadLength), at + 'TCP re-emitted');
    } else {
      // Linux orders SYN options differently (MSS, SACK-perm, TS, NOP, WS): same meaning.
      const again = ok(parseTcp(c, 0, c.length, ip.src, ip.dst, newTcpRepr()), at + 'parseTcp(emitTcp)');
      again.payloadOffset = tcp.payloadOffset;
      assert.equal(again, tcp, at + 'TCP re-emitted parses to the same repr');
    }
    out.tcp = tcp;
  } else {
    assert.unreachable(at + 'unexpected protocol ' + ip.protocol);
  }
  return out;
}

export { num };
