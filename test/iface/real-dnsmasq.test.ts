// DHCP and DNS against a real dnsmasq in a network namespace, over a TAP; then ping to the leased address.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import { ChildProcess } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { needRoot, cleanup, stopChild } from '../helpers/netns';
import { startInterfaceRig, InterfaceRig } from '../helpers/kernel-rig';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { Ipv4Address } from '../../tcp/wire/reprs';

const SERVER = '10.77.2.1';

function lookup(rig: InterfaceRig, name: string): Promise<string> {
  return new Promise((resolve) => {
    rig.iface.dns.resolve(name, (err, a: Ipv4Address) => resolve(err ? err.message : formatIpv4(a)));
  });
}

test('DHCP lease from dnsmasq (address, mask, router, DNS), renewal, DNS A + CNAME + NXDOMAIN, ping', async () => {
  if (!needRoot('DHCP and DNS against dnsmasq')) return;
  let rig: InterfaceRig | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-dnsmasq-'));
  let log = '';
  try {
    let dnsmasq: ChildProcess | null = null;
    rig = await startInterfaceRig(SERVER + '/24', { dhcp: true, hostname: 'etcpip-dev' }, async (ns, tap) => {
      const c = ns.spawn('dnsmasq', [
        '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
        '--bind-interfaces', '--interface=' + tap, '--except-interface=lo', '--user=root', '--pid-file=',
        '--dhcp-leasefile=' + path.join(dir, 'leases'),
        '--dhcp-range=10.77.2.50,10.77.2.60,255.255.255.0,2m',
        '--dhcp-option=option:router,' + SERVER, '--dhcp-option=option:dns-server,' + SERVER,
        '--host-record=dev.example,10.77.2.99', '--address=/fixed.example/10.77.2.98',
        '--cname=alias.example,dev.example', '--local=/example/', '--log-dhcp', '--log-queries',
      ]);
      dnsmasq = c;
      const onLog = (b: Buffer): void => { if (log.length < 50000) log += b.toString(); };
      c.stderr!.on('data', onLog);
      c.stdout!.on('data', onLog);
      // Start the stack once dnsmasq serves DHCP (bounded: 5 s), so the first DISCOVER is answered.
      for (let i = 0; i < 100 && !/DHCP, IP range/.test(log) && c.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      if (c.exitCode !== null) throw new Error('dnsmasq exited: ' + log);
    });
    const iface = rig.iface;
    await rig.until(() => iface.address !== 0, 20000, 'a DHCP lease');
    const addr = formatIpv4(iface.address);
    assert.match(addr, /^10\.77\.2\.(5\d|60)$/);
    assert.is(iface.prefixLength, 24);
    assert.is(formatIpv4(iface.gateway), SERVER);
    assert.equal(iface.dnsServers.map(formatIpv4), [SERVER]);
    const lease = iface.dhcp!.lease!;
    assert.is(lease.leaseTime, 120);
    assert.ok(lease.renewAt < lease.rebindAt && lease.rebindAt < lease.expiresAt);
    // Renew now (unicast REQUEST with ciaddr, as at T1): dnsmasq acknowledges.
    const acks = iface.dhcp!.stats.acks;
    assert.is(iface.dhcp!.state, 'bound');
    (iface.dhcp as any).startRenewing(0); // eslint-disable-line @typescript-eslint/no-explicit-any
    await rig.until(() => iface.dhcp!.stats.acks > acks && iface.dhcp!.state === 'bound', 10000, 'the renewal ACK');
    assert.is(formatIpv4(iface.address), addr);
    // DNS.
    assert.is(await lookup(rig, 'dev.example'), '10.77.2.99');
    assert.is(await lookup(rig, 'fixed.example'), '10.77.2.98');
    assert.is(await lookup(rig, 'alias.example'), '10.77.2.99');
    assert.is(await lookup(rig, 'nothing-here.example'), 'ENOTFOUND');
    assert.is(await lookup(rig, '10.1.2.3'), '10.1.2.3');
    // The kernel can ping the leased address.
    const r = await rig.ns.exec('ping', ['-c', '3', '-i', '0.2', '-W', '1', addr], 10000);
    assert.is(r.code, 0, r.stdout + r.stderr);
    if (dnsmasq) await stopChild(dnsmasq);
    assert.match(log, /DHCPACK\(etcpip-\w+\) 10\.77\.2\.\d+ 02:00:00:00:00:01 etcpip-dev/);
  } catch (e) {
    console.error('dnsmasq log:\n' + log);
    throw e;
  } finally {
    if (rig) await rig.stop();
    cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
