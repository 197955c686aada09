import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment, icmpMessage, ip, OUR_IP, PEER_IP } from './rig';
import { IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP } from '../../tcp/wire/reprs';
import { BROADCAST_MAC } from '../../tcp/wire/ethernet';
import { Transport } from '../../tcp/iface/transport';

function pattern(n: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (i * 7 + 3) & 255;
  return d;
}

test('echo requests are answered with identifier, sequence and data unchanged, up to the MTU', () => {
  const r = new Rig();
  for (const n of [0, 1, 56, 1000, 1472]) {
    const data = pattern(n);
    r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, 0x12340000 + n, data)));
    r.run(5);
    const got = r.peer.take((s) => !!s.icmp);
    assert.is(got.length, 1, 'reply for ' + n);
    assert.is(got[0].icmp!.type, 0);
    assert.is(got[0].icmp!.restOfHeader, 0x12340000 + n);
    assert.equal(Array.from(got[0].payload!), Array.from(data));
    assert.is(got[0].ip!.dst, PEER_IP);
  }
  assert.is(r.iface.counters['icmp-echo-replies'], 5);
});

test('echo requests to a broadcast address, and ones with a bad checksum, get no reply', () => {
  const r = new Rig();
  const bc = ip('192.168.7.255') as number;
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, 1, pattern(8)), { dst: bc, ethDst: BROADCAST_MAC }));
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, 1, pattern(8)), { dst: 0xffffffff, ethDst: BROADCAST_MAC }));
  const bad = icmpMessage(8, 0, 1, pattern(8));
  bad[9] ^= 1;
  r.peer.send(ipFrame(IP_PROTO_ICMP, bad));
  r.run(5);
  assert.is(r.peer.take((s) => !!s.icmp).length, 0);
  assert.is(r.iface.counters['icmp-broadcast-ignored'], 2);
  assert.is(r.iface.counters['icmp-bad-checksum'], 1);
});

test('UDP to a closed port gets port unreachable quoting the header and 8 bytes (RFC 792)', () => {
  const r = new Rig();
  const f = ipFrame(IP_PROTO_UDP, udpSegment(4000, 5555, pattern(30)));
  r.peer.send(f);
  r.run(5);
  const got = r.peer.take((s) => !!s.icmp);
  assert.is(got.length, 1);
  assert.is(got[0].icmp!.type, 3);
  assert.is(got[0].icmp!.code, 3);
  assert.equal(Array.from(got[0].payload!), Array.from(f.subarray(14, 14 + 28)));
});

test('no ICMP errors about broadcasts, ICMP errors, or unknown ICMP; unknown protocols get protocol unreachable', () => {
  const r = new Rig();
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5555, pattern(4), PEER_IP, 0xffffffff), { dst: 0xffffffff, ethDst: BROADCAST_MAC }));
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(3, 3, 0, pattern(28))));
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(13, 0, 0, pattern(12))));
  r.run(5);
  assert.is(r.peer.take((s) => !!s.icmp).length, 0);
  r.peer.send(ipFrame(47, pattern(20)));
  r.run(5);
  const got = r.peer.take((s) => !!s.icmp);
  assert.is(got.length, 1);
  assert.is(got[0].icmp!.code, 2);
});

test('ICMP errors are rate-limited (token bucket), echo replies are not', () => {
  const r = new Rig({ limits: { icmpErrorBurst: 3, icmpErrorIntervalMs: 100 } });
  r.introduce();
  for (let i = 0; i < 10; i++) r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5555, pattern(4))));
  for (let i = 0; i < 10; i++) r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, i, pattern(4))));
  r.run(1);
  const got = r.peer.take((s) => !!s.icmp);
  assert.is(got.filter((s) => s.icmp!.type === 3).length, 3);
  assert.is(got.filter((s) => s.icmp!.type === 0).length, 10);
  assert.is(r.iface.counters['icmp-rate-limited'], 7);
  r.run(1000);
  for (let i = 0; i < 10; i++) r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5555, pattern(4))));
  r.run(1);
  assert.is(r.peer.take((s) => !!s.icmp).length, 3, 'refilled after a while, up to the burst');
});

test('a destination unreachable about our datagram reaches the transport that sent it', () => {
  const r = new Rig();
  const reports: Array<[number, number, number]> = [];
  const t: Transport = {
    protocol: IP_PROTO_TCP,
    receive() { /* */ },
    unreachable(dst, code, buf, off) { reports.push([dst, code, (buf[off] << 8) | buf[off + 1]]); },
    poll() { return Infinity; },
  };
  r.iface.addTransport(t);
  // The original: our TCP segment to 10.1.2.3 from port 0x4321.
  const orig = ipFrame(IP_PROTO_TCP, new Uint8Array([0x43, 0x21, 0, 80, 1, 2, 3, 4]), { src: OUR_IP, dst: ip('10.1.2.3') as number });
  const quoted = orig.subarray(14, 14 + 28);
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(3, 1, 0, quoted)));
  // One that quotes somebody else's datagram is ignored.
  const foreign = ipFrame(IP_PROTO_TCP, new Uint8Array(8), { src: ip('192.168.7.50') as number, dst: ip('10.1.2.3') as number });
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(3, 1, 0, foreign.subarray(14, 42))));
  r.run(5);
  assert.equal(reports, [[ip('10.1.2.3') as number, 1, 0x4321]]);
  assert.is(r.peer.take((s) => !!s.icmp).length, 0, 'never an ICMP error about an ICMP error');
});

test.run();
