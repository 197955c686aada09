// The W5500 driver over the Espruino HAL, built as a device bundle (test/espruino-hal/bundle-entry.ts),
// run in the real interpreter (espruino-linux 2v29). What Duktape's shims cannot show: that `Pin(name)`
// makes what SPI.write takes for chip select (a Pin: src/jswrap_spi_i2c.c jswrap_spi_write keeps its
// last argument for chip select only when `jsvIsPin`), and that a frame goes to `write` as its own
// typed array (a subarray for the second frame) behind the 3-byte header.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { runUnderEspruino } from '../../tools/gate/espruino';
import { interpreterOrSkip } from '../helpers/espruino-real';

test('W5500 driver + Espruino HAL in espruino-linux: frames go by SPI.write with a Pin for chip select', () => {
  if (!interpreterOrSkip('linux', 'the SPI HAL')) return;
  const b = buildBundle({ entry: 'test/espruino-hal/bundle-entry.ts' });
  const r = runUnderEspruino(b.code, { timeoutMs: 20000 });
  assert.ok(r.ok, (r.problem || '') + '\n' + r.output);
  // wordSum given, linkUp, both frames sent, received, txFrames, checksum right, every write's chip
  // select the Pin D4, the frames' 100 + 80 bytes written behind their headers
  assert.match(r.output, /HAL RESULT true,true,true,0,2,true,true,180/);
});

test.run();
