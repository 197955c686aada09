// The W5500 driver and the Espruino HAL as shipped code: built into a device bundle, they pass the
// Espruino gate's static checks and run under Duktape with Espruino's globals shimmed
// (tools/smoke/duk-shims.js): no Node API, nothing ES5/Espruino lacks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { checkBundle } from '../../tools/gate/checks';
import { dukAvailable, runUnderDuk } from '../../tools/gate/duk';

test('driver + HAL bundle passes the gate and runs under Duktape', () => {
  const b = buildBundle({ entry: 'test/espruino-hal/bundle-entry.ts' });
  assert.ok(b.modules.some((m) => m.id === 'hal/drivers/w5500'));
  assert.ok(b.modules.some((m) => m.id === 'hal/espruino/platform'));
  assert.equal(checkBundle(b.code), []);
  assert.ok(dukAvailable(), 'duk (Debian package duktape) is installed');
  const r = runUnderDuk(b.code);
  assert.ok(r.ok, r.output);
  // wordSum given, linkUp, both frames sent, received, txFrames, checksum right, every write's chip
  // select a Pin, the frames' 180 bytes written behind their headers
  assert.match(r.output, /HAL RESULT true,true,true,0,2,true,true,180/);
});

test.run();
