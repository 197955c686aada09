// Real frames captured from Linux (tools/capture-golden.sh): every field parses to what tshark read,
// and the emitters rebuild the bytes (see golden-layers.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGolden } from './golden';
import { checkFrame } from './golden-layers';

const expectCounts: { [name: string]: (l: ReturnType<typeof checkFrame>[]) => void } = {
  arp: (l) => {
    assert.ok(l.some((x) => x.arp && x.arp.op === 1), 'an ARP request');
    assert.ok(l.some((x) => x.arp && x.arp.op === 2), 'an ARP reply');
  },
  icmp: (l) => {
    assert.ok(l.some((x) => x.icmp && x.icmp.type === 8 && x.icmp.payloadLength % 2 === 1), 'an odd-length echo request');
    assert.ok(l.some((x) => x.icmp && x.icmp.type === 0), 'an echo reply');
    assert.ok(l.some((x) => x.icmp && x.icmp.type === 3 && x.icmp.code === 3), 'a port unreachable');
    assert.ok(l.some((x) => x.ip && x.ip.fragmentOffset > 0), 'a non-first fragment');
  },
  udp: (l) => assert.ok(l.some((x) => x.udp && x.udp.payloadLength % 2 === 1), 'an odd-length datagram'),
  tcp: (l) => {
    assert.ok(l.some((x) => x.tcp && x.tcp.flags === 0x02 && x.tcp.mss > 0 && x.tcp.sackPermitted && x.tcp.hasTimestamp && x.tcp.windowScale >= 0), 'a SYN with MSS, SACK-permitted, timestamps and window scale');
    assert.ok(l.some((x) => x.tcp && x.tcp.payloadLength > 0), 'a data segment');
    assert.ok(l.some((x) => x.tcp && (x.tcp.flags & 0x04) !== 0), 'a RST');
    assert.ok(l.some((x) => x.tcp && (x.tcp.flags & 0x01) !== 0), 'a FIN');
  },
  dhcp: (l) => assert.ok(l.every((x) => x.udp !== undefined)),
  dns: (l) => assert.ok(l.every((x) => x.udp !== undefined)),
};

for (const name of Object.keys(expectCounts)) {
  const frames = loadGolden(name);
  for (const g of frames) {
    test(name + '.pcap frame ' + g.number + ': every layer matches tshark and re-emits', () => {
      checkFrame(g);
    });
  }
  test(name + '.pcap holds the cases it was captured for', () => {
    expectCounts[name](frames.map(checkFrame));
  });
}

test.run();
