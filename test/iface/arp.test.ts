import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, arpFrame, ip, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC, Seen } from './rig';
import { ARP_OP_REPLY, ARP_OP_REQUEST } from '../../tcp/wire/arp';
import { BROADCAST_MAC, isBroadcastMac, macEquals } from '../../tcp/wire/ethernet';
import { IP_PROTO_TCP } from '../../tcp/wire/reprs';
import { Transport } from '../../tcp/iface/transport';

const ZERO = new Uint8Array(6);
const isArp = (op: number) => (s: Seen) => !!s.arp && s.arp.op === op;

test('an ARP request for our address is answered, and the requester is learnt (RFC 826)', () => {
  const r = new Rig();
  r.peer.autoArp = false;
  r.peer.send(arpFrame(ARP_OP_REQUEST, PEER_MAC, PEER_IP, ZERO, OUR_IP));
  r.run(10);
  const replies = r.peer.take(isArp(ARP_OP_REPLY));
  assert.is(replies.length, 1);
  const a = replies[0].arp!;
  assert.ok(macEquals(a.senderMac, OUR_MAC));
  assert.is(a.senderIp, OUR_IP);
  assert.ok(macEquals(a.targetMac, PEER_MAC));
  assert.is(a.targetIp, PEER_IP);
  assert.ok(macEquals(replies[0].eth.dst, PEER_MAC), 'reply is unicast');
  // The requester's mapping was learnt: a datagram to it needs no request of ours.
  const s = r.iface.udp.bind(1234)!;
  assert.ok(s.send('hi', 9, PEER_IP));
  r.run(10);
  assert.is(r.peer.take(isArp(ARP_OP_REQUEST)).length, 0);
  const got = r.peer.take((x) => !!x.udp);
  assert.is(got.length, 1);
  assert.ok(macEquals(got[0].eth.dst, PEER_MAC));
});

test('requests for other addresses are not answered and teach us nothing', () => {
  const r = new Rig();
  r.peer.autoArp = false;
  r.peer.send(arpFrame(ARP_OP_REQUEST, PEER_MAC, PEER_IP, ZERO, ip('192.168.7.99') as number));
  r.run(10);
  assert.is(r.peer.inbox.length, 0);
  assert.is(r.iface.arp.find(PEER_IP), null);
});

test('a datagram to an unresolved neighbour waits for the reply, then goes out', () => {
  const r = new Rig();
  const s = r.iface.udp.bind(1234)!;
  assert.ok(s.send('one', 7, PEER_IP));
  assert.ok(s.send('two', 7, PEER_IP));
  r.run(50);
  assert.is(r.peer.arpRequestsSeen, 1, 'one broadcast request');
  const got = r.peer.take((x) => !!x.udp);
  assert.equal(got.map((g) => String.fromCharCode(...g.payload!)), ['one', 'two']);
  assert.ok(macEquals(got[0].eth.dst, PEER_MAC));
});

test('an unsolicited reply does not create an entry (no cache poisoning)', () => {
  const r = new Rig();
  const evil = new Uint8Array([0x02, 0xee, 0xee, 0xee, 0xee, 0xee]);
  const victim = ip('192.168.7.50') as number;
  r.peer.send(arpFrame(ARP_OP_REPLY, evil, victim, OUR_MAC, OUR_IP));
  r.peer.send(arpFrame(ARP_OP_REPLY, evil, PEER_IP, OUR_MAC, OUR_IP));
  r.run(10);
  assert.is(r.iface.arp.find(victim), null);
  assert.is(r.iface.arp.find(PEER_IP), null);
  assert.ok(r.iface.counters['arp-unsolicited-ignored'] >= 2);
  // Talking to the peer still resolves it properly.
  const s = r.iface.udp.bind(1)!;
  s.send('x', 9, PEER_IP);
  r.run(10);
  const got = r.peer.take((x) => !!x.udp);
  assert.ok(macEquals(got[0].eth.dst, PEER_MAC));
});

test('resolution gives up after the configured requests: dropped, counted, reported to the transport', () => {
  const r = new Rig({ limits: { arpRequests: 3, arpRetryMs: 1000 } });
  r.peer.autoArp = false;
  const reports: Array<[number, number]> = [];
  const t: Transport = {
    protocol: IP_PROTO_TCP,
    receive() { /* unused */ },
    unreachable(dst, code) { reports.push([dst, code]); },
    poll() { return Infinity; },
  };
  r.iface.addTransport(t);
  const ghost = ip('192.168.7.77') as number;
  const off = r.iface.beginDatagram(ghost, IP_PROTO_TCP);
  assert.is(off, 34);
  r.iface.txBuffer.fill(0, off, off + 20);
  assert.ok(r.iface.commitDatagram(20));
  r.run(10000);
  assert.is(r.peer.arpRequestsSeen, 3);
  assert.equal(reports, [[ghost, 1]]);
  assert.is(r.iface.counters['arp-resolution-failed'], 1);
  const reqs = r.peer.take(isArp(ARP_OP_REQUEST));
  assert.is(reqs.length, 3);
  assert.ok(isBroadcastMac(reqs[0].eth.dst));
  assert.is(reqs[1].raw.length, 60, 'padded to the Ethernet minimum');
});

