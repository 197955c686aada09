import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment, ip, Seen, PEER_IP, PEER_MAC } from './rig';
import { IP_PROTO_UDP } from '../../tcp/wire/reprs';
import { BROADCAST_MAC, macEquals } from '../../tcp/wire/ethernet';
import {
  parseDhcp, emitDhcp, newDhcpRepr, DhcpRepr, BOOTREPLY, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK, DHCPNAK,
} from '../../tcp/wire/dhcp';
import { Ipv4Config } from '../../tcp/iface/config';

const SERVER = PEER_IP;
const OFFER_IP = ip('192.168.7.50') as number;
const DNS1 = ip('192.168.7.53') as number;

interface Seen4 { at: number; type: number; m: DhcpRepr; s: Seen }

/** A small DHCP server on the peer: answers per `mode`, records what it got. */
class SimServer {
  got: Seen4[] = [];
  offer = true;
  answerRequests: 'ack' | 'nak' | 'none' = 'ack';
  leaseS = 1000;
  t1 = 0;
  t2 = 0;
  address = OFFER_IP;

  constructor(private readonly r: Rig) {
    r.peer.onFrame = (s) => {
      if (!s.udp || s.udp.dstPort !== 67) return false;
      const m = parseDhcp(s.payload!, 0, s.payload!.length);
      if (typeof m === 'string') throw new Error('client sent bad DHCP: ' + m);
      this.got.push({ at: r.now, type: m.messageType, m, s });
      if (m.messageType === DHCPDISCOVER && this.offer) this.reply(m, DHCPOFFER);
      if (m.messageType === DHCPREQUEST && this.answerRequests !== 'none') this.reply(m, this.answerRequests === 'ack' ? DHCPACK : DHCPNAK);
      return true;
    };
  }

  reply(req: DhcpRepr, type: number): void {
    const m = newDhcpRepr();
    m.op = BOOTREPLY;
    m.xid = req.xid;
    m.chaddr = new Uint8Array(req.chaddr);
    m.messageType = type;
    m.serverId = SERVER;
    if (type !== DHCPNAK) {
      m.yiaddr = this.address;
      m.leaseTime = this.leaseS;
      m.renewalTime = this.t1;
      m.rebindingTime = this.t2;
      m.subnetMask = 0xffffff00;
      m.router = SERVER;
      m.dnsServers = [DNS1, SERVER];
    }
    const buf = new Uint8Array(600);
    const n = emitDhcp(m, buf, 0);
    const frame = ipFrame(IP_PROTO_UDP, udpSegment(67, 68, buf.subarray(0, n), SERVER, 0xffffffff),
      { src: SERVER, dst: 0xffffffff, ethDst: BROADCAST_MAC });
    this.r.peer.send(frame);
  }

  types(): number[] {
    return this.got.map((g) => g.type);
  }
}

function dhcpRig(seed = 1): { r: Rig; srv: SimServer; configs: Array<Ipv4Config | null> } {
  const r = new Rig({ dhcp: true, hostname: 'etcpip-test' }, seed);
  const configs: Array<Ipv4Config | null> = [];
  r.iface.on('config', (c) => configs.push(c));
  const srv = new SimServer(r);
  return { r, srv, configs };
}

test('DISCOVER, OFFER, REQUEST, ACK: the interface takes address, mask, gateway and DNS servers', () => {
  const { r, srv, configs } = dhcpRig();
  r.run(100);
  assert.equal(srv.types(), [DHCPDISCOVER, DHCPREQUEST]);
  const d = srv.got[0];
  assert.is(d.s.ip!.src, 0);
  assert.is(d.s.ip!.dst, 0xffffffff);
  assert.ok(macEquals(d.s.eth.dst, BROADCAST_MAC));
  assert.is(d.m.hostname, 'etcpip-test');
  const req = srv.got[1].m;
  assert.is(req.requestedIp, OFFER_IP);
  assert.is(req.serverId, SERVER);
  assert.is(req.xid, d.m.xid);
  assert.is(req.ciaddr, 0);
  assert.is(r.iface.address, OFFER_IP);
  assert.is(r.iface.prefixLength, 24);
  assert.is(r.iface.gateway, SERVER);
  assert.equal(r.iface.dnsServers, [DNS1, SERVER]);
  assert.equal(configs, [{ address: OFFER_IP, prefixLength: 24, gateway: SERVER, dns: [DNS1, SERVER] }]);
  assert.is(r.iface.dhcp!.state, 'bound');
  // The new address is announced (gratuitous ARP).
  assert.ok(r.peer.announcements.some((a) => a.arp!.senderIp === OFFER_IP));
});

