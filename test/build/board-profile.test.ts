// A board's firmware bundle holds only what its configuration can reach (tools/build/profile.ts): the
// other chip's driver, the other link, DHCP on a static address, DNS and NetworkJS when off are built as
// their `.off` variants, and the configuration is resolved and validated at build time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { buildBundle, ROOT } from '../../tools/build/bundle';
import { boardProfile, profileOf, optionalPartIds } from '../../tools/build/profile';
import { boardConfig } from '../../firmware/boards';
import { validateConfig, BoardConfig } from '../../firmware/config';
import { DnsClient as DnsOff } from '../../tcp/iface/dns-client.off';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

const ids = (b: { modules: Array<{ id: string }> }): string[] => b.modules.map((m) => m.id);

test('every optional part has an .off variant exporting the same values', () => {
  for (const id of optionalPartIds()) {
    /* eslint-disable @typescript-eslint/no-var-requires */
    const full = require(path.join(ROOT, id));
    const off = require(path.join(ROOT, id + '.off'));
    /* eslint-enable @typescript-eslint/no-var-requires */
    // Classes and functions (the feature modules tcp/tcp/sack and window-scale export functions only).
    const fns = (m: Record<string, unknown>) => Object.keys(m).filter((k) => typeof m[k] === 'function').sort();
    assert.ok(fns(full).length > 0, id);
    for (const k of fns(full)) assert.type(off[k], 'function', id + ' .off lacks ' + k);
  }
});

test('the WiFi bundle (W5500 over SPI, DHCP) leaves out the ENC28J60, the dgram link, DNS and NetworkJS', () => {
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'wifi' });
  const m = ids(b);
  for (const id of ['hal/drivers/w5500', 'tcp/iface/dhcp-client', 'tcp/wire/dhcp']) assert.ok(m.includes(id), id);
  for (const id of ['hal/drivers/enc28j60', 'hal/espruino/dgram-frame-device', 'tcp/iface/dns-client', 'tcp/wire/dns', 'firmware/networkjs-driver']) {
    assert.not.ok(m.includes(id), id + ' must be left out');
  }
  assert.equal(b.leftOut.sort(), ['firmware/networkjs-driver', 'hal/drivers/enc28j60', 'hal/espruino/dgram-frame-device',
    'hal/espruino/serial-frame-device', 'tcp/iface/dns-client', 'tcp/tcp/sack', 'tcp/tcp/state-watch', 'tcp/tcp/window-scale']);
  // Neither the presets nor the validation ship: the configuration is a literal in the bundle.
  for (const id of ['firmware/boards', 'firmware/config']) assert.not.ok(m.includes(id), id);
  assert.match(b.code, /\{name:"wifi",description:"/);
  // The configuration literal carries the chip's SPI bus and pins, not the dgram link's relay.
  assert.match(b.code, /spi:\{bus:"SPI2"/);
  assert.not.match(b.code, /relayPort:\d/);
});

test('a dgram-link bundle carries the relay, not an SPI bus or pins', () => {
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'linux' });
  assert.match(b.code, /relayPort:\d+/);
  assert.not.match(b.code, /spi:\{bus:/);
  assert.not.match(b.code, /pins:\{cs:/);
});

test('the Pico bundle is the echo server on a static address: no HTTP server, no DHCP client, no UDP sockets', () => {
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'pico' });
  const m = ids(b);
  for (const id of ['hal/drivers/w5500', 'firmware/apps/echo', 'tcp/iface/udp.off', 'tcp/iface/dhcp-client.off', 'firmware/apps/http-app.off']) {
    assert.ok(m.includes(id), id);
  }
  for (const id of ['firmware/http/server', 'tcp/iface/dhcp-client', 'tcp/iface/udp', 'tcp/wire/udp', 'tcp/wire/dhcp']) {
    assert.not.ok(m.includes(id), id + ' must be left out');
  }
});

