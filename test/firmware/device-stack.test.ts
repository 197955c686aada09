// The firmware (firmware/device.ts) over the real Stack and each chip model + driver, with a second
// Stack on the same VirtualWire as the client: the HTTP and echo contract through real TCP segments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'crypto';
import { Stack } from '../../tcp/stack';
import { TcpSocketApi } from '../../tcp/socket-api';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { W5500Model } from '../../hal/sim/w5500-model';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { W5500 } from '../../hal/drivers/w5500';
import { Enc28j60 } from '../../hal/drivers/enc28j60';
import { FrameDevice } from '../../tcp/ports';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { Device } from '../../firmware/device';
import { boardConfig } from '../../firmware/boards';
import { BYTES_PATTERN } from '../../firmware/apps/http-app';
import { ResponseReader, exchange } from './http-client';
import { EspruinoNetModel } from './networkjs-model';

type Chip = 'none' | 'w5500' | 'enc28j60';

function rig(chip: Chip, imp: WireImpairments = { delayMs: 0.2 }, seed = 1, patch: (c: any) => void = () => {}) {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, imp);
  const mac = new Uint8Array([2, 0, 0, 0, 0, 0x15]);
  let dev: FrameDevice;
  let service = (): void => {};
  if (chip === 'w5500') {
    const m = new W5500Model({ clock, port: wire.a });
    const d = new W5500({ spi: m.spi, clock, mac, resetPin: m.resetPin, intPin: m.intPin });
    d.init();
    dev = d;
    service = () => m.service();
  } else if (chip === 'enc28j60') {
    const m = new Enc28j60Model({ clock, port: wire.a });
    const d = new Enc28j60({ spi: m.spi, clock, mac, resetPin: m.resetPin, intPin: m.intPin });
    d.init();
    dev = d;
    service = () => m.service();
  } else {
    dev = new WireFrameDevice(mac, wire.a);
  }
  const config = boardConfig('sim')!;
  patch(config);
  const device = new Device({ config, device: dev, random: new SeededRandom(seed), nowMs: () => clock.nowMs() });
  const client = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 2]), wire.b),
    random: new SeededRandom(seed + 100),
    ipv4: { address: parseIpv4Address('10.0.2.2') as number, prefixLength: 24 },
    tcp: { maxConnections: 32 },
  });
  const run = (done: () => boolean, maxSteps = 2000000): void => {
    for (let i = 0; i < maxSteps && !done(); i++) {
      const now = clock.nowMs();
      service();
      const t = Math.min(device.poll(now), client.poll(now), wire.nextDeliveryMs(), now + 1);
      service();
      clock.advanceTo(t > now ? t : now + 0.01);
    }
  };
  const connect = (port: number, opts = { rxBytes: 16384, txBytes: 16384 }): TcpSocketApi =>
    client.connect({ host: '10.0.2.15', port }, opts);
  return { clock, wire, device, client, run, connect };
}

function http(r: ReturnType<typeof rig>, requests: string | Uint8Array[], keepBodies = true) {
  const reader = new ResponseReader(keepBodies);
  const sock = r.connect(80);
  const st = { ended: false, closed: false };
  sock.on('connect', () => {
    if (typeof requests === 'string') sock.write(requests);
    else for (const q of requests) sock.write(q);
  });
  sock.on('data', (d: Uint8Array) => reader.push(d));
  sock.on('end', () => { st.ended = true; reader.close(); sock.end(); });
  sock.on('close', () => { st.closed = true; });
  sock.on('error', () => {});
  return { reader, sock, st };
}

function patternHash(n: number): string {
  const h = createHash('sha256');
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = BYTES_PATTERN.charCodeAt(i % 64);
  for (let left = n; left > 0; left -= block.length) h.update(block.subarray(0, Math.min(left, block.length)));
  return h.digest('hex');
}

