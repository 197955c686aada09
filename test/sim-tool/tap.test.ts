// The simulator on a real Linux TAP, with each chip: the kernel (inside a namespace this test makes)
// reaches the simulated device as a real host: ping, every HTTP route byte-exact with curl, 20
// concurrent echo clients. Then DHCP from dnsmasq. Root only (CI runs as root); all bounded in time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { Netns, createTap, needRoot, stopChild, uniqueSuffix, cleanup } from '../helpers/netns';
import { defaultSimOptions, SimOptions } from '../../tools/sim/options';
import { SimHandle, startSimulator } from '../../tools/sim/simulator';
import {
  checkBytes, checkEchoClients, checkNotFoundAndConnections, checkPostEcho, checkStatusRoutes, expectedBytes, netnsRunner,
} from './contract';

const DEVICE = '10.0.0.2';
const KERNEL = '10.0.0.1/24';

interface TapRig {
  sim: SimHandle;
  ns: Netns;
  tap: string;
  stop(): Promise<void>;
}

/** Namespace + TAP (root namespace) → the simulator opens it → the TAP moves into the namespace. */
async function startOnTap(o: Partial<SimOptions>, kernelCidr: string): Promise<TapRig> {
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create('sim-' + sfx);
  let sim: SimHandle | null = null;
  try {
    createTap(tap);
    const logs: string[] = [];
    sim = await startSimulator(Object.assign(defaultSimOptions(), { link: { kind: 'tap', name: tap }, forwards: [], status: 'off' }, o),
      { log: (l) => { if (logs.length < 100) logs.push(l); } });
    ns.adoptTap(tap, kernelCidr);
  } catch (e) {
    if (sim) await sim.stop();
    ns.destroy();
    cleanup();
    throw e;
  }
  const s = sim;
  return {
    sim: s, ns, tap,
    stop: async () => {
      await s.stop();
      ns.destroy();
    },
  };
}

for (const chip of ['w5500', 'enc28j60'] as const) {
  // A 10 MB body with one chip, 2 MB with the other: both cross the TAP, the model, the driver and TCP.
  const big = chip === 'w5500' ? 10000000 : 2000000;
  test(chip + ' on a TAP: ping, every HTTP route byte-exact, keep-alive and close, 20 echo clients', async () => {
    if (!needRoot('simulator on a TAP (' + chip + ')')) return;
    const rig = await startOnTap({ chip, ip: { address: 0x0a000002, prefix: 24 } }, KERNEL);
    try {
      const runner = netnsRunner(rig.ns.name);
      // ARP + ICMP: small and near-MTU echo requests (1472 + 28 = 1500 bytes of IP).
      const ping = await runner('ping', ['-c', '3', '-i', '0.2', '-W', '2', DEVICE], 15000);
      assert.is(ping.code, 0, 'ping: ' + ping.stdout.toString() + ping.stderr);
      const big1 = await runner('ping', ['-c', '2', '-i', '0.2', '-W', '2', '-s', '1472', '-M', 'do', DEVICE], 15000);
      assert.is(big1.code, 0, 'near-MTU ping: ' + big1.stdout.toString() + big1.stderr);
      const base = 'http://' + DEVICE;
      await checkStatusRoutes(runner, base);
      await checkBytes(runner, base, [0, 1, 1460, 65537, big], expectedBytes);
      await checkPostEcho(runner, base, 1000000);
      await checkNotFoundAndConnections(runner, base);
      await checkEchoClients(runner, DEVICE, 7, 20, 30000);
      assert.equal(rig.sim.errors, []);
      const st = rig.sim.stats();
      assert.ok(st.segmentsIn > 1000 && st.segmentsOut > 1000, 'the device TCP handled the traffic: ' + JSON.stringify(st));
      assert.is(rig.sim.details().iface['internal-errors'], 0, 'no exception inside the device stack');
    } catch (e) {
      console.error('device counters at the failure: ' + JSON.stringify(rig.sim.details()));
      throw e;
    } finally {
      await rig.stop();
    }
  });
}

test('impairments on the TAP link (loss, reordering, duplication, delay): ping and a 1 MB body still get through', async () => {
  if (!needRoot('simulator on a TAP with impairments')) return;
  const rig = await startOnTap({
    chip: 'w5500', ip: { address: 0x0a000002, prefix: 24 },
    impairments: { loss: 0.05, delayMs: 2, jitterMs: 0, reorder: 0.02, duplicate: 0.02, seed: 3 },
  }, KERNEL);
  try {
    const runner = netnsRunner(rig.ns.name);
    const ping = await runner('ping', ['-c', '20', '-i', '0.05', '-W', '1', DEVICE], 20000);
    assert.match(ping.stdout.toString(), /20 packets transmitted, (1[0-9]|20) received/);
    await checkBytes(runner, 'http://' + DEVICE, [1000000], expectedBytes);
    const st = rig.sim.stats();
    assert.ok(st.wireLost > 0, 'frames were lost crossing the TAP link');
    assert.ok(st.retransmits > 0, 'the device retransmitted');
    assert.is(rig.sim.wire.counters.duplicated > 0 && rig.sim.wire.counters.reordered > 0, true);
  } finally {
    await rig.stop();
  }
});

test('--dhcp on a TAP: the device takes its address from dnsmasq and serves on it', async () => {
  if (!needRoot('simulator with DHCP on a TAP')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-simdhcp-'));
  let rig: TapRig | null = null;
  let dnsmasq: ChildProcess | null = null;
  let log = '';
  try {
    rig = await startOnTap({ chip: 'enc28j60', ip: null, dhcp: true }, '10.0.7.1/24');
    dnsmasq = rig.ns.spawn('dnsmasq', [
      '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
      '--bind-interfaces', '--interface=' + rig.tap, '--except-interface=lo', '--user=root', '--pid-file=',
      '--dhcp-leasefile=' + path.join(dir, 'leases'), '--dhcp-range=10.0.7.50,10.0.7.60,255.255.255.0,2m',
      '--dhcp-option=option:router,10.0.7.1', '--log-dhcp',
    ]);
    dnsmasq.stderr!.on('data', (b: Buffer) => { if (log.length < 50000) log += b.toString(); });
    dnsmasq.stdout!.on('data', (b: Buffer) => { if (log.length < 50000) log += b.toString(); });
    const addr = await rig.sim.waitForAddress(30000);
    assert.match(addr, /^10\.0\.7\.(5\d|60)$/);
    const runner = netnsRunner(rig.ns.name);
    await checkStatusRoutes(runner, 'http://' + addr);
    const r = await runner('curl', ['-sS', '--max-time', '20', 'http://' + addr + '/api/status'], 30000);
    const st = JSON.parse(r.stdout.toString());
    assert.is(st.dhcp, true);
    assert.is(st.address, addr + '/24');
    assert.is(st.gateway, '10.0.7.1');
  } catch (e) {
    console.error('dnsmasq log:\n' + log);
    throw e;
  } finally {
    if (dnsmasq) await stopChild(dnsmasq);
    if (rig) await rig.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