test('UDP sockets come back with DHCP or NetworkJS', () => {
  const pico = boardConfig('pico') as BoardConfig;
  assert.ok(profileOf(ROOT, pico, validateConfig).leftOut.includes('tcp/iface/udp'));
  const withDhcp = JSON.parse(JSON.stringify(pico));
  withDhcp.ipv4 = 'dhcp';
  assert.not.ok(profileOf(ROOT, withDhcp, validateConfig).leftOut.includes('tcp/iface/udp'));
  const withNetJs = JSON.parse(JSON.stringify(pico));
  withNetJs.apps.networkJs = true;
  assert.not.ok(profileOf(ROOT, withNetJs, validateConfig).leftOut.includes('tcp/iface/udp'));
});

test('the ESP32 bundle has the ENC28J60 driver and not the W5500 one; a static board has no DHCP client', () => {
  const esp = ids(buildBundle({ entry: 'firmware/main.ts', board: 'esp32' }));
  assert.ok(esp.includes('hal/drivers/enc28j60'));
  assert.ok(esp.includes('hal/drivers/w5500.off'));
  assert.not.ok(esp.includes('hal/drivers/w5500'));
  const sim = ids(buildBundle({ entry: 'firmware/main.ts', board: 'sim' }));
  assert.ok(sim.includes('tcp/iface/dhcp-client.off'));
  assert.not.ok(sim.includes('tcp/wire/dhcp'));
  const linux = ids(buildBundle({ entry: 'firmware/main.ts', board: 'linux' }));
  assert.ok(linux.includes('hal/espruino/dgram-frame-device'));
  assert.ok(linux.includes('hal/drivers/w5500.off') && linux.includes('hal/drivers/enc28j60.off'));
});

test('NetworkJS on brings the driver and the DNS client back', () => {
  const c = boardConfig('pico') as BoardConfig;
  c.apps.networkJs = true;
  const p = profileOf(ROOT, c, validateConfig);
  assert.not.ok(p.leftOut.includes('firmware/networkjs-driver'));
  assert.not.ok(p.leftOut.includes('tcp/iface/dns-client'));
});

test('an invalid configuration fails the build with every problem named; unknown boards are named too', () => {
  const c = boardConfig('pico') as BoardConfig;
  c.pins.cs = c.spi.sck;
  c.spi.baud = 1e9;
  assert.throws(() => profileOf(ROOT, c, validateConfig), (e: Error) =>
    /configuration "pico" is invalid/.test(e.message) && /both B13/.test(e.message) && /spi\.baud/.test(e.message));
  assert.throws(() => boardProfile(ROOT, 'no-such-board'), /unknown board "no-such-board"/);
  assert.throws(() => buildBundle({ entry: 'firmware/main.ts', board: 'no-such-board' }), /unknown board/);
});

test('without DNS a dotted quad still resolves and a name fails with ENOTSUP', () => {
  const dns = new DnsOff({});
  const got: Array<[string, number]> = [];
  dns.resolve('10.1.2.3', (err, a) => got.push([err ? err.message : '', a]));
  dns.resolve('example.com', (err, a) => got.push([err ? err.message : '', a]));
  assert.equal(got[0], ['', parseIpv4Address('10.1.2.3') as number]);
  assert.match(got[1][0], /^ENOTSUP/);
  assert.is(dns.poll(0), Infinity);
});

test('an app switched off (port 0) is left out of the bundle; the other app still builds in', () => {
  const c = boardConfig('wifi') as BoardConfig;
  c.apps.httpPort = 0;
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'wifi', config: c as unknown as { [k: string]: unknown } });
  const m = ids(b);
  assert.ok(m.includes('firmware/apps/http-app.off') && m.includes('firmware/apps/echo'));
  for (const id of ['firmware/apps/http-app', 'firmware/http/server', 'firmware/http/router']) assert.not.ok(m.includes(id), id);
  const full = buildBundle({ entry: 'firmware/main.ts', board: 'wifi' });
  assert.ok(b.code.length < full.code.length - 10000, b.code.length + ' vs ' + full.code.length);
  c.apps.httpPort = 80;
  c.apps.echoPort = 0;
  assert.ok(profileOf(ROOT, c, validateConfig).leftOut.includes('firmware/apps/echo'));
});

