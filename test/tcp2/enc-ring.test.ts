// Bursts against a small receive ring (issue 6 "pacing"): a fast sender (a host-side stack polled
// every millisecond) sends 256 KB over a 10 Mbit/s wire to a stack on the ENC28J60 model + driver
// (6.5 KB receive ring: four full-sized frames) that is polled only every `devicePollMs`, as a
// busy interpreter would. What keeps the ring from overflowing is the receiver's advertised window
// (its receive buffer): with the default 2 KB buffer no frame is ever dropped by the chip. With a
// 16 KB buffer the sender may have more in flight than the ring holds; frames are then dropped in
// the chip (counted by the model, RXERIF) and TCP repairs it: the data still arrives byte-exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Stack } from '../../tcp/stack';
import { TcpSocket } from '../../tcp/tcp/socket';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { Enc28j60Model } from '../../hal/sim/enc28j60-model';
import { Enc28j60 } from '../../hal/drivers/enc28j60';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { Stream, Hash, hashOf } from '../tcp/link';

const TOTAL = 256 * 1024;

function transfer(deviceRxBytes: number, devicePollMs: number) {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, { delayMs: 0.1, bitsPerSecond: 10_000_000, queueLimit: 64, seed: 4 });
  const m = new Enc28j60Model({ clock, port: wire.a });
  const drv = new Enc28j60({ spi: m.spi, clock, mac: new Uint8Array([2, 0, 0, 0, 0, 0x28]), resetPin: m.resetPin, intPin: m.intPin });
  drv.init();
  const device = new Stack({
    device: drv, random: new SeededRandom(1), ipv4: { address: parseIpv4Address('10.5.0.2') as number, prefixLength: 24 },
    tcp: { rxBytes: deviceRxBytes },
  });
  const host = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 1]), wire.b), random: new SeededRandom(2),
    ipv4: { address: parseIpv4Address('10.5.0.1') as number, prefixLength: 24 }, tcp: { txBytes: 32768 },
  });
  const h = new Hash();
  let done = false;
  device.createServer(9, (s: TcpSocket) => {
    s.on('data', (d: Uint8Array) => h.update(d));
    s.on('end', () => { s.end(); done = true; });
  });
  const src = new Stream(77, TOTAL);
  const c = host.connect({ host: '10.5.0.2', port: 9 }, { txBytes: 32768 });
  const pump = (): void => {
    while (src.produced < TOTAL) if (!c.write(src.next(4096))) return;
    c.end();
  };
  c.on('connect', pump);
  c.on('drain', pump);
  let nextDevicePoll = 0;
  let steps = 0;
  for (; steps < 3_000_000 && !done; steps++) {
    const now = clock.nowMs();
    m.service();
    if (now >= nextDevicePoll) {
      device.poll(now);
      nextDevicePoll = now + devicePollMs;
    }
    const t = Math.min(host.poll(now), nextDevicePoll, wire.nextDeliveryMs(), now + 1);
    m.service();
    clock.advanceTo(t > now ? t : now + 0.01);
  }
  return { done, hash: h.h, n: h.n, chipDrops: m.stats.rxDroppedFull + m.stats.rxDroppedCount, ms: clock.nowMs(),
    rtx: host.tcp.counters.retransmits + host.tcp.counters.fastRetransmits };
}

test('default 2 KB receive buffer on an ENC28J60 device polled every 10 ms: no frame dropped by the chip', () => {
  const r = transfer(2048, 10);
  console.log('  2 KB window into a 6.5 KB ring: ' + JSON.stringify(r));
  assert.ok(r.done, JSON.stringify(r));
  assert.is(r.n, TOTAL);
  assert.is(r.hash, hashOf(77, TOTAL));
  assert.is(r.chipDrops, 0, 'the ring never overflowed: ' + JSON.stringify(r));
  assert.is(r.rtx, 0, JSON.stringify(r));
});

test('16 KB receive buffer on the same device: the ring overflows (counted), TCP repairs, byte-exact', () => {
  const r = transfer(16384, 10);
  console.log('  16 KB window into a 6.5 KB ring: ' + JSON.stringify(r));
  assert.ok(r.done, JSON.stringify(r));
  assert.is(r.n, TOTAL);
  assert.is(r.hash, hashOf(77, TOTAL));
});

test.run();
