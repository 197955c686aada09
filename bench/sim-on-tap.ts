// `npx ts-node --transpile-only bench/sim-on-tap.ts [w5500|enc28j60]` (root): the simulator on a TAP
// with the kernel as its peer, in a namespace made here: ping (100 at 10 ms), a 2 MB download with
// curl, and 300 sequential `GET /api/status` (one curl each: curl's own start-up bounds this one).
// Figures in BENCHMARKS.md section 1b; everything is released on every path.
import { Netns, createTap, uniqueSuffix, cleanup } from '../tools/netns';
import { defaultSimOptions } from '../tools/sim/options';
import { startSimulator } from '../tools/sim/simulator';
import { netnsRunner } from '../tools/kernel-client';
(async () => {
  const chip = (process.argv[2] || 'w5500') as any;
  const sfx = uniqueSuffix(); const tap = 'etcpip-' + sfx; const ns = Netns.create('spd-' + sfx);
  createTap(tap);
  const sim = await startSimulator(Object.assign(defaultSimOptions(), { chip, link: { kind: 'tap', name: tap }, forwards: [], status: 'off' }), { log: () => {} });
  ns.adoptTap(tap, '10.0.0.1/24');
  try {
    const run = netnsRunner(ns.name);
    await run('ping', ['-c', '2', '-i', '0.2', '10.0.0.2'], 10000);
    const p = await run('ping', ['-c', '100', '-i', '0.01', '-q', '10.0.0.2'], 20000);
    console.log(chip, 'ping', p.stdout.toString().split('\n').filter((l) => /rtt/.test(l)).join(''));
    const d = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{speed_download}', 'http://10.0.0.2/bytes/2000000'], 60000);
    console.log(chip, 'download MB/s', (Number(d.stdout.toString()) / 1e6).toFixed(2));
    const t0 = Date.now();
    const c = await run('sh', ['-c', 'i=0; while [ $i -lt 300 ]; do curl -s -o /dev/null http://10.0.0.2/api/status; i=$((i+1)); done'], 120000);
    console.log(chip, 'sequential GET /api/status (curl per request, incl. its start-up) per second', (300000 / (Date.now() - t0)).toFixed(0));
  } finally { await sim.stop(); ns.destroy(); cleanup(); }
})();
