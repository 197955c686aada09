// `npm start` as a user meets it, in-process: the default firmware on a simulated W5500, reached from
// localhost through the port forwards (no root, nothing leaves the process): every HTTP route with curl,
// 20 echo clients, and a real browser (headless Chromium) rendering the status page.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultSimOptions, SimOptions } from '../../tools/sim/options';
import { SimHandle, startSimulator } from '../../tools/sim/simulator';
import {
  checkBytes, checkEchoClients, checkNotFoundAndConnections, checkPostEcho, checkStatusRoutes, expectedBytes, hostRunner, run,
} from './contract';

async function start(o: Partial<SimOptions>): Promise<{ sim: SimHandle; http: number; echo: number }> {
  const sim = await startSimulator(Object.assign(defaultSimOptions(), {
    forwards: [{ hostPort: 0, devicePort: 80 }, { hostPort: 0, devicePort: 7 }], status: 'off', randomSeed: 7,
  }, o));
  const http = sim.forwards.find((f) => f.rule.devicePort === 80)!.hostPort;
  const echo = sim.forwards.find((f) => f.rule.devicePort === 7)!.hostPort;
  return { sim, http, echo };
}

test('port forwards (W5500): every HTTP route byte-exact from localhost, keep-alive and close, 20 echo clients', async () => {
  const { sim, http, echo } = await start({ chip: 'w5500' });
  try {
    assert.match(sim.forwards.find((f) => f.rule.devicePort === 80)!.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const base = 'http://127.0.0.1:' + http;
    await checkStatusRoutes(hostRunner, base);
    await checkBytes(hostRunner, base, [0, 1, 1460, 100000, 3000000], expectedBytes);
    await checkPostEcho(hostRunner, base, 1000000);
    await checkNotFoundAndConnections(hostRunner, base);
    await checkEchoClients(hostRunner, '127.0.0.1', echo, 20, 30000);
    const st = sim.stats();
    assert.ok(st.forwardTotal >= 30, 'connections went through the forwarder: ' + st.forwardTotal);
    assert.ok(st.segmentsIn > 500, 'the device TCP saw the segments: ' + st.segmentsIn);
    assert.equal(sim.errors, []);
    assert.is(sim.details().iface['internal-errors'], 0, 'no exception inside the device stack');
  } catch (e) {
    console.error('device counters at the failure: ' + JSON.stringify(sim.details()));
    throw e;
  } finally {
    await sim.stop();
  }
});

test('port forwards (ENC28J60) with loss, duplication and reordering on the wire: still byte-exact', async () => {
  const { sim, http, echo } = await start({
    chip: 'enc28j60',
    impairments: { loss: 0.02, delayMs: 1, jitterMs: 0, reorder: 0.02, duplicate: 0.02, seed: 11 },
  });
  try {
    const base = 'http://127.0.0.1:' + http;
    await checkBytes(hostRunner, base, [200000], expectedBytes);
    await checkPostEcho(hostRunner, base, 100000);
    await checkEchoClients(hostRunner, '127.0.0.1', echo, 5, 20000);
    const st = sim.stats();
    assert.ok(st.wireLost > 0, 'frames were lost on the wire');
    assert.ok(st.retransmits > 0, 'the device retransmitted');
    assert.equal(sim.errors, []);
    assert.is(sim.details().iface['internal-errors'], 0, 'no exception inside the device stack');
  } catch (e) {
    console.error('device counters at the failure: ' + JSON.stringify(sim.details()));
    throw e;
  } finally {
    await sim.stop();
  }
});

test('a real browser (headless Chromium) renders the device status page through the forward', async () => {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c) => fs.existsSync(c));
  assert.ok(chromium, 'chromium is installed (.ci/run installs Debian\'s "chromium")');
  const { sim, http } = await start({ chip: 'w5500' });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-chromium-'));
  try {
    const r = await run(chromium as string, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--user-data-dir=' + profile, '--virtual-time-budget=3000',
      '--dump-dom', 'http://127.0.0.1:' + http + '/',
    ], 60000);
    const dom = r.stdout.toString();
    assert.is(r.code, 0, 'chromium exit: ' + r.stderr.slice(-2000));
    // What the browser built from the device's page: the title, the address and chip it reports, its
    // sections with readable names, the routes linked, and what stands in for free memory on the host.
    assert.match(dom, /<title>[^<]*<\/title>/i);
    assert.match(dom, /10\.0\.0\.2\/24/);
    assert.match(dom, /w5500/i);
    for (const h of ['Device', 'Ethernet chip (driver)', 'Network: Ethernet, ARP, IPv4, ICMP, UDP', 'TCP', 'HTTP server', 'Echo server', 'Routes']) {
      assert.ok(dom.indexOf('<h2>' + h + '</h2>') >= 0, 'section ' + h);
    }
    assert.is((dom.match(/<h2>/g) || []).length, 7, 'seven sections, each named once');
    assert.match(dom, /<a href="\/api\/status">/);
    assert.match(dom, /not measured on a host/);
    assert.not.match(dom, /rxFrames|arp-requests-sent/, 'counter names in words');
    // And as pixels: a screenshot of the rendered page (kept in the OS temporary directory to look at).
    const shot = path.join(os.tmpdir(), 'etcpip-status-page.png');
    fs.rmSync(shot, { force: true });
    const r2 = await run(chromium as string, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--user-data-dir=' + profile, '--virtual-time-budget=3000',
      '--hide-scrollbars', '--window-size=1280,900', '--screenshot=' + shot, 'http://127.0.0.1:' + http + '/',
    ], 60000);
    assert.is(r2.code, 0, 'chromium exit: ' + r2.stderr.slice(-2000));
    const png = fs.readFileSync(shot);
    assert.is(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.is(png.readUInt32BE(16), 1280, 'width');
    assert.is(png.readUInt32BE(20), 900, 'height');
    assert.ok(png.length > 20000, 'a page was drawn, not a blank: ' + png.length + ' bytes');
    console.log('  status page screenshot: ' + shot + ' (' + png.length + ' bytes)');
    assert.ok(sim.stats().forwardTotal >= 2, 'the browser came through the forward');
  } finally {
    await sim.stop();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test.run();
