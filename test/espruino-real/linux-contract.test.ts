// The `linux` preset's shipped bundle, booted from Storage by the real Espruino interpreter
// (espruino-linux), serves the whole device contract to the Linux kernel's own clients over a TAP in a
// namespace made here: ARP, ping (also 1472-byte payloads: 1514-byte frames over the dgram link), a
// DHCP lease from dnsmasq, every HTTP route (exact /bytes, a byte-exact 100 KB POST /echo, 404,
// Connection: close, keep-alive), a 1 MB echo with half-close, and 8 echo clients of 64 KB at once.
// Root only (CI runs as root); every wait is bounded; everything is released on every path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBundle } from '../../tools/build/bundle';
import { boardConfig } from '../../firmware/boards';
import { stopChild } from '../helpers/netns';
import { canRunOnTap, interpreterOrSkip } from '../helpers/espruino-real';
import { bootFromStorage, startDnsmasq, startRelayRig, EspruinoProcess, RelayRig } from '../../tools/espruino-real';
import { checkBytes, checkEchoClients, checkNotFoundAndConnections, checkPostEcho, checkStatusRoutes, expectedBytes, netnsRunner } from '../sim-tool/contract';

const KERNEL = '10.0.9.1';
const DEVICE = '10.0.9.50';

test('linux preset in espruino-linux: DHCP, ARP, ping to 1472 bytes, every HTTP route, echo 1 MB and 8 × 64 KB', async () => {
  const what = 'the linux preset in the real Espruino interpreter';
  const interp = interpreterOrSkip('linux', what);
  if (!interp || !canRunOnTap(what)) return;
  const config = boardConfig('linux')!;
  assert.is(config.ipv4, 'dhcp', 'the preset takes its address by DHCP');
  const code = buildBundle({ entry: 'firmware/main.ts', board: 'linux' }).code;
  let rig: RelayRig | null = null;
  let dev: EspruinoProcess | null = null;
  let dns: ReturnType<typeof startDnsmasq> | null = null;
  try {
    rig = await startRelayRig('esl', KERNEL + '/24', config.dgram.relayPort, config.dgram.localPort);
    dns = startDnsmasq(rig, DEVICE + ',' + DEVICE, KERNEL);
    dev = await bootFromStorage(interp, code, 'linux');
    await dev.waitFor(/\[etcpip\] [^\n]*DHCP/, 20000);
    const runner = netnsRunner(rig.ns.name);
    // The lease: dnsmasq acknowledges the one address it has.
    for (let i = 0; i < 150 && !/DHCPACK[^\n]*10\.0\.9\.50/.test(dns.log()); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(dns.log(), /DHCPACK[^\n]*10\.0\.9\.50/, 'dnsmasq leased ' + DEVICE);
    const ping = await runner('ping', ['-c', '3', '-i', '0.2', '-W', '2', DEVICE], 15000);
    assert.is(ping.code, 0, 'ping: ' + ping.stdout.toString() + ping.stderr);
    const arp = await runner('ip', ['neigh', 'show', DEVICE], 5000);
    assert.match(arp.stdout.toString(), /lladdr/, 'ARP resolved the device');
    // 1472 + 28 = 1500 bytes of IP, a 1514-byte frame: whole over the dgram link (recvBufferSize).
    const big = await runner('ping', ['-c', '2', '-i', '0.2', '-W', '3', '-s', '1472', '-M', 'do', DEVICE], 15000);
    assert.is(big.code, 0, 'near-MTU ping: ' + big.stdout.toString() + big.stderr);
    const base = 'http://' + DEVICE;
    await checkStatusRoutes(runner, base);
    await checkBytes(runner, base, [1000000], expectedBytes);
    await checkPostEcho(runner, base, 100000);
    await checkNotFoundAndConnections(runner, base);
    await checkEchoClients(runner, DEVICE, config.apps.echoPort, 1, 1000000);
    await checkEchoClients(runner, DEVICE, config.apps.echoPort, 8, 65536);
    const st = await runner('curl', ['-sS', '--max-time', '10', base + '/api/status'], 15000);
    const status = JSON.parse(st.stdout.toString());
    assert.is(status.address, DEVICE + '/24');
    assert.is(status.dhcp, true);
    assert.is(status.counters.iface['internal-errors'] || 0, 0, 'no exception inside the stack: ' + JSON.stringify(status.counters));
    assert.not.match(dev.output(), /Uncaught|OUT OF MEMORY|LOW_MEMORY|poll failed/, 'the device printed no error');
  } catch (e) {
    if (dev) console.error('device output (last 3000 characters):\n' + dev.output().slice(-3000));
    if (dns) console.error('dnsmasq log:\n' + dns.log().slice(-2000));
    throw e;
  } finally {
    if (dev) await dev.stop();
    if (dns) await stopChild(dns.child);
    if (rig) await rig.stop();
  }
});

test.run();