test('a left-out part reached anyway says plainly that it is not in this build', () => {
  for (const [id, cls] of [['hal/drivers/w5500', 'W5500'], ['hal/drivers/enc28j60', 'Enc28j60'],
    ['hal/espruino/dgram-frame-device', 'DgramFrameDevice'], ['hal/espruino/serial-frame-device', 'SerialFrameDevice'], ['tcp/iface/dhcp-client', 'DhcpClient'],
    ['firmware/networkjs-driver', 'NetworkJsDriver'], ['firmware/apps/http-app', 'startHttp'], ['firmware/apps/echo', 'startEcho']]) {
    const Off = require(path.join(ROOT, id + '.off'))[cls]; // eslint-disable-line @typescript-eslint/no-var-requires
    assert.throws(() => new Off({}, {}), /not in this firmware build/, id);
  }
});

test('TCP features: window scaling only above 64 KB of receive buffer, SACK only with four full segments of buffer', () => {
  const base = boardConfig('pico') as BoardConfig;
  const out = (rx: number, tx: number) => {
    const c = JSON.parse(JSON.stringify(base));
    c.buffers.rxBytes = rx;
    c.buffers.txBytes = tx;
    return profileOf(ROOT, c, validateConfig).leftOut.filter((id) => id.startsWith('tcp/tcp/')).sort();
  };
  assert.equal(out(2048, 2048), ['tcp/tcp/sack', 'tcp/tcp/state-watch', 'tcp/tcp/window-scale']);
  assert.equal(out(4096, 5839), ['tcp/tcp/sack', 'tcp/tcp/state-watch', 'tcp/tcp/window-scale']);
  assert.equal(out(5840, 2048), ['tcp/tcp/state-watch', 'tcp/tcp/window-scale'], 'SACK in: 4 × 1460 bytes of receive buffer');
  assert.equal(out(2048, 8192), ['tcp/tcp/state-watch', 'tcp/tcp/window-scale'], 'SACK in: 4 × 1460 bytes of send buffer');
  // Window scaling never ships to a board: buffers.rxBytes is at most 65535 (firmware/config.ts).
  for (const name of ['pico', 'esp32', 'wifi', 'linux', 'sim']) {
    const p = boardProfile(ROOT, name);
    assert.ok(p && p.leftOut.includes('tcp/tcp/window-scale'), name);
  }
  const sim = boardProfile(ROOT, 'sim');
  assert.ok(sim && !sim.leftOut.includes('tcp/tcp/sack'), 'sim (8 KB buffers) keeps SACK');
});

test('a bundle with the TCP features out has none of their code', () => {
  // Registry shape: calls across modules stay `.name(` there (hoisted, they become short local names).
  const b = buildBundle({ entry: 'firmware/main.ts', board: 'wifi', mangleProperties: false, hoistModules: false });
  const m = ids(b);
  assert.ok(m.includes('tcp/tcp/sack.off') && m.includes('tcp/tcp/window-scale.off'));
  assert.not.ok(m.includes('tcp/tcp/sack') || m.includes('tcp/tcp/window-scale'));
  // The guarded code is gone, not just switched off: no SACK scoreboard or hole retransmission, no
  // SACK blocks written, no window-scale negotiation.
  // (The .off modules still define empty functions of those names; nothing calls them.)
  for (const s of ['sackRetransmits++', '.sackOnAck(', '.fillSackBlocks(', '.sackRetransmit(', '.shiftFor(']) {
    assert.not.ok(b.code.includes(s), s);
  }
  const sim = buildBundle({ entry: 'firmware/main.ts', board: 'sim', mangleProperties: false, hoistModules: false });
  for (const s of ['sackRetransmits++', '.sackOnAck(', '.fillSackBlocks(', '.sackRetransmit(']) assert.ok(sim.code.includes(s), 'control: ' + s);
});

test.run();
