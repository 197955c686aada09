import { buildBundle } from '../build/bundle';
import { checkBundle } from './checks';
import { sizeReport } from '../build/size-report';
import { runUnderDuk } from './duk';
const b = buildBundle({ entry: '/tmp/etc-all/all.ts' });
const r = sizeReport(b); console.log('modules', r.modules.length, 'min', r.totalMinBytes, 'es5', r.bundleEs5Bytes);
for (const f of checkBundle(b.code)) console.log(f.rule, f.line + ':' + f.column, f.message);
const d = runUnderDuk(b.code); console.log('duk', d.ok, d.output.slice(-300));
