// The dgram frame link (hal/espruino/dgram-frame-device.ts) and its relay (tools/dgram-tap-relay.ts):
// frames both ways over UDP, a bounded receive queue, and (as root) the firmware reached by the real
// kernel through TAP ⇄ socat ⇄ UDP ⇄ DgramFrameDevice ⇄ our stack, with curl and ping.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dgram from 'dgram';
import { DgramFrameDevice } from '../../hal/espruino/dgram-frame-device';
import { parseRelayArgs, socatArgs, startRelay } from '../../tools/dgram-tap-relay';
import { needRoot, cleanup, createTap, Netns, uniqueSuffix, stopChild } from '../helpers/netns';
import { Device } from '../../firmware/device';
import { boardConfig } from '../../firmware/boards';
import { SeededRandom } from '../../hal/sim/random';
import { RealClock } from '../../hal/sim/virtual-clock';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function udpSocket(port: number): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

test('frames travel as one datagram each, both ways; the receive queue is bounded', async () => {
  const relay = await udpSocket(0);
  const relayPort = relay.address().port;
  const got: Buffer[] = [];
  relay.on('message', (m) => got.push(m));
  const probe = await udpSocket(0);
  const devPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const dev = new DgramFrameDevice({ mac: new Uint8Array([2, 0, 0, 0, 0, 9]), relayHost: '127.0.0.1', relayPort, localPort: devPort, slots: 4, dgram });
  let kicks = 0;
  dev.onInterrupt(() => kicks++);
  try {
    await wait(50);
    const frame = new Uint8Array(60);
    for (let i = 0; i < 60; i++) frame[i] = i;
    assert.ok(dev.send(frame));
    assert.not.ok(dev.send(new Uint8Array(10)), 'runt refused');
    for (let i = 0; i < 6; i++) relay.send(Buffer.alloc(100 + i, i), devPort, '127.0.0.1');
    relay.send(Buffer.alloc(5), devPort, '127.0.0.1'); // too short: dropped
    for (let i = 0; i < 100 && (got.length < 1 || dev.counters.rxDropped < 3); i++) await wait(10);
    assert.equal([...got[0]], [...frame]);
    const buf = new Uint8Array(1514);
    const lens: number[] = [];
    for (let n = dev.receive(buf); n > 0; n = dev.receive(buf)) {
      lens.push(n);
      assert.is(buf[0], n - 100);
    }
    assert.equal(lens, [100, 101, 102, 103], 'the first four, in order');
    assert.is(dev.counters.rxDropped, 3);
    assert.is(dev.counters.rxFrames, 4);
    assert.is(dev.counters.txFrames, 1);
    assert.is(dev.counters.txErrors, 1);
    assert.ok(kicks >= 4);
  } finally {
    dev.close();
    relay.close();
  }
});

test('on Espruino the socket gets one frame at a time, the rest held in order until its drain, bounded without stopping', () => {
  // Espruino's socket copies everything queued on it at each datagram it sends (socketSendData), so the
  // link queues one frame and holds the others (as copies: the stack reuses its buffer) until 'drain'.
  const g = globalThis as { E?: unknown };
  const hadE = 'E' in g;
  const oldE = g.E;
  g.E = { toString: (parts: Uint8Array[]) => Buffer.from(parts[0]).toString('latin1') };
  const sent: string[] = [];
  const handlers: { [ev: string]: () => void } = {};
  const sock = {
    bind: () => null,
    on: (ev: string, fn: () => void) => { handlers[ev] = fn; return null; },
    send: (msg: string, port: number, host: string) => { assert.is(port, 7); assert.is(host, '127.0.0.1'); sent.push(msg); return null; },
    close: () => null,
  };
  try {
    const dev = new DgramFrameDevice({ mac: new Uint8Array(6), relayHost: '127.0.0.1', relayPort: 7, localPort: 8, txSlots: 2, dgram: { createSocket: () => sock } });
    const buf = new Uint8Array(100);
    const frameOf = (n: number): Uint8Array => { buf.fill(n); return buf.subarray(0, 60 + n); };
    assert.ok(dev.send(frameOf(1)));
    assert.ok(dev.send(frameOf(2)));
    assert.ok(dev.send(frameOf(3)));
    assert.equal(sent.map((m) => m.length), [61], 'one frame on the socket before its drain');
    handlers.drain();
    handlers.drain();
    assert.equal(sent.map((m) => [m.length, m.charCodeAt(0), m.charCodeAt(m.length - 1)]), [[61, 1, 1], [62, 2, 2], [63, 3, 3]],
      'in order, each the bytes it had when sent');
    handlers.drain(); // nothing held: the next frame goes straight to the socket
    assert.is(dev.counters.txFrames, 3);
    assert.is(dev.counters.resyncs, 0);
    sent.length = 0;
    assert.ok(dev.send(frameOf(4)));
    assert.ok(dev.send(frameOf(5)));
    assert.ok(dev.send(frameOf(6)));
    assert.is(sent.length, 1, 'held again until the drain');
    // A drain that never comes (a send the socket could not take queues none) must not stop the link: with
    // the held frames at the bound, the oldest goes to the socket anyway.
    assert.ok(dev.send(frameOf(7)));
    assert.ok(dev.send(frameOf(8)));
    assert.equal(sent.map((m) => m.charCodeAt(0)), [4, 5, 6], 'in order, none refused');
    assert.is(dev.counters.resyncs, 2);
    assert.is(dev.counters.txErrors, 0);
    handlers.drain();
    handlers.drain();
    handlers.drain();
    assert.equal(sent.map((m) => m.charCodeAt(0)), [4, 5, 6, 7, 8]);
    assert.is(dev.counters.txFrames, 8);
    // A send that throws (Espruino: "Not connected to the internet") leaves nothing waiting for a drain.
    handlers.drain();
    sent.length = 0;
    sock.send = () => { throw new Error('Not connected to the internet'); };
    assert.throws(() => dev.send(frameOf(9)), /Not connected/);
    sock.send = (msg: string) => { sent.push(msg); return null; };
    assert.ok(dev.send(frameOf(10)));
    assert.equal(sent.map((m) => m.charCodeAt(0)), [10], 'sent at once, not held behind the failed one');
  } finally {
    if (hadE) g.E = oldE; else delete g.E;
  }
});