test('renew at T1 by unicast to the server, then rebind at T2 by broadcast; ACK extends the lease', () => {
  const { r, srv } = dhcpRig();
  srv.leaseS = 1000; // T1 500 s, T2 875 s
  r.run(100);
  const bound = srv.got[1].at;
  srv.answerRequests = 'none';
  r.run(499000);
  assert.is(srv.got.length, 2, 'nothing before T1');
  r.run(1000);
  const renew = srv.got[2];
  assert.is(renew.type, DHCPREQUEST);
  assert.ok(renew.at >= bound + 500000 && renew.at <= bound + 500100);
  assert.is(renew.m.ciaddr, OFFER_IP);
  assert.is(renew.m.serverId, 0, 'no server id while renewing (RFC 2131 table 5)');
  assert.is(renew.s.ip!.src, OFFER_IP);
  assert.is(renew.s.ip!.dst, SERVER);
  assert.ok(macEquals(renew.s.eth.dst, PEER_MAC), 'unicast');
  assert.is(r.iface.dhcp!.state, 'renewing');
  // Retransmissions while renewing: half the time left to T2, at least 60 s (RFC 2131 §4.4.5):
  // at 500 s, 687.5 s, 781.25 s, 841.25 s; then T2 at 875 s.
  r.run(400000);
  const afterT1 = srv.got.slice(2);
  const rebind = afterT1.find((g) => g.s.ip!.dst === 0xffffffff)!;
  assert.ok(rebind, 'a broadcast REQUEST after T2');
  assert.ok(rebind.at >= bound + 875000 && rebind.at <= bound + 875100, 'rebinding starts at T2');
  assert.is(rebind.m.ciaddr, OFFER_IP);
  assert.equal(afterT1.filter((g) => g.at < rebind.at).map((g) => g.at - bound), [500000, 687500, 781250, 841250]);
  assert.is(r.iface.dhcp!.state, 'rebinding');
  assert.is(r.iface.address, OFFER_IP, 'still configured while rebinding');
  srv.answerRequests = 'ack';
  r.run(100000);
  assert.is(r.iface.dhcp!.state, 'bound');
  assert.is(r.iface.address, OFFER_IP);
});

test('lease expiry deconfigures the interface and starts over', () => {
  const { r, srv, configs } = dhcpRig();
  srv.leaseS = 200;
  r.run(100);
  srv.answerRequests = 'none';
  srv.offer = false;
  r.run(201000);
  assert.is(r.iface.address, 0);
  assert.equal(configs[configs.length - 1], null);
  assert.is(r.iface.dhcp!.state, 'selecting');
  assert.is(srv.got[srv.got.length - 1].type, DHCPDISCOVER);
});

test('NAK while renewing: deconfigure and restart with DISCOVER', () => {
  const { r, srv, configs } = dhcpRig();
  srv.leaseS = 100;
  r.run(100);
  srv.answerRequests = 'nak';
  srv.offer = false;
  r.run(51000);
  assert.is(r.iface.dhcp!.stats.naks, 1);
  assert.is(r.iface.dhcp!.state, 'init', 'waits a little before starting over');
  r.run(3000);
  assert.is(r.iface.address, 0);
  assert.equal(configs.length, 2);
  assert.is(configs[1], null);
  assert.is(srv.got[srv.got.length - 1].type, DHCPDISCOVER);
  // A server that acks again brings us back.
  srv.offer = true;
  srv.answerRequests = 'ack';
  r.run(70000);
  assert.is(r.iface.address, OFFER_IP);
});

