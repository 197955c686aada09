import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PRESETS, boardConfig, boardNames, DEFAULT_BOARD } from '../../firmware/boards';
import { validateConfig, resolveConfig, macFromSerial, macText, configMac, BoardConfig } from '../../firmware/config';

test('every preset resolves to a valid configuration', () => {
  for (const name of boardNames()) {
    const c = boardConfig(name) as BoardConfig;
    assert.ok(c, name);
    assert.equal(validateConfig(c), [], name);
  }
  assert.ok(['pico', 'esp32', 'wifi', 'sim'].every((n) => boardNames().indexOf(n) >= 0));
  assert.is(boardConfig('default')!.name, DEFAULT_BOARD);
  assert.is(boardConfig('nope'), null);
});

test('presets: the chips and pins the README wiring tables show', () => {
  const pico = boardConfig('pico')!;
  assert.is(pico.chip, 'w5500');
  assert.equal([pico.spi.bus, pico.spi.sck, pico.spi.miso, pico.spi.mosi, pico.pins.cs], ['SPI2', 'B13', 'B14', 'B15', 'B10']);
  assert.is(boardConfig('esp32')!.chip, 'enc28j60');
  assert.is(boardConfig('wifi')!.chip, 'w5500');
  assert.is(boardConfig('sim')!.link, 'sim');
});

test('validation names each problem', () => {
  const c = resolveConfig(PRESETS.wifi);
  const bad: BoardConfig = JSON.parse(JSON.stringify(c));
  bad.chip = 'w5100' as any;
  bad.spi.baud = 50000000;
  bad.pins.cs = 'B13'; // clashes with SCK
  bad.mac = '03:00:00:00:00:01'; // multicast
  bad.ipv4 = { address: '10.0.0.300', prefixLength: 33, gateway: 'x', dns: ['1.1.1'] };
  bad.buffers.rxBytes = 100;
  bad.buffers.bytesBlock = 32;
  bad.apps.echoPort = 80;
  bad.hostname = 'bad name';
  const errs = validateConfig(bad).join('\n');
  for (const re of [/chip must be/, /pins.cs and spi.sck are both B13/, /mac must be unicast/, /ipv4.address/, /prefixLength/,
    /ipv4.gateway/, /ipv4.dns/, /rxBytes/, /bytesBlock must be 64..16384/, /share port 80/, /hostname/]) {
    assert.match(errs, re);
  }
  const enc = resolveConfig(PRESETS.esp32);
  enc.spi.baud = 25000000;
  assert.match(validateConfig(enc).join('\n'), /spi.baud must be 100000..20000000 for the enc28j60/);
  const noPins = resolveConfig({ name: 'x', description: '', chip: 'w5500' });
  assert.match(validateConfig(noPins).join('\n'), /spi.sck is not set/);
});

test('the automatic MAC is stable, locally administered, unicast, and differs between boards', () => {
  const a = macFromSerial('33ffd605-41573033-15720843');
  const b = macFromSerial('33ffd605-41573033-15720844');
  assert.equal(Array.from(a), Array.from(macFromSerial('33ffd605-41573033-15720843')));
  assert.is(a[0] & 3, 2, 'U/L bit set, I/G bit clear');
  assert.not.equal(macText(a), macText(b));
  assert.match(macText(a), /^02(:[0-9a-f]{2}){5}$/);
  const c = resolveConfig(PRESETS.pico);
  c.mac = '02:12:34:56:78:9a';
  assert.is(macText(configMac(c, 'ignored')), '02:12:34:56:78:9a');
});

test.run();