test('relay arguments and the socat command line', () => {
  const o = parseRelayArgs(['--tap', 'etcpip0', '--relay-port', '6000', '--device-port', '6001']);
  assert.equal(socatArgs(o), ['TUN,tun-type=tap,iff-no-pi,tun-name=etcpip0', 'UDP-DATAGRAM:127.0.0.1:6001,bind=127.0.0.1:6000']);
  assert.throws(() => parseRelayArgs([]), /--tap NAME is required/);
  assert.throws(() => startRelay({ tap: 'etcpip-none', relayPort: 1, devicePort: 2, host: '127.0.0.1' }, () => {}), /does not exist/);
});

test('the firmware over the dgram link answers ping, curl and echo from a real kernel (TAP in a namespace)', async () => {
  if (!needRoot('dgram link end to end')) return;
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create('dg-' + sfx);
  let dev: DgramFrameDevice | null = null;
  let relay: ReturnType<typeof startRelay> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  try {
    createTap(tap);
    const config = boardConfig('linux')!;
    config.ipv4 = { address: '192.168.213.2', prefixLength: 24, gateway: '', dns: [] };
    const relayPort = 20000 + (process.pid % 20000);
    config.dgram.relayPort = relayPort;
    config.dgram.localPort = relayPort + 1;
    relay = startRelay({ tap, relayPort, devicePort: relayPort + 1, host: '127.0.0.1' }, () => {});
    for (let i = 0; i < 100; i++) {
      await wait(20);
      if (require('fs').readFileSync('/sys/class/net/' + tap + '/flags', 'utf8') && i > 5) break;
    }
    ns.adoptTap(tap, '192.168.213.1/24');
    const clock = new RealClock();
    dev = new DgramFrameDevice({ mac: new Uint8Array([2, 0x11, 0x22, 0x33, 0x44, 0x55]), relayHost: '127.0.0.1', relayPort, localPort: relayPort + 1, dgram });
    const device = new Device({ config, device: dev, random: new SeededRandom(7), nowMs: () => clock.nowMs() });
    // The firmware's loop as firmware/main.ts runs it: poll at the deadline, or at once when a frame arrives.
    const loop = (): void => {
      if (stopped) return;
      timer = undefined;
      const now = clock.nowMs();
      const next = device.poll(now);
      const delay = Math.max(0, Math.min(50, next - clock.nowMs()));
      timer = setTimeout(loop, delay);
    };
    dev.onInterrupt(() => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(loop, 0);
    });
    loop();
    const ping = await ns.exec('ping', ['-c', '2', '-W', '2', '192.168.213.2'], 10000);
    assert.is(ping.code, 0, ping.stdout + ping.stderr);
    (globalThis as any).__dbgDevice = device;
    const curl = await ns.exec('curl', ['-s', '-m', '10', 'http://192.168.213.2/bytes/200000', '-o', '/dev/null', '-w', '%{http_code} %{size_download}'], 15000);
    if (process.env.DBG) console.log(curl, dev.counters, device.stack.tcp.counters, JSON.stringify(device.stack.iface.counters), device.http!.http.counters);
    assert.is(curl.stdout, '200 200000', curl.stderr);
    const status = await ns.exec('curl', ['-s', '-m', '10', 'http://192.168.213.2/api/status'], 15000);
    assert.is(JSON.parse(status.stdout).address, '192.168.213.2/24');
    const echo = await ns.exec('sh', ['-c', 'printf "hello over dgram" | timeout 10 socat -t 5 - TCP:192.168.213.2:7'], 15000);
    assert.is(echo.stdout, 'hello over dgram', echo.stderr);
  } finally {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    if (dev) dev.close();
    if (relay) await stopChild(relay);
    cleanup();
  }
});

test.run();
