// Runs as the device runs: the built bundle itself (tools/build → the minified ES5 that ships), loaded
// into a `vm` sandbox that exposes only Espruino's globals — SPI1, digitalWrite, setWatch, getTime, E,
// timers, print, process.memory, getSerial, and the language's own typed arrays; none of Node's —
// (test/helpers/bundle-sandbox.ts) over each simulated chip on a VirtualWire. A second Stack on
// the wire is the client: the HTTP and echo contract through the bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'crypto';
import { buildBundle } from '../../tools/build/bundle';
import { boardConfig } from '../../firmware/boards';
import { BoardConfig } from '../../firmware/config';
import { BYTES_PATTERN } from '../../firmware/apps/http-app';
import { ResponseReader } from './http-client';
import { bootBundle, Chip } from '../helpers/bundle-sandbox';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

const bundles: { [chip: string]: string } = {};

/** The sim preset built for `chip`: only that chip's driver is in the bundle (tools/build/profile.ts). */
function bundleFor(chip: Chip): string {
  if (!bundles[chip]) {
    const config = boardConfig('sim') as BoardConfig;
    config.chip = chip;
    bundles[chip] = buildBundle({ entry: 'firmware/main.ts', board: 'sim', config: config as unknown as { [k: string]: unknown } }).code;
  }
  return bundles[chip];
}

function boot(chip: Chip = 'w5500') {
  return bootBundle(bundleFor(chip), chip);
}

for (const chip of ['w5500', 'enc28j60'] as Chip[]) {
  test('[' + chip + '] the bundle boots on the simulated chip and says what it is', () => {
    const b = boot(chip);
    b.run(() => b.printed.length > 0, 1000);
    if (process.env.DBG) console.log(b.printed, b.timers.length, b.clock.nowMs());
    assert.match(b.printed.join('\n'), new RegExp('\\[etcpip\\] Host simulator.*' + chip + ', MAC 02:[0-9a-f:]+, 10\\.0\\.2\\.15/24, http :80, echo :7'));
    assert.ok(b.timers.length >= 1, 'it keeps itself polled');
  });

  test('[' + chip + '] the bundle serves the HTTP contract and echo over real TCP', () => {
    const b = boot(chip);
    const reader = new ResponseReader(true);
    const body = 'x'.repeat(50000);
    const sock = b.client.connect({ host: '10.0.2.15', port: 80 }, { rxBytes: 16384, txBytes: 16384 });
    let closed = false;
    sock.on('connect', () => {
      sock.write('GET / HTTP/1.1\r\nHost: d\r\n\r\nGET /api/status HTTP/1.1\r\nHost: d\r\n\r\nGET /bytes/100000 HTTP/1.1\r\nHost: d\r\n\r\n' +
        'POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: ' + body.length + '\r\n\r\n' + body +
        'GET /missing HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
    });
    sock.on('data', (d: Uint8Array) => reader.push(d));
    sock.on('end', () => sock.end());
    sock.on('close', () => { closed = true; });
    const echo = b.client.connect({ host: '10.0.2.15', port: 7 });
    let echoed = '';
    let echoClosed = false;
    echo.on('connect', () => { echo.write('through the bundle'); echo.end(); });
    echo.on('data', (d: Uint8Array) => { echoed += Buffer.from(d).toString('latin1'); });
    echo.on('close', () => { echoClosed = true; });
    b.run(() => closed && echoClosed);
    const rs = reader.responses;
    assert.equal(rs.map((r) => r.status), [200, 200, 200, 200, 404]);
    assert.match(rs[0].body, '<!DOCTYPE html>');
    const st = JSON.parse(rs[1].body);
    assert.is(st.address, '10.0.2.15/24');
    assert.equal(st.memory, { free: 3000, total: 5100, blockSize: 13 });
    assert.is(rs[2].bodyLength, 100000);
    const h = createHash('sha256');
    for (let i = 0; i < 100000; i += 64) h.update(Buffer.from(BYTES_PATTERN.substring(0, Math.min(64, 100000 - i)), 'latin1'));
    assert.is(rs[2].sha256, h.digest('hex'));
    assert.is(rs[3].body, body);
    assert.is(echoed, 'through the bundle');
  });
}

test('a bundle without UDP sockets (static address, no NetworkJS) answers a datagram with ICMP port unreachable', () => {
  const code = bundleFor('w5500');
  assert.ok(code.indexOf('udp-not-in-build') >= 0, 'the sim preset builds tcp/iface/udp.off.ts');
  const b = boot('w5500');
  b.run(() => b.printed.length > 0, 1000);
  const s = b.client.iface.udp.bind(0);
  assert.ok(s);
  s!.send('anyone?', 9, parseIpv4Address('10.0.2.15') as number);
  b.run(() => (b.client.iface.counters['icmp-unreachable-rx'] || 0) > 0, 2000);
  assert.is(b.client.iface.counters['icmp-unreachable-rx'], 1);
  // TCP is untouched.
  const t = b.client.connect({ host: '10.0.2.15', port: 7 });
  let got = '';
  t.on('connect', () => t.write('still here'));
  t.on('data', (d: Uint8Array) => { got += Buffer.from(d).toString('latin1'); });
  b.run(() => got.length >= 10);
  assert.is(got, 'still here');
});

test.run();
