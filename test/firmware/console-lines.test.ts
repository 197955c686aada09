// What the firmware tells its console besides errors: a link that is down at start, link changes, and
// the address a DHCP lease brings (with the status page's URL), or its loss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Device } from '../../firmware/device';
import { boardConfig } from '../../firmware/boards';
import { SeededRandom } from '../../hal/sim/random';
import { newFrameDeviceCounters } from '../../hal/interfaces';
import { FrameDevice } from '../../tcp/ports';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

function quietDevice(): FrameDevice & { link: boolean; linkReads: number } {
  const d = {
    mac: new Uint8Array([2, 0, 0, 0, 0, 8]),
    counters: newFrameDeviceCounters(),
    link: false,
    linkReads: 0,
    receive(): number { return 0; },
    send(): boolean { return true; },
    linkUp(): boolean { d.linkReads++; return d.link; },
  };
  return d;
}

test('link down at start, then up and down again, each said once; the link is read at most once a second', () => {
  const lines: string[] = [];
  const dev = quietDevice();
  let now = 0;
  const device = new Device({ config: boardConfig('sim')!, device: dev, random: new SeededRandom(1), nowMs: () => now, log: (l) => lines.push(l) });
  for (; now < 3000; now += 10) device.poll(now);
  assert.equal(lines, ['link down: check the Ethernet cable']);
  assert.ok(dev.linkReads <= 4, 'read ' + dev.linkReads + ' times in 3 s');
  dev.link = true;
  for (; now < 5000; now += 10) device.poll(now);
  dev.link = false;
  for (; now < 7000; now += 10) device.poll(now);
  assert.equal(lines, ['link down: check the Ethernet cable', 'link up', 'link down: check the Ethernet cable']);
});

test('a link that is up at start is not announced', () => {
  const lines: string[] = [];
  const dev = quietDevice();
  dev.link = true;
  const device = new Device({ config: boardConfig('sim')!, device: dev, random: new SeededRandom(1), nowMs: () => 0, log: (l) => lines.push(l) });
  device.poll(0);
  assert.equal(lines, []);
});

test('a DHCP board prints the address of its lease with the status page URL, and says when the lease is gone', () => {
  const lines: string[] = [];
  const dev = quietDevice();
  dev.link = true;
  const config = boardConfig('wifi')!;
  assert.is(config.ipv4, 'dhcp');
  const device = new Device({ config, device: dev, random: new SeededRandom(1), nowMs: () => 0, log: (l) => lines.push(l) });
  device.stack.iface.configure({ address: parseIpv4Address('192.168.1.77') as number, prefixLength: 24, gateway: parseIpv4Address('192.168.1.1') as number });
  device.stack.iface.configure(null);
  assert.equal(lines, ['DHCP lease: address 192.168.1.77/24, gateway 192.168.1.1, status page http://192.168.1.77/',
    'DHCP lease lost (asking again)']);
});

test.run();
