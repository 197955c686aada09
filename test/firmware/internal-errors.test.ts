// An exception inside the stack (here: a frame device whose receive throws) never reaches the firmware's
// caller, and never goes unseen: it is counted, its text is on the status page, and the firmware's console
// gets a line about it, at most one per 10 s with the number that came in between.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Device } from '../../firmware/device';
import { boardConfig } from '../../firmware/boards';
import { SeededRandom } from '../../hal/sim/random';
import { newFrameDeviceCounters } from '../../hal/interfaces';
import { FrameDevice } from '../../tcp/ports';

function throwingDevice(): FrameDevice & { armed: boolean } {
  const d = {
    mac: new Uint8Array([2, 0, 0, 0, 0, 7]),
    counters: newFrameDeviceCounters(),
    armed: true,
    receive(): number { if (d.armed) throw new Error('SPI read failed'); return 0; },
    send(): boolean { return true; },
    linkUp(): boolean { return true; },
    onInterrupt(): () => void { return () => undefined; },
  };
  return d;
}

test('a throw inside poll is counted, shown on the status page and logged at most once per 10 s', () => {
  let now = 0;
  const lines: string[] = [];
  const dev = throwingDevice();
  const device = new Device({ config: boardConfig('sim')!, device: dev, random: new SeededRandom(1), nowMs: () => now, log: (l) => lines.push(l) });
  for (let i = 0; i < 5; i++) { device.poll(now); now += 1000; } // five errors within 5 s
  assert.is(lines.length, 1, 'one line for the first, the rest held back: ' + lines.join(' | '));
  assert.match(lines[0], /internal error in receive: SPI read failed/);
  now += 10000;
  device.poll(now);
  assert.is(lines.length, 2);
  assert.match(lines[1], /SPI read failed \(4 more errors since the last report\)/);
  const st = device.status();
  assert.is(st.internalErrors, 6);
  assert.is(st.lastInternalError, 'receive: SPI read failed');
  dev.armed = false;
  device.poll(now + 20000);
  assert.is(lines.length, 2, 'nothing more to say once it stops');
});

test('without a console the errors are still counted and shown', () => {
  const dev = throwingDevice();
  const device = new Device({ config: boardConfig('sim')!, device: dev, random: new SeededRandom(1), nowMs: () => 0 });
  device.poll(0);
  assert.is(device.status().internalErrors, 1);
});

test('an exception from an application callback is counted apart, shown on the status page and logged', () => {
  let now = 0;
  const lines: string[] = [];
  const dev = throwingDevice();
  dev.armed = false;
  const device = new Device({ config: boardConfig('sim')!, device: dev, random: new SeededRandom(1), nowMs: () => now, log: (l) => lines.push(l) });
  device.stack.iface.on('config', () => { throw new Error('app bug'); });
  device.stack.iface.emit('config', null);
  const st = device.status();
  assert.is(st.appErrors, 1);
  assert.is(st.lastAppError, 'config: app bug');
  assert.is(st.internalErrors, 0);
  assert.equal(lines, ['app error in config: app bug']);
  assert.ok(device.http !== null);
});

test.run();
