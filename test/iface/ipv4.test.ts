import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment, ip, OUR_IP, PEER_IP } from './rig';
import { IP_PROTO_TCP, IP_PROTO_UDP } from '../../tcp/wire/reprs';
import { BROADCAST_MAC } from '../../tcp/wire/ethernet';
import { Transport } from '../../tcp/iface/transport';

function udpTo(r: Rig, port: number): string[] {
  const got: string[] = [];
  r.iface.udp.bind(port, (d) => { got.push(String.fromCharCode(...d)); });
  return got;
}

const DATA = new Uint8Array([104, 105]); // "hi"

test('a valid datagram for us is delivered', () => {
  const r = new Rig();
  const got = udpTo(r, 5000);
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA)));
  r.run(5);
  assert.equal(got, ['hi']);
  assert.is(r.iface.counters['ipv4-rx'], 1);
});

test('every malformed header is dropped and counted by reason', () => {
  const r = new Rig();
  const got = udpTo(r, 5000);
  const good = () => ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA));
  let f = good(); f[24] ^= 0x10; r.peer.send(f); // header checksum
  f = good(); f[14] = 0x65; r.peer.send(f); // version 6
  f = good(); f[14] = 0x44; r.peer.send(f); // IHL 4
  f = good(); f[16] = 0x05; f[17] = 0xdc; r.peer.send(f); // total length beyond the frame
  f = good(); r.peer.send(f.subarray(0, 30)); // truncated header
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA), { ttl: 0 }));
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA, PEER_IP, ip('192.168.7.9') as number), { dst: ip('192.168.7.9') as number }));
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA, 0xe0000001), { src: 0xe0000001 }));
  r.run(5);
  assert.equal(got, []);
  const c = r.iface.counters;
  assert.is(c['ipv4-bad-checksum'], 1);
  assert.is(c['ipv4-bad-version'], 1);
  assert.is(c['ipv4-bad-ihl'], 1);
  assert.is(c['ipv4-truncated'], 2);
  assert.is(c['ipv4-ttl-zero'], 1);
  assert.is(c['ipv4-not-for-us'], 1);
  assert.is(c['ipv4-bad-src'], 1);
  assert.is(c['ipv4-rx'] || 0, 0); // counters appear when first counted
});

test('Ethernet padding after Total Length is ignored', () => {
  const r = new Rig();
  const got = udpTo(r, 5000);
  const f = ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, new Uint8Array([1])));
  assert.is(f.length, 60);
  f[59] = 0xaa; // junk in the padding
  r.peer.send(f);
  r.run(5);
  assert.is(got.length, 1);
});

test('limited and subnet broadcasts are accepted; other subnets and multicast are not', () => {
  const r = new Rig();
  const got = udpTo(r, 5000);
  const bc = ip('192.168.7.255') as number;
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA, PEER_IP, 0xffffffff), { dst: 0xffffffff, ethDst: BROADCAST_MAC }));
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA, PEER_IP, bc), { dst: bc, ethDst: BROADCAST_MAC }));
  const other = ip('10.0.0.255') as number;
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA, PEER_IP, other), { dst: other, ethDst: BROADCAST_MAC }));
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA, PEER_IP, 0xe00000fb), { dst: 0xe00000fb }));
  r.run(5);
  assert.is(got.length, 2);
  assert.is(r.iface.counters['ipv4-not-for-us'], 2);
});

test('fragments are dropped and counted (no reassembly, by design)', () => {
  const r = new Rig();
  const got = udpTo(r, 5000);
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA), { moreFragments: true }));
  r.peer.send(ipFrame(IP_PROTO_UDP, new Uint8Array(16), { fragmentOffset: 8 }));
  r.run(5);
  assert.equal(got, []);
  assert.is(r.iface.counters['ipv4-fragment'], 2);
  assert.is(r.peer.take((s) => !!s.icmp).length, 0, 'no ICMP error about fragments');
});

test('sent datagrams carry TTL 64, a per-datagram Identification, DF for TCP only', () => {
  const r = new Rig();
  const s = r.iface.udp.bind(1)!;
  s.send('a', 9, PEER_IP);
  s.send('b', 9, PEER_IP);
  const off = r.iface.beginDatagram(PEER_IP, IP_PROTO_TCP);
  r.iface.txBuffer.fill(0, off, off + 20);
  r.iface.commitDatagram(20);
  r.run(10);
  const got = r.peer.take((x) => !!x.ip);
  assert.is(got.length, 3);
  assert.is(got[0].ip!.ttl, 64);
  assert.is(got[0].ip!.src, OUR_IP);
  assert.is(got[1].ip!.id, (got[0].ip!.id + 1) & 0xffff);
  assert.is(got[2].ip!.id, (got[1].ip!.id + 1) & 0xffff);
  assert.is(got[0].ip!.dontFragment, false);
  assert.is(got[2].ip!.dontFragment, true);
  assert.is(got[2].ip!.protocol, IP_PROTO_TCP);
});

