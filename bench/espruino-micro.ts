// `npx ts-node --transpile-only bench/espruino-micro.ts`: what each piece of the per-segment path costs in
// the real interpreter (espruino-linux), in µs and in empty-loop iterations timed in the same run. The
// entry is bench/device/wire-micro.ts; BENCHMARKS.md section 3c has a run's numbers and what they mean.
import { buildBundle } from '../tools/build/bundle';
import { runUnderEspruino } from '../tools/gate/espruino';

export interface MicroResult { loopUs: number; rows: Array<{ name: string; us: number; iterations: number }> }

export function runMicro(): MicroResult | { skipped: string } {
  const b = buildBundle({ entry: 'bench/device/wire-micro.ts' });
  const r = runUnderEspruino(b.code, { timeoutMs: 60000 });
  const lines = r.output.match(/^M .*/gm) || [];
  const loop = /^M emptyloop ([\d.]+) us/m.exec(r.output);
  if (!loop || !/^M done/m.test(r.output)) return { skipped: (r.problem || 'no result') + ': ' + r.output.slice(-500) };
  const loopUs = Number(loop[1]);
  const rows = lines.filter((l) => !/emptyloop|done/.test(l)).map((l) => {
    const m = /^M (.*) ([\d.]+) us$/.exec(l)!;
    return { name: m[1], us: Number(m[2]), iterations: Math.round(Number(m[2]) / loopUs) };
  });
  return { loopUs, rows };
}

if (require.main === module) {
  const r = runMicro();
  if ('skipped' in r) { console.log('skipped: ' + r.skipped); process.exit(0); }
  console.log('empty loop iteration: ' + r.loopUs + ' µs');
  for (const x of r.rows) console.log((x.name + '                              ').slice(0, 30) + (x.us.toFixed(1) + ' µs').padStart(12) + (x.iterations + ' it.').padStart(10));
}
