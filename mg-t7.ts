import { buildBundle, minifyEs5Detailed } from './tools/build/bundle';
import { gateBundle } from './tools/gate';
for (const board of ['pico', 'sim', 'linux']) {
  const b = buildBundle({ entry: 'firmware/main.ts', board, minify: false });
  const s = minifyEs5Detailed(b.es5Code, { shortModuleIds: true });
  const r = gateBundle(board + ' short ids', s.code, false);
  console.log(r.name, r.failures.length, r.dukOk);
}
const sm = buildBundle({ entry: 'tools/smoke/device-smoke.ts', minify: false });
const r = gateBundle('smoke short ids', minifyEs5Detailed(sm.es5Code, { shortModuleIds: true }).code, true);
console.log(r.name, r.failures.length, r.dukOk);