test('a pending entry reused for another address (cache full): its datagram fails and is reported', () => {
  const r = new Rig({ limits: { arpCacheSize: 2, arpQueue: 4 } });
  r.peer.autoArp = false;
  const reports: number[] = [];
  r.iface.addTransport({
    protocol: IP_PROTO_TCP,
    receive() { /* */ },
    unreachable(dst) { reports.push(dst); },
    poll() { return Infinity; },
  });
  const hosts = [ip('192.168.7.71') as number, ip('192.168.7.72') as number, ip('192.168.7.73') as number];
  for (const h of hosts) {
    const off = r.iface.beginDatagram(h, IP_PROTO_TCP);
    r.iface.txBuffer.fill(0, off, off + 20);
    assert.ok(r.iface.commitDatagram(20));
  }
  r.run(1);
  assert.equal(reports, [hosts[0]]);
  assert.is(r.iface.arp.waiting.length, 2);
  assert.is(r.iface.counters['arp-resolution-failed'], 1);
});

test('the queue of datagrams waiting for ARP is bounded: when full, the one that waited longest gives way', () => {
  const r = new Rig({ limits: { arpQueue: 2 } });
  r.peer.autoArp = false;
  const s = r.iface.udp.bind(1)!;
  const ghost = ip('192.168.7.77') as number;
  const other = ip('192.168.7.78') as number;
  assert.ok(s.send('a', 9, ghost));
  assert.ok(s.send('b', 9, ghost));
  assert.ok(s.send('c', 9, other));
  assert.is(r.iface.counters['arp-queue-full'], 1);
  const w = r.iface.arp.waiting;
  assert.is(w.length, 2);
  // UDP payload after Ethernet (14), IPv4 (20) and UDP (8) headers.
  assert.equal(w.map((x) => String.fromCharCode(x.frame[42])), ['b', 'c']);
});

test('a full ARP cache reuses a pending entry (a source that never answers) before a resolved one', () => {
  const r = new Rig({ limits: { arpCacheSize: 2 } });
  r.introduce(); // PEER_IP resolved
  r.peer.autoArp = false;
  const s = r.iface.udp.bind(1)!;
  for (let i = 0; i < 20; i++) s.send('x', 9, (ip('192.168.7.100') as number) + i);
  r.run(1);
  const e = r.iface.arp.find(PEER_IP);
  assert.ok(e !== null && e.state === 2, 'the peer that talks to us keeps its entry');
});

test('entries expire; a used entry is refreshed by a unicast request before it expires', () => {
  const r = new Rig({ limits: { arpEntryTtlMs: 20000, arpRefreshMs: 5000 } });
  const s = r.iface.udp.bind(1)!;
  s.send('a', 9, PEER_IP);
  r.run(100);
  r.peer.take();
  assert.is(r.peer.arpRequestsSeen, 1);
  // Used inside the refresh window: a unicast request goes to the known MAC.
  r.run(16000);
  s.send('b', 9, PEER_IP);
  r.run(100);
  assert.is(r.peer.arpRequestsSeen, 2);
  // The peer answered the refresh: the entry lives on past the first expiry.
  r.run(10000);
  assert.ok(r.iface.arp.find(PEER_IP));
  // Unused, it expires; the next datagram resolves afresh with a broadcast.
  r.run(30000);
  assert.is(r.iface.arp.find(PEER_IP), null);
  s.send('c', 9, PEER_IP);
  r.run(100);
  const reqs = r.peer.arpRequests;
  assert.is(reqs.length, 3);
  assert.ok(isBroadcastMac(reqs[0].eth.dst), 'first resolution: broadcast');
  assert.ok(macEquals(reqs[1].eth.dst, PEER_MAC), 'refresh: unicast to the known MAC');
  assert.ok(isBroadcastMac(reqs[2].eth.dst), 'after expiry: broadcast again');
  assert.is(r.peer.take((x) => !!x.udp).length, 2);
});

test('gratuitous ARP announces a new address; off-link traffic goes to the gateway', () => {
  const r = new Rig({ ipv4: undefined });
  r.peer.autoArp = true;
  r.iface.configure({ address: OUR_IP, prefixLength: 24, gateway: PEER_IP });
  r.run(10);
  const ann = r.peer.announcements.filter((x) => x.arp!.senderIp === OUR_IP && x.arp!.targetIp === OUR_IP);
  assert.is(ann.length, 1);
  assert.ok(macEquals(ann[0].eth.dst, BROADCAST_MAC));
  const s = r.iface.udp.bind(1)!;
  assert.ok(s.send('far', 53, ip('8.8.8.8') as number));
  r.run(10);
  const got = r.peer.take((x) => !!x.udp);
  assert.is(got.length, 1);
  assert.is(got[0].ip!.dst, ip('8.8.8.8'));
  assert.ok(macEquals(got[0].eth.dst, PEER_MAC), 'sent to the gateway');
});