for (const chip of ['none', 'w5500', 'enc28j60'] as Chip[]) {
  test('[' + chip + '] HTTP: status page, JSON, /bytes/N, 404, keep-alive and Connection: close', () => {
    const r = rig(chip);
    const c = http(r, 'GET / HTTP/1.1\r\nHost: d\r\n\r\nGET /api/status HTTP/1.1\r\nHost: d\r\n\r\n' +
      'GET /bytes/0 HTTP/1.1\r\nHost: d\r\n\r\nGET /bytes/1 HTTP/1.1\r\nHost: d\r\n\r\nGET /nothing HTTP/1.1\r\nHost: d\r\n\r\n' +
      'GET /bytes/300000 HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n');
    r.run(() => c.st.closed);
    const rs = c.reader.responses;
    assert.equal(rs.map((x) => x.status), [200, 200, 200, 200, 404, 200]);
    assert.match(rs[0].body, '10.0.2.15/24');
    const j = JSON.parse(rs[1].body);
    assert.is(j.address, '10.0.2.15/24');
    assert.is(j.link, true);
    assert.ok(j.counters.tcp.passiveOpens >= 1);
    assert.is(rs[2].bodyLength, 0);
    assert.is(rs[3].body, '0');
    assert.is(rs[5].bodyLength, 300000);
    assert.is(rs[5].sha256, patternHash(300000));
    assert.ok(c.st.ended, 'server closed after Connection: close');
  });

  test('[' + chip + '] POST /echo 200 KB and echo on port 7 with half-close', () => {
    const r = rig(chip);
    const body = Buffer.alloc(200000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 9)) & 255;
    const c = http(r, [Buffer.from('POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 200000\r\n\r\n'), body]);
    const e = r.connect(7);
    const echoed: Buffer[] = [];
    const est = { ended: false, closed: false };
    const data = body.subarray(0, 50000);
    e.on('connect', () => { e.write(new Uint8Array(data)); e.end(); });
    e.on('data', (d: Uint8Array) => echoed.push(Buffer.from(d)));
    e.on('end', () => { est.ended = true; });
    e.on('close', () => { est.closed = true; });
    r.run(() => c.reader.responses.length === 1 && est.closed);
    const resp = c.reader.responses[0];
    assert.is(resp.status, 200);
    assert.is(resp.bodyLength, 200000);
    assert.is(resp.sha256, createHash('sha256').update(body).digest('hex'));
    assert.is(Buffer.compare(Buffer.concat(echoed), data), 0);
    assert.ok(est.ended && est.closed);
  });
}

test('Pico buffers bound what write() may hold (rx + tx) and POST /echo 200 KB and echo still flow whole', () => {
  const r = rig('w5500', { delayMs: 0.2 }, 3, (c) => { c.buffers.txBytes = 2048; c.buffers.rxBytes = 2048; });
  assert.is(r.device.stack.tcp.config.maxPendingWriteBytes, 4096);
  assert.is(r.device.stack.tcp.config.maxPendingWrites, 8);
  const body = Buffer.alloc(200000);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 11)) & 255;
  const c = http(r, [Buffer.from('POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 200000\r\n\r\n'), body]);
  const e = r.connect(7);
  const echoed: Buffer[] = [];
  let closed = false;
  const data = body.subarray(0, 100000);
  e.on('connect', () => { e.write(new Uint8Array(data)); e.end(); });
  e.on('data', (d: Uint8Array) => echoed.push(Buffer.from(d)));
  e.on('close', () => { closed = true; });
  r.run(() => c.reader.responses.length === 1 && closed, 4000000);
  assert.is(c.reader.responses[0].status, 200);
  assert.is(c.reader.responses[0].sha256, createHash('sha256').update(body).digest('hex'));
  assert.is(Buffer.compare(Buffer.concat(echoed), data), 0);
});

test('10 MB /bytes/N through the 2 KB send buffer of the Pico preset, over the W5500 model', () => {
  // The Pico's buffers on the device side.
  const r = rig('w5500', { delayMs: 0.2 }, 1, (c) => { c.buffers.txBytes = 2048; c.buffers.rxBytes = 2048; });
  const { reader, done } = exchange(r.connect(80), 'GET /bytes/10000000 HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n', false);
  r.run(done, 20000000);
  assert.is(reader.responses.length, 1);
  assert.is(reader.responses[0].bodyLength, 10000000);
  assert.is(reader.responses[0].sha256, patternHash(10000000));
});