test('NAK in REQUESTING restarts; no answer retransmits DISCOVER with exponential backoff and ±1 s jitter', () => {
  const { r, srv } = dhcpRig(7);
  srv.offer = false;
  r.run(130000);
  const times = srv.got.map((g) => g.at);
  assert.ok(times.length >= 5);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
  const expect = [4000, 8000, 16000, 32000, 64000];
  for (let i = 0; i < gaps.length && i < expect.length; i++) {
    assert.ok(Math.abs(gaps[i] - expect[i]) <= 1000, 'gap ' + i + ' = ' + gaps[i]);
  }
  assert.ok(gaps.some((g, i) => g !== expect[i]), 'jittered');
  // Same seed, same schedule (deterministic).
  const again = dhcpRig(7);
  again.srv.offer = false;
  again.r.run(130000);
  assert.equal(again.srv.got.map((g) => g.at - again.srv.got[0].at), times.map((t) => t - times[0]));
  // NAK to our REQUEST: back to DISCOVER.
  const n = dhcpRig(3);
  n.srv.answerRequests = 'nak';
  n.r.run(100);
  n.srv.answerRequests = 'ack';
  n.r.run(3000);
  assert.equal(n.srv.types().slice(0, 4), [DHCPDISCOVER, DHCPREQUEST, DHCPDISCOVER, DHCPREQUEST]);
  assert.is(n.r.iface.address, OFFER_IP);
});

test('an offer whose REQUEST is never answered: 4 REQUESTs with backoff, then DISCOVER again', () => {
  const { r, srv } = dhcpRig(5);
  srv.answerRequests = 'none';
  r.run(60000);
  const t = srv.types();
  assert.equal(t.slice(0, 6), [DHCPDISCOVER, DHCPREQUEST, DHCPREQUEST, DHCPREQUEST, DHCPREQUEST, DHCPDISCOVER]);
  const at = srv.got.map((g) => g.at);
  assert.ok(Math.abs(at[2] - at[1] - 4000) <= 1000 && Math.abs(at[3] - at[2] - 8000) <= 1000 && Math.abs(at[4] - at[3] - 16000) <= 1000);
});

test('an infinite lease is never renewed; T1/T2 from the server are used when given', () => {
  const { r, srv } = dhcpRig();
  srv.leaseS = 0xffffffff;
  r.run(100);
  const lease = r.iface.dhcp!.lease!;
  assert.is(lease.renewAt, Infinity);
  r.run(10 * 86400 * 1000);
  assert.is(srv.got.length, 2);
  assert.is(r.iface.dhcp!.state, 'bound');
  const b = dhcpRig();
  b.srv.leaseS = 1000; b.srv.t1 = 100; b.srv.t2 = 200;
  b.r.run(100);
  const l2 = b.r.iface.dhcp!.lease!;
  const t0 = b.srv.got[1].at;
  assert.is(l2.renewAt - t0, 100000);
  assert.is(l2.rebindAt - t0, 200000);
  assert.is(l2.expiresAt - t0, 1000000);
});

test('replies for another transaction or another client are ignored', () => {
  const { r, srv } = dhcpRig();
  srv.offer = false;
  r.run(100);
  const d = srv.got[0].m;
  const wrongXid = Object.assign({}, d, { xid: (d.xid + 1) >>> 0 });
  srv.reply(wrongXid, DHCPOFFER);
  const wrongMac = Object.assign({}, d, { chaddr: new Uint8Array([2, 9, 9, 9, 9, 9]) });
  srv.reply(wrongMac, DHCPOFFER);
  r.run(100);
  assert.is(r.iface.dhcp!.state, 'selecting');
  assert.is(r.iface.counters['dhcp-not-ours'], 2);
});

test.run();