test('a claim of our own address by someone else is counted, not learnt', () => {
  const r = new Rig();
  const other = new Uint8Array([0x02, 9, 9, 9, 9, 9]);
  r.peer.send(arpFrame(ARP_OP_REQUEST, other, OUR_IP, ZERO, OUR_IP));
  r.run(10);
  assert.is(r.iface.counters['arp-address-conflict'], 1);
  assert.is(r.iface.arp.find(OUR_IP), null);
});

test('the ARP timers run only when due, yet an entry made between them keeps its deadlines', () => {
  // Idle and with no entry, a poll skips the ARP timers (Interface.arpAt = Infinity). An entry learnt
  // from the peer's request must still expire, and one made by our datagram must still be retried:
  // both are missed if a change of the cache does not bring the timers back.
  const r = new Rig({ limits: { arpEntryTtlMs: 20000, arpRequests: 2, arpRetryMs: 1000 } });
  r.peer.autoArp = false;
  r.run(5000);
  r.peer.send(arpFrame(ARP_OP_REQUEST, PEER_MAC, PEER_IP, ZERO, OUR_IP));
  r.run(10);
  assert.ok(r.iface.arp.find(PEER_IP), 'learnt');
  const deadline = r.iface.poll(r.now);
  assert.is(deadline, r.iface.arp.find(PEER_IP)!.expiresAt, 'its expiry is the next deadline');
  r.run(20000);
  assert.is(r.iface.arp.find(PEER_IP), null, 'expired');
  r.run(5000);
  const ghost = ip('192.168.7.77') as number;
  assert.ok(r.iface.udp.bind(1)!.send('x', 9, ghost));
  r.run(5000);
  assert.is(r.peer.take(isArp(ARP_OP_REQUEST)).length, 2, 'the first request and its retry');
  assert.is(r.iface.counters['arp-resolution-failed'], 1, 'given up when the retries are spent');
});

test('a datagram never goes to a MAC the cache no longer holds for its hop (evicted, or cleared by a new address)', () => {
  // commitDatagram skips the ARP lookup for the hop whose Ethernet header is in the transmit buffer
  // (Interface.ethHop, until its refresh time): whatever takes that entry away must end the shortcut.
  const r = new Rig({ limits: { arpCacheSize: 1 } });
  r.peer.autoArp = false;
  const s = r.iface.udp.bind(1)!;
  const macB = new Uint8Array([0x02, 0xbb, 0xbb, 0xbb, 0xbb, 0x01]);
  const macC = new Uint8Array([0x02, 0xcc, 0xcc, 0xcc, 0xcc, 0x01]);
  const sendTo = (host: number, text: string): Seen[] => {
    assert.ok(s.send(text, 9, host));
    r.run(10);
    return r.peer.take((x) => !!x.udp);
  };
  r.introduce(); // PEER_IP at PEER_MAC
  assert.ok(macEquals(sendTo(PEER_IP, 'a')[0].eth.dst, PEER_MAC));
  // Evicted: the one entry goes to a host that never answers; the peer has moved to macB since.
  assert.is(sendTo(ip('192.168.7.90') as number, 'x').length, 0);
  assert.is(sendTo(PEER_IP, 'b').length, 0, 'waits for ARP, not sent to the old MAC');
  r.peer.send(arpFrame(ARP_OP_REPLY, macB, PEER_IP, OUR_MAC, OUR_IP));
  r.run(10);
  const b = r.peer.take((x) => !!x.udp);
  assert.is(b.length, 1);
  assert.ok(macEquals(b[0].eth.dst, macB), 'to the MAC learnt after the eviction');
  assert.ok(macEquals(sendTo(PEER_IP, 'c')[0].eth.dst, macB));
  // A new address of ours clears the cache: the next datagram to the peer asks again.
  r.iface.configure({ address: ip('192.168.7.3') as number, prefixLength: 24, gateway: PEER_IP });
  assert.is(sendTo(PEER_IP, 'd').length, 0, 'waits for ARP after the cache was cleared');
  r.peer.send(arpFrame(ARP_OP_REPLY, macC, PEER_IP, OUR_MAC, ip('192.168.7.3') as number));
  r.run(10);
  const d = r.peer.take((x) => !!x.udp);
  assert.is(d.length, 1);
  assert.ok(macEquals(d[0].eth.dst, macC));
});

test.run();
