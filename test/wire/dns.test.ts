// DNS queries and responses (RFC 1035 §4.1), compression pointers (§4.1.4) and their abuse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitDnsQuery, parseDnsResponse } from '../../tcp/wire/dns';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { isWireError } from '../../tcp/wire/reprs';

test('a query for example.com is laid out as RFC 1035 §4.1 says', () => {
  const b = new Uint8Array(64);
  const n = emitDnsQuery(b, 2, 0xabcd, 'example.com.');
  assert.is(n, 12 + 13 + 4);
  assert.equal(Array.from(b.subarray(2, 2 + (n as number))), [
    0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0,
    0, 1, 0, 1]);
  assert.is(emitDnsQuery(b, 0, 1, 'example.com', 28), 29);
  assert.is(b[26], 28, 'AAAA qtype');
});

test('names that cannot be encoded, and buffers too small, are errors', () => {
  const b = new Uint8Array(300);
  for (const bad of ['', '.', 'a..b', '.a', 'x'.repeat(64) + '.com', 'caf\u00e9.fr', ('a'.repeat(63) + '.').repeat(4) + 'abc']) {
    assert.is(emitDnsQuery(b, 0, 1, bad), 'dns-bad-name', JSON.stringify(bad).slice(0, 30));
  }
  assert.is(emitDnsQuery(b, 0, 1, 'x'.repeat(63) + '.com'), 12 + 69 + 4);
  assert.is(emitDnsQuery(new Uint8Array(20), 0, 1, 'example.com'), 'dns-no-room');
});

/** Response to `alias.test A`: CNAME → www.test (pointer into the question), then A. */
function response(): number[] {
  return [
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
    5, 97, 108, 105, 97, 115, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1, // 12: alias.test A IN
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 3, 119, 119, 119, 0xc0, 18, // 28: CNAME www.<test>
    0xc0, 40, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 9, // 46: www.test A 10.0.0.9 (pointer to a pointer)
  ];
}

test('a CNAME chain with pointers to pointers decodes', () => {
  const b = new Uint8Array([7, 7].concat(response()));
  const r = parseDnsResponse(b, 2, b.length - 2);
  if (isWireError(r)) return assert.unreachable(r);
  assert.is(r.id, 0x1234);
  assert.is(r.rcode, 0);
  assert.not.ok(r.truncated);
  assert.is(r.answers.length, 2);
  assert.equal(r.answers[0], { name: 'alias.test', type: 5, ttl: 3600, target: 'www.test' });
  assert.is(r.answers[1].name, 'www.test');
  assert.is(formatIpv4(r.answers[1].address!), '10.0.0.9');
  assert.is(r.answers[1].ttl, 60);
});

test('rcode, truncation, and queries (QR=0) are reported', () => {
  const m = response();
  m[2] = 0x83; m[3] = 0x83; // TC, NXDOMAIN
  m[7] = 0;
  const r = parseDnsResponse(new Uint8Array(m), 0, m.length);
  if (isWireError(r)) return assert.unreachable(r);
  assert.ok(r.truncated);
  assert.is(r.rcode, 3);
  m[2] = 0x01;
  assert.is(parseDnsResponse(new Uint8Array(m), 0, m.length), 'dns-not-response');
});

test('compression loops, forward and self pointers, extended labels and overlong names are rejected', () => {
  const withName = (at: number, bytes: number[]) => { const m = response(); m.splice(at, bytes.length, ...bytes); return parseDnsResponse(new Uint8Array(m), 0, m.length); };
  assert.is(withName(28, [0xc0, 28]), 'dns-bad-name', 'pointer to itself');
  assert.is(withName(28, [0xc0, 46]), 'dns-bad-name', 'pointer forward');
  assert.is(withName(28, [0xc0, 0xff]), 'dns-bad-name', 'pointer past the end');
  assert.is(withName(28, [0x40, 1]), 'dns-bad-name', 'extended label type');
  assert.is(withName(28, [0x80, 1]), 'dns-bad-name', 'reserved label type');
  // A label that runs into the pointer that leads back to it: a loop made of backward pointers only.
  const loop = [0, 0, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 1, 97, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];
  assert.is(parseDnsResponse(new Uint8Array(loop), 0, loop.length), 'dns-bad-name');
  // 5 × 63-byte labels: more than 255 bytes.
  const long: number[] = [0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 5; i++) { long.push(63); for (let k = 0; k < 63; k++) long.push(97); }
  long.push(0, 0, 1, 0, 1);
  assert.is(parseDnsResponse(new Uint8Array(long), 0, long.length), 'dns-bad-name');
});

test('truncated messages and A records of the wrong length are errors', () => {
  const m = response();
  for (let n = 0; n < m.length; n++) {
    const r = parseDnsResponse(new Uint8Array(m), 0, n);
    assert.ok(isWireError(r), 'cut at ' + n + ' must be an error, got ' + JSON.stringify(r));
  }
  const bad = response();
  bad[57] = 5; bad.push(0);
  assert.is(parseDnsResponse(new Uint8Array(bad), 0, bad.length), 'dns-bad-rdata');
});

test.run();