test('a slow client over real TCP gets 408 after the idle timeout, then FIN', () => {
  const r = rig('none');
  const c = http(r, 'GET /api/status HTTP/1.1\r\nHo');
  r.run(() => r.clock.nowMs() > 14000, 2000000);
  assert.is(c.reader.responses.length, 0, 'nothing before the timeout (15 s)');
  r.run(() => c.st.closed, 2000000);
  assert.is(c.reader.responses[0].status, 408);
  assert.ok(c.st.ended);
  assert.is(r.device.http!.http.counters.timeouts, 1);
});

test('NetworkJS over the real Stack: an Espruino net server and a net client program', () => {
  const r = rig('w5500', { delayMs: 0.2 }, 3, (c) => { c.apps.networkJs = true; });
  const model = new EspruinoNetModel(r.device.networkJs!);
  const net = model.net();
  // The device-side Espruino program: a server, and a client to a server on the other host.
  net.createServer((c) => {
    c.on('data', (d: string) => c.write(d.toUpperCase()));
    c.on('end', () => c.end());
  }).listen(8080);
  r.client.createServer(9000, (s) => { s.write('greetings from 10.0.2.2'); s.end(); });
  let fromRemote = '';
  let clientClosed = false;
  const out = net.connect({ host: '10.0.2.2', port: 9000 });
  out.on('data', (d: string) => { fromRemote += d; });
  out.on('close', () => { clientClosed = true; });
  // The remote client of the device-side server.
  const sock = r.connect(8080);
  let got = '';
  let closed = false;
  sock.on('connect', () => { sock.write('shout this'); sock.end(); });
  sock.on('data', (d: Uint8Array) => { got += Buffer.from(d).toString('latin1'); });
  sock.on('close', () => { closed = true; });
  const run0 = r.run;
  let steps = 0;
  run0(() => { if (++steps % 5 === 0) model.loop(); return closed && clientClosed; });
  assert.is(got, 'SHOUT THIS');
  assert.is(fromRemote, 'greetings from 10.0.2.2');
  assert.equal(model.violations, []);
});

test('status fields: device counters, link, uptime follow the clock', () => {
  const r = rig('none');
  r.clock.advance(61000);
  const s = r.device.status();
  assert.is(s.uptimeMs, 61000);
  assert.is(s.mac, '02:00:00:00:00:15');
  assert.is(s.chip, 'w5500');
  assert.ok('device' in s.counters && 'tcp' in s.counters && 'http' in s.counters && 'echo' in s.counters);
});

test('20 concurrent echo clients over real TCP each get their bytes back', () => {
  const r = rig('none');
  const done: boolean[] = [];
  const bufs: Buffer[][] = [];
  const sent: Buffer[] = [];
  const errs: string[] = [];
  for (let i = 0; i < 20; i++) {
    const s = r.connect(7, { rxBytes: 4096, txBytes: 4096 });
    const data = Buffer.alloc(5000 + i * 100, i + 1);
    sent.push(data);
    bufs.push([]);
    done.push(false);
    s.on('connect', () => { s.write(new Uint8Array(data)); s.end(); });
    s.on('data', (d: Uint8Array) => bufs[i].push(Buffer.from(d)));
    s.on('close', () => { done[i] = true; });
    s.on('error', (e: Error) => errs.push(i + ':' + e.message));
  }
  r.run(() => done.every((x) => x));
  if (process.env.DBG) console.log(errs, r.device.stack.tcp.counters, r.client.tcp.counters, bufs.map((b) => Buffer.concat(b).length));
  for (let i = 0; i < 20; i++) assert.is(Buffer.compare(Buffer.concat(bufs[i]), sent[i]), 0, 'client ' + i);
});

test.run();
