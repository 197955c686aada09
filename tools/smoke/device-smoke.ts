// The device smoke test: built into its own bundle (and the default firmware entry until
// firmware/main.ts exists), run by the gate under Duktape with Espruino's globals shimmed
// (tools/smoke/duk-shims.js), and runnable on a real board or Espruino's Linux build as is.
// It builds and parses frames with tcp/wire/ and checks checksums against values computed
// independently on the host (tools/smoke/expected.ts; test/build/smoke.test.ts recomputes them).
// Output: one "SMOKE ok NAME" / "SMOKE FAIL NAME: ..." line per check, then "SMOKE PASS n" or
// "SMOKE FAILED n of m".
import { internetChecksum, onesComplementSum, pseudoHeaderSum, setNativeWordSum } from '../../tcp/wire/checksum';
import { formatIpv4, parseIpv4Address, readIpv4, writeIpv4 } from '../../tcp/wire/ipv4-address';
import { ETHERTYPE_IPV4, IP_PROTO_UDP } from '../../tcp/wire/reprs';
import * as E_ from './expected';
import { emitEthernetHeader, parseEthernet } from '../../tcp/wire/ethernet';
import { macToString, parseMac } from '../../tcp/wire/mac-text';
import { emitIpv4Header, newIpv4Repr, parseIpv4Header } from '../../tcp/wire/ipv4';
import { emitUdpHeader, parseUdp } from '../../tcp/wire/udp';
import { ARP_OP_REQUEST, emitArp, parseArp } from '../../tcp/wire/arp';

declare const E: any;
declare const print: (s: string) => void;

let checks = 0;
let failures = 0;

function check(name: string, got: unknown, want: unknown): void {
  checks++;
  if (got === want) {
    print('SMOKE ok ' + name);
  } else {
    failures++;
    print('SMOKE FAIL ' + name + ': got ' + String(got) + ', want ' + String(want));
  }
}

function hex(bytes: string): Uint8Array {
  const clean = bytes.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

// Wikipedia's IPv4 header checksum example: 192.168.0.1 → 192.168.0.199, UDP, checksum 0xb861.
const IP_HEADER = '4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7';

/** A deterministic 1500-byte pattern (the same formula is used on the host to compute expectations). */
function pattern(): Uint8Array {
  const b = new Uint8Array(1500);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + 3) & 255;
  return b;
}

/** Ethernet II + IPv4 + UDP "hello" from 192.168.0.1:5000 to 192.168.0.199:53, checksums filled. */
function buildUdpFrame(): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + 5);
  f.set(hex('020000000002 020000000001'), 0);
  f[12] = ETHERTYPE_IPV4 >> 8;
  f[13] = ETHERTYPE_IPV4 & 255;
  f.set(hex('4500 0021 1234 4000 4011 0000'), 14);
  writeIpv4(f, 26, parseIpv4Address('192.168.0.1') as number);
  writeIpv4(f, 30, parseIpv4Address('192.168.0.199') as number);
  const ipSum = internetChecksum(f, 14, 20);
  f[24] = ipSum >> 8;
  f[25] = ipSum & 255;
  f.set(hex('1388 0035 000d 0000'), 34);
  f.set(hex('68656c6c6f'), 42);
  const ph = pseudoHeaderSum(readIpv4(f, 26), readIpv4(f, 30), IP_PROTO_UDP, 13);
  let udpSum = internetChecksum(f, 34, 13, ph);
  if (udpSum === 0) udpSum = 0xffff; // RFC 768: a computed zero is sent as all ones
  f[40] = udpSum >> 8;
  f[41] = udpSum & 255;
  return f;
}

