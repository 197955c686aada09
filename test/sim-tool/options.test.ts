import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSimArgs } from '../../tools/sim/options';

const ok = (argv: string[]) => {
  const r = parseSimArgs(argv);
  if (!r.ok) throw new Error('expected success for ' + argv.join(' ') + ': ' + r.error);
  return r.options;
};
const err = (argv: string[]): string => {
  const r = parseSimArgs(argv);
  if (r.ok) throw new Error('expected an error for ' + argv.join(' '));
  return r.error;
};

test('no options: W5500 on a virtual wire, 10.0.0.2/24, forwards 8080->80 and 7007->7', () => {
  const o = ok([]);
  assert.is(o.chip, 'w5500');
  assert.equal(o.link, { kind: 'virtual' });
  assert.equal(o.ip, { address: 0x0a000002, prefix: 24 });
  assert.is(o.peerIp, 0x0a000001);
  assert.equal(o.forwards, [{ hostPort: 8080, devicePort: 80 }, { hostPort: 7007, devicePort: 7 }]);
  assert.is(o.bindHost, '127.0.0.1');
  assert.is(o.pcap, null);
});

test('every option is read, in both --opt value and --opt=value forms', () => {
  const o = ok(['--chip', 'enc28j60', '--link=tap:etcpip-t0', '--ip', '192.168.7.9/16', '--gateway=192.168.0.1',
    '--mac', '02:aa:bb:cc:dd:0e', '--pcap', '/tmp/x.pcap', '--loss', '0.1', '--delay=5', '--jitter', '2',
    '--reorder', '0.2', '--duplicate', '0.05', '--seed', '42', '--status', 'lines', '--status-interval', '1000']);
  assert.is(o.chip, 'enc28j60');
  assert.equal(o.link, { kind: 'tap', name: 'etcpip-t0' });
  assert.equal(o.ip, { address: (192 << 24 | 168 << 16 | 7 << 8 | 9) >>> 0, prefix: 16 });
  assert.is(o.gateway, (192 << 24 | 168 << 16 | 1) >>> 0);
  assert.equal(Array.from(o.mac), [2, 0xaa, 0xbb, 0xcc, 0xdd, 0x0e]);
  assert.is(o.pcap, '/tmp/x.pcap');
  assert.equal(o.impairments, { loss: 0.1, delayMs: 5, jitterMs: 2, reorder: 0.2, duplicate: 0.05, seed: 42 });
  assert.is(o.randomSeed, 42);
  assert.is(o.status, 'lines');
  assert.is(o.statusIntervalMs, 1000);
  assert.equal(o.forwards, [], 'a TAP link has no port forwards by default');
});

test('--forward adds to the defaults (replacing one on the same host port) and may repeat; --no-forward drops the defaults; host port 0 means any free port', () => {
  assert.equal(ok(['--forward', '0:80', '--forward', '9007:7']).forwards,
    [{ hostPort: 8080, devicePort: 80 }, { hostPort: 7007, devicePort: 7 }, { hostPort: 0, devicePort: 80 }, { hostPort: 9007, devicePort: 7 }]);
  assert.equal(ok(['--forward', '8080:8000']).forwards, [{ hostPort: 7007, devicePort: 7 }, { hostPort: 8080, devicePort: 8000 }]);
  assert.equal(ok(['--no-forward']).forwards, []);
  assert.equal(ok(['--forward', '8081:80', '--no-forward']).forwards, [{ hostPort: 8081, devicePort: 80 }]);
});

test('--dhcp is for a TAP link and excludes --ip', () => {
  const o = ok(['--link', 'tap:t1', '--dhcp']);
  assert.is(o.dhcp, true);
  assert.is(o.ip, null);
  assert.match(err(['--dhcp']), /--link tap/);
  assert.match(err(['--link', 'tap:t1', '--dhcp', '--ip', '10.0.0.5/24']), /exclude/);
});

test('bad values are refused with a message naming the option', () => {
  assert.match(err(['--chip', 'rtl8139']), /--chip/);
  assert.match(err(['--link', 'wifi']), /--link/);
  assert.match(err(['--link', 'tap:']), /--link/);
  assert.match(err(['--link', 'tap:much-too-long-name-for-linux']), /--link/);
  assert.match(err(['--ip', '10.0.0.300/24']), /--ip/);
  assert.match(err(['--ip', '10.0.0.2/31']), /--ip/);
  assert.match(err(['--mac', '01:00:5e:00:00:01']), /--mac/);
  assert.match(err(['--mac', '02:00:00:00:00']), /--mac/);
  assert.match(err(['--loss', '1.5']), /--loss/);
  assert.match(err(['--loss', 'x']), /--loss/);
  assert.match(err(['--delay', '-1']), /--delay/);
  assert.match(err(['--forward', '8080']), /--forward/);
  assert.match(err(['--forward', '8080:0']), /--forward/);
  assert.match(err(['--forward', '70000:80']), /--forward/);
  assert.match(err(['--forward', '8080:80', '--forward', '8080:7']), /twice/);
  assert.match(err(['--link', 'tap:t1', '--forward', '8080:80']), /virtual/);
  assert.match(err(['--ip', '10.1.0.2/24', '--peer-ip', '10.0.0.1']), /peer-ip/);
  assert.match(err(['--peer-ip', '10.0.0.2']), /differ/);
  assert.match(err(['--bogus']), /unknown option/);
  assert.match(err(['--chip']), /needs a value/);
});

test('--ip in another subnet without --peer-ip: the forwarder\'s stack takes that subnet\'s first address', () => {
  assert.is(ok(['--ip', '192.168.5.20/24']).peerIp, 0xc0a80501);
  assert.is(ok(['--ip', '192.168.5.1/24']).peerIp, 0xc0a80502, 'the second when the device has the first');
  assert.is(ok([]).peerIp, 0x0a000001);
});

test('--help is reported, not an error', () => {
  const r = parseSimArgs(['--help']);
  assert.ok(r.ok && r.help);
});

test.run();
