// Every parser is total (tcp/wire/reprs.ts): for random bytes and for real frames mutated at random
// (with checksums repaired so the mutation reaches the option and length checks), it returns a repr or
// a WireError string, never throws, and reads nothing outside [off, off+len): embedding the same bytes
// in random surroundings at a random offset gives the same answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadGolden } from './golden';
import { parseEthernet } from '../../tcp/wire/ethernet';
import { parseArp } from '../../tcp/wire/arp';
import { parseIpv4Header } from '../../tcp/wire/ipv4';
import { parseIcmp } from '../../tcp/wire/icmp';
import { parseUdp } from '../../tcp/wire/udp';
import { parseTcp } from '../../tcp/wire/tcp';
import { parseDhcp } from '../../tcp/wire/dhcp';
import { parseDnsResponse, emitDnsQuery } from '../../tcp/wire/dns';
import { internetChecksum, pseudoHeaderSum } from '../../tcp/wire/checksum';
import { newTcpRepr, IP_PROTO_TCP, IP_PROTO_UDP } from '../../tcp/wire/reprs';

const SRC = 0x0a4d0002;
const DST = 0x0a4d0001;

type Parser = (buf: Uint8Array, off: number, len: number) => unknown;

/** The layer's bytes start at 0 of `b`; `fix` repairs the checksum after a mutation (if it can). */
interface Target {
  name: string;
  parse: Parser;
  seeds: Uint8Array[];
  fix?: (b: Uint8Array) => void;
}

function setU16(b: Uint8Array, at: number, v: number): void {
  if (at + 1 < b.length) { b[at] = v >> 8; b[at + 1] = v & 255; }
}

function fixTransport(csumAt: number, proto: number) {
  return (b: Uint8Array) => {
    if (b.length < csumAt + 2) return;
    setU16(b, csumAt, 0);
    let c = internetChecksum(b, 0, b.length, proto ? pseudoHeaderSum(SRC, DST, proto, b.length) : 0);
    if (c === 0 && proto === IP_PROTO_UDP) c = 0xffff;
    setU16(b, csumAt, c);
  };
}

// Seeds: the layer bytes of every golden frame, re-addressed SRC → DST so checksums can be repaired.
const frames = ['arp', 'icmp', 'udp', 'tcp', 'dhcp', 'dns'].map((n) => loadGolden(n)).reduce((a, b) => a.concat(b), []);
function layer(proto: number, ethertype = 0x0800): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const g of frames) {
    const d = g.data;
    const et = (d[12] << 8) | d[13];
    if (et !== ethertype) continue;
    if (proto < 0) { out.push(new Uint8Array(d.subarray(14))); continue; }
    if (d[14 + 9] !== proto) continue;
    const hl = (d[14] & 15) * 4;
    const total = (d[16] << 8) | d[17];
    out.push(new Uint8Array(d.subarray(14 + hl, 14 + total)));
  }
  return out;
}
const udpPayloads = layer(IP_PROTO_UDP).map((u) => u.subarray(8));

const targets: Target[] = [
  { name: 'parseEthernet', parse: (b, o, l) => parseEthernet(b, o, l), seeds: frames.map((g) => new Uint8Array(g.data)) },
  { name: 'parseArp', parse: (b, o, l) => parseArp(b, o, l), seeds: layer(-1, 0x0806) },
  { name: 'parseIpv4Header', parse: (b, o, l) => parseIpv4Header(b, o, l), seeds: layer(-1),
    fix: (b) => { const hl = (b[0] & 15) * 4; if (hl >= 20 && hl <= b.length) { setU16(b, 10, 0); setU16(b, 10, internetChecksum(b, 0, hl)); } } },
  { name: 'parseIcmp', parse: (b, o, l) => parseIcmp(b, o, l), seeds: layer(1), fix: fixTransport(2, 0) },
  { name: 'parseUdp', parse: (b, o, l) => parseUdp(b, o, l, SRC, DST), seeds: layer(IP_PROTO_UDP), fix: (b) => setU16(b, 6, 0) },
  { name: 'parseTcp', parse: (b, o, l) => parseTcp(b, o, l, SRC, DST, newTcpRepr()), seeds: layer(IP_PROTO_TCP), fix: fixTransport(16, IP_PROTO_TCP) },
  { name: 'parseDhcp', parse: (b, o, l) => parseDhcp(b, o, l), seeds: udpPayloads.filter((p) => p.length >= 240) },
  { name: 'parseDnsResponse', parse: (b, o, l) => parseDnsResponse(b, o, l), seeds: udpPayloads.filter((p) => p.length >= 12 && p.length < 240 && (p[2] & 0x80) !== 0) },
];

