// The TCP code as it ships: compiled to ES5 and bundled by the device build, checked by the gate's
// static checks, then run under Duktape (a strict ES5 engine): a connection over an in-memory link.
import { skipTest } from '../helpers/skip';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { checkBundle } from '../../tools/gate/checks';
import { dukAvailable, runUnderDuk, smokePassed } from '../../tools/gate/duk';

test('TCP bundle passes the Espruino gate and transfers data under Duktape', () => {
  const b = buildBundle({ entry: 'test/tcp/device/tcp-smoke.ts' });
  const failures = checkBundle(b.code);
  assert.equal(failures, [], JSON.stringify(failures).slice(0, 2000));
  if (!dukAvailable()) {
    skipTest('the TCP bundle under Duktape', 'duk (Debian package duktape) is not installed', 'sudo apt-get install duktape (npm test as root installs it)');
    return;
  }
  const r = runUnderDuk(b.code, 60000);
  assert.ok(smokePassed(r), r.output.slice(-3000));
});

test.run();
