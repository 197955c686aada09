// Memory (issue 8): what an idle interface holds. ARP entries are made when an address is first
// needed (never more than the cache size), counters appear when first counted, the limits given are
// the only ones held per interface (the defaults are shared), and UDP's reused receive objects wait
// for the first datagram.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ip, PEER_IP, OUR_IP } from './rig';
import { DEFAULT_LIMITS } from '../../tcp/iface/config';
import { ARP_PENDING, ARP_RESOLVED } from '../../tcp/iface/arp-cache';
import { IP_PROTO_TCP } from '../../tcp/wire/reprs';

test('no ARP entry exists before an address is needed; one per address after, bounded by the cache size', () => {
  const r = new Rig({ limits: { arpCacheSize: 3 } });
  r.peer.autoArp = false;
  r.run(10);
  assert.is(r.iface.arp.entries.length, 0, 'none made while idle');
  const hosts = [71, 72, 73, 74, 75].map((n) => ip('192.168.7.' + n) as number);
  for (let i = 0; i < hosts.length; i++) {
    const off = r.iface.beginDatagram(hosts[i], IP_PROTO_TCP);
    if (off < 0) break; // the queue of datagrams waiting for ARP is full (counted)
    r.iface.txBuffer.fill(0, off, off + 20);
    r.iface.commitDatagram(20);
    assert.is(r.iface.arp.entries.length, Math.min(i + 1, 3), 'entries after ' + (i + 1) + ' addresses');
  }
  assert.ok(r.iface.arp.entries.every((e) => e.state === ARP_PENDING));
  r.run(10000); // every resolution gives up: the entries stay, free, for reuse
  assert.is(r.iface.arp.entries.length, 3);
});

test('a freed ARP entry is reused before a new one is made', () => {
  const r = new Rig({ limits: { arpCacheSize: 4 } });
  const s = r.iface.udp.bind(1)!;
  assert.ok(s.send('a', 9, PEER_IP));
  r.run(100);
  assert.is(r.iface.arp.entries.length, 1);
  assert.is(r.iface.arp.entries[0].state, ARP_RESOLVED);
  r.run(DEFAULT_LIMITS.arpEntryTtlMs + 1000); // expires, unused
  assert.ok(s.send('b', 9, PEER_IP));
  r.run(100);
  assert.is(r.iface.arp.entries.length, 1, 'the expired entry was reused');
});

test('interface counters appear when first counted', () => {
  const r = new Rig();
  assert.equal(Object.keys(r.iface.counters).filter((k) => k.indexOf('icmp') === 0), [], 'no ICMP counter before ICMP');
  assert.is(r.iface.counters['udp-no-socket'], undefined);
  r.iface.count('udp-no-socket');
  r.iface.count('udp-no-socket');
  assert.is(r.iface.counters['udp-no-socket'], 2);
});

test('only the limits given are held per interface; the rest are the shared defaults', () => {
  const r = new Rig({ limits: { arpCacheSize: 3, ttl: 32 } });
  assert.equal(Object.keys(r.iface.limits).sort(), ['arpCacheSize', 'ttl']);
  assert.is(r.iface.limits.arpCacheSize, 3);
  assert.is(r.iface.limits.ttl, 32);
  assert.is(r.iface.limits.arpQueue, DEFAULT_LIMITS.arpQueue, 'a default reads through');
  assert.is(r.iface.limits.dnsTimeoutMs, DEFAULT_LIMITS.dnsTimeoutMs);
});

test('the DNS client holds its query buffer only while lookups are in progress', () => {
  const r = new Rig({ ipv4: { address: OUR_IP, prefixLength: 24, gateway: PEER_IP, dns: [PEER_IP] } });
  const buf = () => (r.iface.dns as unknown as { scratchBuf: Uint8Array | null }).scratchBuf;
  assert.is(buf(), null);
  const errs: string[] = [];
  r.iface.dns.resolve('nobody.example', (err) => errs.push(err ? err.message : 'ok'));
  assert.ok(buf() !== null, 'held while the query is out');
  r.run(20000); // the peer never answers: every try times out
  assert.equal(errs, ['ETIMEOUT']);
  assert.is(buf(), null, 'let go with the last lookup');
  r.iface.dns.resolve('bad..name', (err) => errs.push(err ? err.message : 'ok'));
  assert.equal(errs, ['ETIMEOUT', 'EBADNAME']);
  assert.is(buf(), null, 'nor kept by a lookup refused at once');
});

test('a DHCP client keeps no message or message buffer between transmissions', () => {
  const r = new Rig({ ipv4: undefined, dhcp: true });
  r.run(100); // the first DISCOVER went out
  const keys = Object.keys(r.iface.dhcp as object);
  assert.ok(keys.indexOf('state') >= 0);
  for (const k of keys) {
    const v = (r.iface.dhcp as unknown as Record<string, unknown>)[k];
    assert.not.ok(v instanceof Uint8Array, k + ' is a buffer');
  }
  assert.is((r.iface.dhcp as unknown as Record<string, unknown>).out, undefined);
});

test.run();
