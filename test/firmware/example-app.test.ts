// examples/tcp-app.ts, built as a user builds it (`--entry examples/tcp-app.ts`) into the minified ES5
// bundle, and run as the device runs it (test/helpers/bundle-sandbox.ts: Espruino's globals only, a
// simulated W5500 on a virtual wire): its line server answers, its client reports to a collector, and
// the board's own apps still serve.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { boardConfig } from '../../firmware/boards';
import { bootBundle } from '../helpers/bundle-sandbox';
import { checkBundle } from '../../tools/gate/checks';
import { TcpSocket } from '../../tcp/tcp/socket';

const text = (d: Uint8Array): string => String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]);

test('examples/tcp-app.ts: built with --entry, its server answers lines, its client reports, echo still serves', () => {
  const config = boardConfig('sim')!;
  const b = buildBundle({ entry: 'examples/tcp-app.ts', board: 'sim', config: config as unknown as { [k: string]: unknown } });
  assert.equal(checkBundle(b.code), [], 'the Espruino compatibility gate\'s static checks pass');
  const dev = bootBundle(b.code, 'w5500');
  // The collector the example reports to: 10.0.2.2:9999 is the sandbox's client stack.
  const reports: string[] = [];
  dev.client.createServer(9999, (s: TcpSocket) => {
    let got = '';
    s.on('data', (d: Uint8Array) => { got += text(d); });
    s.on('end', () => { reports.push(got); s.end(); });
  });
  dev.run(() => reports.length > 0, 3000000);
  assert.equal(reports.length, 1, 'the report came: ' + dev.printed.join(' | '));
  assert.match(reports[0], /^up \d+ s, \d+ connections\n$/);
  assert.ok(dev.printed.some((l) => /tcp-app: lines on :5000/.test(l)), dev.printed.join(' | '));

  const c = dev.client.connect({ host: '10.0.2.15', port: 5000 });
  let answer = '';
  let closed = false;
  c.on('connect', () => { c.write('hello\nwor'); c.write('ld\n'); c.end(); });
  c.on('data', (d: Uint8Array) => { answer += text(d); });
  c.on('close', () => { closed = true; });
  dev.run(() => closed, 3000000);
  assert.is(answer, '1: hello\n2: world\nbye after 2 lines\n');

  const e = dev.client.connect({ host: '10.0.2.15', port: 7 });
  let echoed = '';
  e.on('connect', () => { e.end('still echoing'); });
  e.on('data', (d: Uint8Array) => { echoed += text(d); });
  dev.run(() => echoed === 'still echoing', 3000000);
  assert.is(echoed, 'still echoing');
});

test.run();
