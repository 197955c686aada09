import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment, icmpMessage, ip, Seen, OUR_IP, PEER_IP } from './rig';
import { IP_PROTO_ICMP, IP_PROTO_UDP } from '../../tcp/wire/reprs';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';

const DNS2 = ip('192.168.7.54') as number;

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.')) {
    out.push(label.length);
    for (const c of label) out.push(c.charCodeAt(0));
  }
  out.push(0);
  return out;
}

interface Rr { name: string; type: number; ttl: number; a?: string; cname?: string }

/** A response to `query` (the UDP payload we sent): the question echoed, answers with names compressed
 * by a pointer to the question when they equal it. */
function response(query: Uint8Array, rcode: number, answers: Rr[], opts: { badPointerLoop?: boolean } = {}): Uint8Array {
  const qEnd = query.length; // header + one question
  let qname = '';
  for (let i = 12; query[i] !== 0; i += query[i] + 1) qname += (qname ? '.' : '') + String.fromCharCode(...query.subarray(i + 1, i + 1 + query[i]));
  const out: number[] = Array.from(query.subarray(0, qEnd));
  out[2] = 0x81; out[3] = 0x80 | rcode; // QR, RD, RA
  out[6] = 0; out[7] = answers.length;
  for (const rr of answers) {
    if (opts.badPointerLoop) out.push(0xc0, out.length & 0xff); // points at itself
    else if (rr.name === qname) out.push(0xc0, 12);
    else out.push(...encodeName(rr.name));
    out.push(0, rr.type, 0, 1, (rr.ttl >>> 24) & 255, (rr.ttl >>> 16) & 255, (rr.ttl >>> 8) & 255, rr.ttl & 255);
    const rd = rr.a ? rr.a.split('.').map(Number) : encodeName(rr.cname!);
    out.push(rd.length >> 8, rd.length & 255, ...rd);
  }
  return new Uint8Array(out);
}

type Answer = (q: Uint8Array, s: Seen) => Uint8Array | null;

function dnsRig(answer: Answer, servers = [PEER_IP]): { r: Rig; queries: Seen[] } {
  const r = new Rig({ ipv4: { address: OUR_IP, prefixLength: 24, gateway: PEER_IP, dns: servers } });
  r.peer.addresses.push(DNS2);
  const queries: Seen[] = [];
  r.peer.onFrame = (s) => {
    if (!s.udp || s.udp.dstPort !== 53) return false;
    queries.push(s);
    const a = answer(s.payload!, s);
    if (a) r.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(53, s.udp.srcPort, a, s.ip!.dst, OUR_IP), { src: s.ip!.dst }));
    return true;
  };
  return { r, queries };
}

function lookup(r: Rig, name: string, ms = 100): { err: string | null; addr: string } | null {
  let res: { err: string | null; addr: string } | null = null;
  r.iface.dns.resolve(name, (err, a) => { res = { err: err ? err.message : null, addr: err ? '' : formatIpv4(a) }; });
  if (!res) r.run(ms);
  return res;
}

test('dotted quads resolve at once; A records are looked up and cached for their TTL', () => {
  const { r, queries } = dnsRig((q) => response(q, 0, [{ name: 'device.example', type: 1, ttl: 30, a: '10.0.0.7' }]));
  assert.equal(lookup(r, '1.2.3.4'), { err: null, addr: '1.2.3.4' });
  assert.is(queries.length, 0);
  assert.equal(lookup(r, 'device.example'), { err: null, addr: '10.0.0.7' });
  assert.is(queries.length, 1);
  assert.is(queries[0].ip!.dst, PEER_IP);
  assert.equal(lookup(r, 'Device.Example.'), { err: null, addr: '10.0.0.7' }, 'from the cache');
  assert.is(queries.length, 1);
  r.run(30000);
  assert.equal(lookup(r, 'device.example'), { err: null, addr: '10.0.0.7' });
  assert.is(queries.length, 2, 'asked again after the TTL');
});

test('TTL 0 answers are used but not cached; long TTLs are capped by limits.dnsMaxTtlS', () => {
  const { r, queries } = dnsRig((q) => {
    const name = String.fromCharCode(...q.subarray(13, 13 + q[12]));
    return response(q, 0, [{ name: name + '.example', type: 1, ttl: name === 'zero' ? 0 : 0x7fffffff, a: '10.0.0.5' }]);
  });
  assert.equal(lookup(r, 'zero.example'), { err: null, addr: '10.0.0.5' });
  assert.equal(lookup(r, 'zero.example'), { err: null, addr: '10.0.0.5' });
  assert.is(queries.length, 2);
  assert.equal(lookup(r, 'long.example'), { err: null, addr: '10.0.0.5' });
  r.run(3599 * 1000);
  lookup(r, 'long.example');
  assert.is(queries.length, 3, 'cached within the cap');
  r.run(2000);
  lookup(r, 'long.example');
  assert.is(queries.length, 4, 'expired at the cap (3600 s)');
});

