// Interface.handleFrame and handleIpv4 check the Ethernet and IPv4 headers in line (interpreter cost,
// BENCHMARKS §3d) instead of calling parseEthernet / parseIpv4Header. This pins the two to the same verdict:
// every header the wire parser rejects, the interface drops and counts, under the parser's reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rig, ipFrame, udpSegment } from './rig';
import { IP_PROTO_UDP, isWireError } from '../../tcp/wire/reprs';
import { parseIpv4Header } from '../../tcp/wire/ipv4';
import { internetChecksum } from '../../tcp/wire/checksum';
import { SeededRandom } from '../../hal/sim/random';

const DATA = new Uint8Array([104, 105]);

test('a mutated IPv4 header that parseIpv4Header rejects is dropped by the interface under the same reason (600 seeded cases)', () => {
  const rnd = new SeededRandom(4242);
  let rejected = 0;
  for (let i = 0; i < 600; i++) {
    const r = new Rig();
    let delivered = 0;
    r.iface.udp.bind(5000, () => { delivered++; });
    const f = ipFrame(IP_PROTO_UDP, udpSegment(4000, 5000, DATA));
    const ihl = (f[14] & 15) * 4;
    const flips = 1 + rnd.nextInt(2);
    for (let k = 0; k < flips; k++) f[14 + rnd.nextInt(ihl)] = rnd.nextInt(256);
    // Most cases get a valid header checksum again, so the checks after it are reached too.
    if (rnd.nextFloat() < 0.75 && (f[14] & 15) >= 5 && 14 + (f[14] & 15) * 4 <= f.length) {
      const h = (f[14] & 15) * 4;
      f[24] = 0; f[25] = 0;
      const c = internetChecksum(f, 14, h);
      f[24] = c >> 8; f[25] = c & 0xff;
    }
    const verdict = parseIpv4Header(f, 14, f.length - 14);
    r.peer.send(f);
    r.run(5);
    if (!isWireError(verdict)) continue;
    rejected++;
    assert.is(delivered, 0, 'case ' + i + ': delivered a header the parser rejects (' + verdict + ')');
    assert.is(r.iface.counters['ipv4-rx'] || 0, 0, 'case ' + i);
    assert.is(r.iface.counters[verdict], 1, 'case ' + i + ': counted as ' + verdict + ': ' + JSON.stringify(r.iface.counters));
  }
  assert.ok(rejected > 100, 'rejected ' + rejected);
});

test.run();
