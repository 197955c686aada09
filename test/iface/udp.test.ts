import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment, PEER_IP, OUR_IP } from './rig';
import { IP_PROTO_UDP } from '../../tcp/wire/reprs';
import { udpOverInterface } from '../../firmware/networkjs-driver';

const bytes = (s: string) => new Uint8Array(s.split('').map((c) => c.charCodeAt(0)));

test('bind, receive with a callback (view + rinfo), reply with send', () => {
  const r = new Rig();
  const s = r.iface.udp.bind(7, (data, rinfo) => {
    assert.is(rinfo.address, PEER_IP);
    assert.is(rinfo.size, data.length);
    s.send(data, rinfo.port, rinfo.address); // echo
  })!;
  assert.is(s.port, 7);
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(40000, 7, bytes('hello'))));
  r.run(5);
  const got = r.peer.take((x) => !!x.udp);
  assert.is(got.length, 1);
  assert.is(got[0].udp!.srcPort, 7);
  assert.is(got[0].udp!.dstPort, 40000);
  assert.is(String.fromCharCode(...got[0].payload!), 'hello');
  assert.is(got[0].ip!.src, OUR_IP);
});

test('without a callback datagrams are copied into a bounded queue read by recv()', () => {
  const r = new Rig({ limits: { udpRxQueue: 2 } });
  const s = r.iface.udp.bind(9)!;
  for (const w of ['a', 'b', 'c']) r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(1000, 9, bytes(w))));
  r.run(5);
  const m1 = s.recv()!;
  assert.is(String.fromCharCode(...m1.data), 'a');
  assert.is(m1.port, 1000);
  assert.is(m1.address, PEER_IP);
  assert.is(String.fromCharCode(...s.recv()!.data), 'b');
  assert.is(s.recv(), null);
  assert.is(r.iface.counters['udp-rx-queue-full'], 1);
});

test('ports: taken ports refused, ephemeral ports random in 49152..65535, close frees the port', () => {
  const r = new Rig({ limits: { udpSockets: 3 } });
  const a = r.iface.udp.bind(5000)!;
  assert.is(r.iface.udp.bind(5000), null);
  const e = r.iface.udp.bind(0)!;
  assert.ok(e.port >= 49152 && e.port <= 65535);
  r.iface.udp.bind(0);
  assert.is(r.iface.udp.bind(0), null, 'socket table full');
  a.close();
  assert.ok(r.iface.udp.bind(5000));
  assert.not.ok(a.send('x', 1, PEER_IP), 'closed socket cannot send');
});

test('bad checksums, short datagrams and source port 0 are dropped and counted', () => {
  const r = new Rig();
  const got: number[] = [];
  r.iface.udp.bind(9, (d) => got.push(d.length));
  const seg = udpSegment(1000, 9, bytes('xyz'));
  seg[9] ^= 0xff;
  r.peer.send(ipFrame(IP_PROTO_UDP, seg));
  r.peer.send(ipFrame(IP_PROTO_UDP, new Uint8Array([0, 1, 0, 9, 0, 4, 0, 0])));
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(0, 9, bytes('z'))));
  const noSum = udpSegment(1000, 9, bytes('ok'));
  noSum[6] = 0; noSum[7] = 0; // checksum 0: not computed, accepted (RFC 768)
  r.peer.send(ipFrame(IP_PROTO_UDP, noSum));
  r.run(5);
  assert.equal(got, [2]);
  assert.is(r.iface.counters['udp-bad-checksum'], 1);
  assert.is(r.iface.counters['udp-bad-length'], 1);
  assert.is(r.iface.counters['udp-src-port-zero'], 1);
});

test('datagrams larger than one packet are refused (no fragmentation); the largest fits exactly', () => {
  const r = new Rig();
  const s = r.iface.udp.bind(9)!;
  assert.not.ok(s.send(new Uint8Array(1473), 9, PEER_IP));
  assert.is(r.iface.counters['udp-tx-too-big'], 1);
  assert.ok(s.send(new Uint8Array(1472), 9, PEER_IP));
  r.run(5);
  const got = r.peer.take((x) => !!x.udp);
  assert.is(got[0].raw.length, 1514);
});

test('the NetworkJS adapter speaks dotted quads and sends by local port', () => {
  const r = new Rig();
  const net = udpOverInterface(r.iface.udp);
  const got: string[] = [];
  const h = net.bind(6000, (addr, port, data) => got.push(addr + ':' + port + ':' + String.fromCharCode(...data)))!;
  assert.is(h.port, 6000);
  r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(1000, 6000, bytes('q'))));
  r.run(5);
  assert.equal(got, ['192.168.7.1:1000:q']);
  assert.ok(net.send(6000, '192.168.7.1', 1000, bytes('r')));
  assert.not.ok(net.send(6001, '192.168.7.1', 1000, bytes('r')), 'not bound');
  assert.not.ok(net.send(6000, 'not-an-address', 1000, bytes('r')));
  r.run(5);
  const out = r.peer.take((x) => !!x.udp);
  assert.is(out.length, 1);
  assert.is(out[0].udp!.srcPort, 6000);
  h.close();
  assert.is(r.iface.udp.find(6000), null);
});

test.run();