/** A result with offsets made relative to `base` and views turned into plain arrays, for comparison. */
function normalise(r: unknown, base: number): unknown {
  if (typeof r === 'string') return r;
  assert.type(r, 'object', 'a parser returned neither a repr nor a WireError');
  const o: { [k: string]: unknown } = {};
  for (const k of Object.keys(r as object)) {
    const v = (r as { [k: string]: unknown })[k];
    o[k] = v instanceof Uint8Array ? Array.from(v) : k === 'payloadOffset' ? (v as number) - base : Array.isArray(v) ? JSON.parse(JSON.stringify(v)) : v;
  }
  return o;
}

function checkTotal(t: Target, bytes: Uint8Array, before: Uint8Array, after: Uint8Array): void {
  let exact: unknown;
  let embedded: unknown;
  try {
    exact = normalise(t.parse(new Uint8Array(bytes), 0, bytes.length), 0);
    const big = new Uint8Array(before.length + bytes.length + after.length);
    big.set(before, 0);
    big.set(bytes, before.length);
    big.set(after, before.length + bytes.length);
    embedded = normalise(t.parse(big, before.length, bytes.length), before.length);
    // Also as a view whose byteOffset is odd, as received frames can be.
    const view = big.subarray(before.length);
    assert.equal(normalise(t.parse(view, 0, bytes.length), 0), exact, t.name + ': same answer through a subarray');
  } catch (e) {
    throw new Error(t.name + ' threw on ' + Buffer.from(bytes).toString('hex') + ': ' + (e as Error).message);
  }
  assert.equal(embedded, exact, t.name + ' read outside its range: ' + Buffer.from(bytes).toString('hex'));
}

const surroundings = fc.tuple(fc.uint8Array({ maxLength: 9 }), fc.uint8Array({ maxLength: 9 }));

for (const t of targets) {
  test(t.name + ': random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), surroundings, (bytes, [a, b]) => checkTotal(t, bytes, a, b)),
      { seed: 1, numRuns: 400 });
  });

  test(t.name + ': ' + t.seeds.length + ' real frames, mutated, truncated and extended', () => {
    assert.ok(t.seeds.length > 0, 'has seeds');
    const mutation = fc.record({
      seed: fc.nat(t.seeds.length - 1),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      extra: fc.uint8Array({ maxLength: 8 }),
      fix: fc.boolean(),
    });
    fc.assert(fc.property(mutation, surroundings, (m, [a, b]) => {
      const s = t.seeds[m.seed];
      let bytes = new Uint8Array(s.length + m.extra.length);
      bytes.set(s, 0);
      bytes.set(m.extra, s.length);
      if (m.cut !== undefined) bytes = bytes.subarray(0, m.cut % (bytes.length + 1));
      bytes = new Uint8Array(bytes);
      // Edits favour the first 64 bytes, where the headers and their length fields are.
      for (const [pos, val] of m.edits) if (bytes.length > 0) bytes[(pos % 3 === 0 ? pos : pos % 64) % bytes.length] = val;
      if (m.fix && t.fix) t.fix(bytes);
      checkTotal(t, bytes, a, b);
    }), { seed: 2, numRuns: 1500 });
  });
}

test('every unmutated seed parses (the mutations start from valid frames)', () => {
  for (const t of targets) {
    for (const s of t.seeds) {
      const c = new Uint8Array(s);
      if (t.fix && t.name !== 'parseIpv4Header') t.fix(c); // re-addressed to SRC → DST
      const r = t.parse(c, 0, c.length);
      assert.type(r, 'object', t.name + ' rejected a seed: ' + String(r));
    }
  }
});

test('emitDnsQuery: any string, any buffer size — a length that fits, or a WireError', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fc.constantFrom('a', 'b', '.', '-', 'x'.repeat(63)), { maxLength: 12 }).map((a) => a.join(''))),
  fc.nat(320), fc.nat(8), (name, size, off) => {
    const b = new Uint8Array(size);
    const n = emitDnsQuery(b, off, 1, name);
    if (typeof n === 'number') assert.ok(n >= 12 + 3 + 4 && off + n <= size, 'fits');
    else assert.type(n, 'string');
  }), { seed: 3, numRuns: 1000 });
});

test.run();