test('without a gateway, off-link destinations have no route; unconfigured, only broadcast', () => {
  const r = new Rig({ ipv4: { address: OUR_IP, prefixLength: 24 } });
  assert.is(r.iface.beginDatagram(ip('8.8.8.8') as number, IP_PROTO_UDP), -1);
  assert.is(r.iface.counters['ipv4-no-route'], 1);
  assert.is(r.iface.beginDatagram(PEER_IP, IP_PROTO_UDP), 34);
  r.iface.configure(null);
  assert.is(r.iface.beginDatagram(PEER_IP, IP_PROTO_UDP), -1);
  assert.is(r.iface.beginDatagram(0xffffffff, IP_PROTO_UDP), 34);
  assert.is(r.iface.maxTransportLength(), 1480);
});

test('a registered transport receives its datagrams with addresses and payload view', () => {
  const r = new Rig();
  const seen: Array<[number, number, number]> = [];
  const t: Transport = {
    protocol: IP_PROTO_TCP,
    receive(src, dst, buf, off, len) { seen.push([src, dst, len]); assert.is(buf[off], 0xab); },
    poll() { return Infinity; },
  };
  r.iface.addTransport(t);
  const seg = new Uint8Array(20); seg[0] = 0xab;
  r.peer.send(ipFrame(IP_PROTO_TCP, seg));
  r.run(5);
  assert.equal(seen, [[PEER_IP, OUR_IP, 20]]);
});

test('a transport polled by the interface can send; its deadline bounds poll()', () => {
  const r = new Rig();
  let sent = false;
  const t: Transport = {
    protocol: IP_PROTO_TCP,
    receive() { /* */ },
    poll(now, ipSender) {
      if (!sent && now >= 5000) {
        const off = ipSender.beginDatagram(PEER_IP, IP_PROTO_TCP);
        ipSender.txBuffer.fill(7, off, off + 24);
        ipSender.commitDatagram(24);
        sent = true;
      }
      return sent ? Infinity : 5000;
    },
  };
  r.iface.addTransport(t);
  assert.is(r.iface.poll(r.now), 5000);
  r.run(5000);
  assert.is(r.peer.take((x) => !!x.ip && x.ip.protocol === IP_PROTO_TCP).length, 1);
});

test('poll() reads a bounded number of frames per call and asks to be called again at once', () => {
  const r = new Rig({ limits: { rxFramesPerPoll: 8 } });
  const got: number[] = [];
  r.iface.udp.bind(5000, (d) => got.push(d[0]));
  for (let i = 0; i < 20; i++) r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, new Uint8Array([i]))));
  r.wire.deliverDue();
  const now = r.now;
  assert.is(r.iface.poll(now), now);
  assert.is(got.length, 8);
  r.iface.poll(now);
  assert.is(got.length, 16);
  assert.ok(r.iface.poll(now) > now || got.length === 20);
  assert.is(got.length, 20);
  assert.equal(got, Array.from({ length: 20 }, (_, i) => i));
});

test('UDP to the limited broadcast goes out to ff:ff:ff:ff:ff:ff without ARP', () => {
  const r = new Rig();
  const s = r.iface.udp.bind(1)!;
  assert.ok(s.send('x', 9, 0xffffffff));
  assert.ok(s.send('y', 9, ip('192.168.7.255') as number));
  r.run(5);
  const got = r.peer.take((x) => !!x.udp);
  assert.is(got.length, 2);
  assert.ok(got.every((g) => g.eth.dst.every((b) => b === 255)));
  assert.is(r.peer.arpRequestsSeen, 0);
});

test('the cached IPv4 header patched per datagram has a valid checksum for every identification', () => {
  // commitDatagram folds the kept sum plus length and identification by a remainder: the one
  // identification whose sum is ≡ 0 modulo 0xffff is among these (the peer's parser checks each header).
  const r = new Rig();
  r.introduce();
  const s = r.iface.udp.bind(1234)!;
  let seen = 0;
  for (let id = 0; id < 0x10000; id++) {
    (r.iface as unknown as { ipId: number }).ipId = id;
    assert.ok(s.send('x', 9, PEER_IP));
    r.peer.pump();
    seen += r.peer.take((x) => !!x.udp && x.ip!.id === id).length;
  }
  assert.is(seen, 0x10000);
});

test.run();