test('CNAME chains are followed, in one answer or by asking again for the canonical name', () => {
  const { r, queries } = dnsRig((q) => {
    const name = String.fromCharCode(...q.subarray(13, 13 + q[12]));
    if (name === 'www') {
      return response(q, 0, [
        { name: 'www.example', type: 5, ttl: 60, cname: 'web.example' },
        { name: 'web.example', type: 5, ttl: 60, cname: 'host.example' },
        { name: 'host.example', type: 1, ttl: 60, a: '10.0.0.9' },
      ]);
    }
    if (name === 'alias') return response(q, 0, [{ name: 'alias.example', type: 5, ttl: 60, cname: 'real.example' }]);
    if (name === 'real') return response(q, 0, [{ name: 'real.example', type: 1, ttl: 60, a: '10.0.0.10' }]);
    return response(q, 3, []);
  });
  assert.equal(lookup(r, 'www.example'), { err: null, addr: '10.0.0.9' });
  assert.equal(lookup(r, 'alias.example'), { err: null, addr: '10.0.0.10' });
  assert.is(queries.length, 3);
  assert.equal(lookup(r, 'nothing.example'), { err: 'ENOTFOUND', addr: '' });
});

test('no answer: retries alternate between servers, then ETIMEOUT', () => {
  const { r, queries } = dnsRig(() => null, [PEER_IP, DNS2]);
  let res: string | null = null;
  r.iface.dns.resolve('slow.example', (err) => { res = err ? err.message : 'ok'; });
  r.run(5900);
  assert.is(res, null);
  r.run(10000);
  assert.is(res, 'ETIMEOUT');
  assert.is(queries.length, 6, 'limits.dnsTries (3) per server');
  assert.equal(queries.map((q) => q.ip!.dst), [PEER_IP, DNS2, PEER_IP, DNS2, PEER_IP, DNS2]);
  // A new id per try.
  const ids = queries.map((q) => (q.payload![0] << 8) | q.payload![1]);
  assert.ok(new Set(ids).size >= 5);
});

test('the DNS timers run only when due, yet a query re-aimed by ICMP goes to the next server at once', () => {
  // Idle, a poll skips the DNS client (Interface.dnsAt = Infinity); a port unreachable from the first
  // server moves the query's deadline to now (dns-client.ts unreachable), which must bring the client back.
  const { r, queries } = dnsRig(() => null, [PEER_IP, DNS2]);
  r.run(5000);
  let res: string | null = null;
  r.iface.dns.resolve('slow.example', (err) => { res = err ? err.message : 'ok'; });
  r.run(10);
  assert.is(queries.length, 1);
  const q = queries[0];
  // The original datagram: its IPv4 header and first 8 bytes (RFC 792), as the server got it.
  const original = q.raw.subarray(14, 14 + 28);
  r.peer.send(ipFrame(IP_PROTO_ICMP, icmpMessage(3, 3, 0, original)));
  r.run(10);
  assert.is(queries.length, 2, 'the second server asked within 10 ms, not after the 2 s timeout');
  assert.is(queries[1].ip!.dst, DNS2);
  assert.is(res, null);
});

test('answers with the wrong id, from the wrong address, or with a pointer loop are ignored', () => {
  let mode = 0;
  const { r, queries } = dnsRig((q) => {
    const resp = response(q, 0, [{ name: 'x.example', type: 1, ttl: 60, a: '10.0.0.1' }], { badPointerLoop: mode === 1 });
    if (mode === 0) resp[1] ^= 1; // wrong id
    mode++;
    return mode <= 3 ? resp : null;
  });
  const res = lookup(r, 'x.example', 5000);
  // Try 1: wrong id (ignored) → timeout; try 2: pointer loop (ignored) → timeout; try 3: good.
  assert.equal(res, { err: null, addr: '10.0.0.1' });
  assert.is(queries.length, 3);
  assert.is(r.iface.counters['dns-unexpected'], 1);
  assert.is(r.iface.counters['dns-bad-name'], 1);
});

test('concurrent lookups of one name share a query; the number in progress is bounded', () => {
  const { r, queries } = dnsRig(() => null);
  const errs: string[] = [];
  const cb = (err: Error | null) => errs.push(err ? err.message : 'ok');
  r.iface.dns.resolve('a.example', cb);
  r.iface.dns.resolve('a.example', cb);
  for (const n of ['b', 'c', 'd', 'e']) r.iface.dns.resolve(n + '.example', cb);
  assert.equal(errs, ['EBUSY'], 'limits.dnsPending = 4');
  r.run(1);
  assert.is(queries.length, 4);
  const bad = lookup(r, 'bad..name');
  assert.equal(bad, { err: 'EBADNAME', addr: '' });
});

test('no DNS server configured: ENOSERVER', () => {
  const r = new Rig({ ipv4: { address: OUR_IP, prefixLength: 24 } });
  assert.equal(lookup(r, 'x.example'), { err: 'ENOSERVER', addr: '' });
});

test.run();
