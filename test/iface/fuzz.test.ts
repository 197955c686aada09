// The receive path against random and mutated frames (seeded): nothing throws (not even inside
// poll's own guard: `internal-errors` stays 0), every table stays within its bound, and the stack
// still answers ping afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment, icmpMessage, arpFrame, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC } from './rig';
import { SeededRandom } from '../../hal/sim/random';
import { IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP } from '../../tcp/wire/reprs';
import { ARP_OP_REPLY, ARP_OP_REQUEST } from '../../tcp/wire/arp';
import { BROADCAST_MAC } from '../../tcp/wire/ethernet';
import { Transport } from '../../tcp/iface/transport';
import { emitDhcp, newDhcpRepr, BOOTREPLY, DHCPOFFER } from '../../tcp/wire/dhcp';

function seeds(rnd: SeededRandom): Uint8Array[] {
  const data = (n: number) => { const d = new Uint8Array(n); for (let i = 0; i < n; i++) d[i] = rnd.nextInt(256); return d; };
  const dhcp = newDhcpRepr();
  dhcp.op = BOOTREPLY; dhcp.messageType = DHCPOFFER; dhcp.yiaddr = OUR_IP; dhcp.serverId = PEER_IP; dhcp.chaddr = OUR_MAC;
  dhcp.dnsServers = [PEER_IP]; dhcp.leaseTime = 60;
  const db = new Uint8Array(400);
  const dn = emitDhcp(dhcp, db, 0);
  const dnsResp = new Uint8Array([0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 120, 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1]);
  return [
    arpFrame(ARP_OP_REQUEST, PEER_MAC, PEER_IP, new Uint8Array(6), OUR_IP),
    arpFrame(ARP_OP_REPLY, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP),
    ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, 77, data(64))),
    ipFrame(IP_PROTO_ICMP, icmpMessage(3, 3, 0, ipFrame(IP_PROTO_UDP, udpSegment(53, 9, data(4)), { src: OUR_IP, dst: PEER_IP }).subarray(14, 50))),
    ipFrame(IP_PROTO_UDP, udpSegment(4000, 7, data(100))),
    ipFrame(IP_PROTO_UDP, udpSegment(4000, 9999, data(20))),
    ipFrame(IP_PROTO_UDP, udpSegment(67, 68, db.subarray(0, dn), PEER_IP, 0xffffffff), { dst: 0xffffffff, ethDst: BROADCAST_MAC }),
    ipFrame(IP_PROTO_UDP, udpSegment(53, 5353, dnsResp)),
    ipFrame(IP_PROTO_TCP, data(40)),
    ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, 1, data(1400))),
  ];
}

function mutate(rnd: SeededRandom, base: Uint8Array): Uint8Array {
  let f = new Uint8Array(base);
  const kind = rnd.nextInt(6);
  if (kind === 0) {
    // Flip a few bytes anywhere.
    for (let k = rnd.nextInt(4) + 1; k > 0; k--) f[rnd.nextInt(f.length)] = rnd.nextInt(256);
  } else if (kind === 1) {
    // Flip header bytes (Ethernet + IP + transport headers).
    for (let k = rnd.nextInt(3) + 1; k > 0; k--) f[rnd.nextInt(Math.min(f.length, 60))] = rnd.nextInt(256);
  } else if (kind === 2) {
    f = f.slice(0, rnd.nextInt(f.length + 1)); // truncate (may go below 14)
  } else if (kind === 3) {
    // Length fields set to random values (IP total length, UDP length).
    f[16] = rnd.nextInt(256); f[17] = rnd.nextInt(256);
    if (f.length > 39) { f[38] = rnd.nextInt(256); f[39] = rnd.nextInt(256); }
  } else if (kind === 4) {
    // Random bytes after a valid Ethernet header.
    for (let i = 14; i < f.length; i++) f[i] = rnd.nextInt(256);
  } else {
    // Fully random frame.
    f = new Uint8Array(rnd.nextInt(1515));
    for (let i = 0; i < f.length; i++) f[i] = rnd.nextInt(256);
    if (rnd.nextInt(2) === 0 && f.length >= 14) f.set(OUR_MAC, 0);
  }
  return f;
}

test('20,000 random and mutated frames: no exception, bounded state, ping still answered', () => {
  const r = new Rig({ limits: { arpQueue: 4, udpRxQueue: 4 } });
  const rnd = new SeededRandom(20261124);
  const base = seeds(rnd);
  const tcpSeen = { n: 0 };
  const t: Transport = {
    protocol: IP_PROTO_TCP,
    receive() { tcpSeen.n++; },
    unreachable() { /* */ },
    poll() { return Infinity; },
  };
  r.iface.addTransport(t);
  r.iface.udp.bind(7, () => { /* */ });
  const queued = r.iface.udp.bind(5353)!;
  r.introduce();
  for (let i = 0; i < 20000; i++) {
    const f = mutate(rnd, base[rnd.nextInt(base.length)]);
    if (f.length > 0) r.wire.b.send(f);
    if (i % 16 === 15) r.run(rnd.nextInt(50));
  }
  r.run(100);
  r.peer.take();
  const c = r.iface.counters;
  assert.is(c['internal-errors'], 0, 'no exception anywhere on the receive path');
  assert.ok(r.iface.arp.waiting.length <= 4);
  assert.ok(queued.queue.length <= 4);
  assert.ok(c['rx-frames'] >= 19000, 'frames were read: ' + c['rx-frames']);
  // Many different drop reasons were exercised.
  const reasons = Object.keys(c).filter((k) => c[k] > 0);
  assert.ok(reasons.length > 25, reasons.join(' '));
  // Still alive: ping is answered.
  r.introduce();
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(8, 0, 0xbeef0001, new Uint8Array(56))));
  r.run(10);
  const replies = r.peer.take((s) => !!s.icmp && s.icmp.type === 0 && s.icmp.restOfHeader === 0xbeef0001);
  assert.is(replies.length, 1);
  assert.is(r.iface.address, OUR_IP, 'static configuration untouched');
});

test('the same fuzzing against an unconfigured DHCP client does not throw either', () => {
  const r = new Rig({ dhcp: true });
  const rnd = new SeededRandom(99);
  const base = seeds(rnd);
  for (let i = 0; i < 5000; i++) {
    const f = mutate(rnd, base[rnd.nextInt(base.length)]);
    if (f.length > 0) r.wire.b.send(f);
    if (i % 16 === 15) r.run(rnd.nextInt(500));
  }
  r.run(100);
  assert.is(r.iface.counters['internal-errors'], 0);
});

test.run();
