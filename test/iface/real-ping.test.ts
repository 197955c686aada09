// Ping from the Linux kernel (in a namespace, over a TAP) to our stack, static configuration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { needRoot, cleanup } from '../helpers/netns';
import { startInterfaceRig, InterfaceRig } from '../helpers/kernel-rig';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

const OURS = '10.77.1.2';

test('the kernel pings us: 3 echoes each for 56, 1000 and 1472-byte payloads (1500-byte packets)', async () => {
  if (!needRoot('ping from the kernel over a TAP')) return;
  let rig: InterfaceRig | null = null;
  try {
    rig = await startInterfaceRig('10.77.1.1/24', { ipv4: { address: parseIpv4Address(OURS) as number, prefixLength: 24, gateway: parseIpv4Address('10.77.1.1') as number } });
    for (const size of [56, 1000, 1472]) {
      const r = await rig.ns.exec('ping', ['-c', '3', '-i', '0.2', '-W', '1', '-s', String(size), '-M', 'do', OURS], 15000);
      assert.is(r.code, 0, 'ping -s ' + size + ': ' + r.stdout + r.stderr);
      assert.match(r.stdout, /3 received/);
    }
    // Larger than the MTU with DF: the kernel refuses locally, we never see a fragment.
    assert.is(rig.iface.counters['ipv4-fragment'] || 0, 0);
    assert.ok(rig.iface.counters['icmp-echo-replies'] >= 9);
    // The kernel learnt our MAC by ARP, and we answered.
    assert.ok(rig.iface.counters['arp-replies-sent'] >= 1);
    // A UDP datagram to a closed port gets port unreachable: the kernel reports "connection refused".
    const nc = await rig.ns.exec('bash', ['-c', 'exec 3<>/dev/udp/' + OURS + '/9999; echo hi >&3; sleep 0.5; echo again >&3 && read -t 1 <&3; echo rc=$?'], 5000);
    assert.match(nc.stdout + nc.stderr, /Connection refused|rc=1/);
    assert.ok(rig.iface.counters['icmp-errors-sent'] >= 1);
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test.run();