function runChecks(label: string): void {
  const h = hex(IP_HEADER);
  check(label + 'ip-header-checksum', internetChecksum(h, 0, 20), 0xb861);
  // The same header at an odd offset inside a larger buffer (the unaligned path).
  const odd = new Uint8Array(64);
  odd.set(h, 5);
  check(label + 'ip-header-checksum-odd-offset', internetChecksum(odd, 5, 20), 0xb861);
  odd[15] = 0xb8;
  odd[16] = 0x61;
  check(label + 'ip-header-verifies', onesComplementSum(odd, 5, 20), 0xffff);
  const p = pattern();
  check(label + 'pattern-sum-even', onesComplementSum(p, 0, 1500), E_.PATTERN_SUM_EVEN);
  check(label + 'pattern-sum-odd', onesComplementSum(p, 3, 1473), E_.PATTERN_SUM_ODD);
  check(label + 'pattern-sum-subarray', onesComplementSum(p.subarray(7), 0, 999), E_.PATTERN_SUM_SUBARRAY);
  const f = buildUdpFrame();
  check(label + 'frame-ip-checksum', (f[24] << 8) | f[25], E_.FRAME_IP_CHECKSUM);
  check(label + 'frame-udp-checksum', (f[40] << 8) | f[41], E_.FRAME_UDP_CHECKSUM);
  // Parse the frame back: header fields and both checksums verify.
  check(label + 'frame-ethertype', (f[12] << 8) | f[13], ETHERTYPE_IPV4);
  check(label + 'frame-ip-verifies', onesComplementSum(f, 14, 20), 0xffff);
  check(label + 'frame-src', formatIpv4(readIpv4(f, 26)), '192.168.0.1');
  check(label + 'frame-dst', formatIpv4(readIpv4(f, 30)), '192.168.0.199');
  check(label + 'frame-udp-verifies', onesComplementSum(f, 34, 13, pseudoHeaderSum(readIpv4(f, 26), readIpv4(f, 30), IP_PROTO_UDP, 13)), 0xffff);
}

function sameBytes(a: Uint8Array, b: Uint8Array): string {
  if (a.length !== b.length) return 'length ' + a.length + ' vs ' + b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return 'byte ' + i + ': ' + a[i] + ' vs ' + b[i];
  return 'same';
}

/** The same frame through the tcp/wire emitters, then parsed back by the tcp/wire parsers. */
function wireChecks(label: string): void {
  const want = buildUdpFrame();
  const f = new Uint8Array(want.length);
  const src = parseMac('02:00:00:00:00:01') as Uint8Array;
  const dst = parseMac('02:00:00:00:00:02') as Uint8Array;
  emitEthernetHeader(f, 0, dst, src, ETHERTYPE_IPV4);
  f.set(hex('68656c6c6f'), 42);
  const srcIp = parseIpv4Address('192.168.0.1') as number;
  const dstIp = parseIpv4Address('192.168.0.199') as number;
  emitUdpHeader(f, 34, 5000, 53, 5, srcIp, dstIp);
  const ip = newIpv4Repr();
  ip.src = srcIp; ip.dst = dstIp; ip.protocol = IP_PROTO_UDP; ip.ttl = 64; ip.id = 0x1234;
  ip.dontFragment = true; ip.payloadLength = 13;
  emitIpv4Header(ip, f, 14);
  check(label + 'emit-frame', sameBytes(f, want), 'same');
  const eth = parseEthernet(f, 0, f.length);
  check(label + 'parse-ethernet', typeof eth === 'string' ? eth : macToString(eth.src) + ' ' + eth.ethertype, '02:00:00:00:00:01 2048');
  const ipr = parseIpv4Header(f, 14, f.length - 14);
  check(label + 'parse-ipv4', typeof ipr === 'string' ? ipr : formatIpv4(ipr.dst) + ' ' + ipr.protocol + ' ' + ipr.payloadOffset + ' ' + ipr.payloadLength, '192.168.0.199 17 34 13');
  const udp = parseUdp(f, 34, 13, srcIp, dstIp);
  check(label + 'parse-udp', typeof udp === 'string' ? udp : udp.srcPort + ' ' + udp.dstPort + ' ' + udp.payloadOffset + ' ' + udp.payloadLength, '5000 53 42 5');
  f[44] ^= 1; // one flipped payload bit
  check(label + 'parse-udp-bad-checksum', typeof parseUdp(f, 34, 13, srcIp, dstIp), 'string');
  check(label + 'parse-ipv4-truncated', typeof parseIpv4Header(f, 14, 10), 'string');
  const arp = new Uint8Array(28);
  emitArp({ op: ARP_OP_REQUEST, senderMac: src, senderIp: srcIp, targetMac: new Uint8Array(6), targetIp: dstIp }, arp, 0);
  const a = parseArp(arp, 0, 28);
  check(label + 'arp-round-trip', typeof a === 'string' ? a : a.op + ' ' + macToString(a.senderMac) + ' ' + formatIpv4(a.targetIp), '1 02:00:00:00:00:01 192.168.0.199');
}

runChecks('js/');
wireChecks('js/');
if (typeof E !== 'undefined' && E && typeof E.sum === 'function') {
  // The device path: the platform hands E.sum to the checksum module.
  setNativeWordSum(function (w: Uint16Array): number { return E.sum(w); });
  runChecks('native/');
  wireChecks('native/');
}
if (failures === 0) print('SMOKE PASS ' + checks);
else print('SMOKE FAILED ' + failures + ' of ' + checks);
