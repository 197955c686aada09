// The Espruino compatibility gate, runnable alone: `npx ts-node --transpile-only tools/gate.ts
// [--entry FILE] [--board NAME] [--file BUNDLE.js]`. It builds the firmware bundle (default entry,
// as `npm run build` does) and the device smoke bundle, runs the static checks (tools/gate/checks.ts)
// on both, loads the firmware bundle under Duktape and runs the smoke bundle there. Exit 1 on any
// failure. test/build/gate.test.ts runs the same thing in `npm test`.
import * as fs from 'fs';
import { buildBundle, defaultEntry, SMOKE_ENTRY } from './build/bundle';
import { checkBundle, GateFailure } from './gate/checks';
import { dukAvailable, runUnderDuk, smokePassed } from './gate/duk';

export interface GateReport {
  name: string;
  failures: GateFailure[];
  /** Duktape: loaded without an uncaught error (and, for the smoke bundle, SMOKE PASS). */
  dukOk: boolean;
  dukOutput: string;
}

export function gateBundle(name: string, code: string, expectSmoke: boolean): GateReport {
  const failures = checkBundle(code);
  const r = runUnderDuk(code);
  const dukOk = expectSmoke ? smokePassed(r) : r.ok;
  return { name, failures, dukOk, dukOutput: r.output };
}

export function runGate(opts: { entry?: string; board?: string; file?: string }): GateReport[] {
  const reports: GateReport[] = [];
  if (opts.file) {
    reports.push(gateBundle(opts.file, fs.readFileSync(opts.file, 'utf8'), /SMOKE/.test(fs.readFileSync(opts.file, 'utf8'))));
    return reports;
  }
  const entry = opts.entry || defaultEntry();
  const fw = buildBundle({ entry, board: opts.board });
  reports.push(gateBundle('firmware bundle (' + entry + ')', fw.code, entry === SMOKE_ENTRY));
  if (entry !== SMOKE_ENTRY) {
    const smoke = buildBundle({ entry: SMOKE_ENTRY, board: opts.board });
    reports.push(gateBundle('smoke bundle (' + SMOKE_ENTRY + ')', smoke.code, true));
  }
  return reports;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opts: { entry?: string; board?: string; file?: string } = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--entry') opts.entry = argv[i + 1];
    else if (argv[i] === '--board') opts.board = argv[i + 1];
    else if (argv[i] === '--file') opts.file = argv[i + 1];
    else { console.error('usage: tools/gate.ts [--entry FILE] [--board NAME] [--file BUNDLE.js]'); process.exit(2); }
  }
  if (!dukAvailable()) { console.error('gate: duk (Debian package duktape) is not installed'); process.exit(1); }
  let bad = 0;
  for (const r of runGate(opts)) {
    const ok = r.failures.length === 0 && r.dukOk;
    if (!ok) bad++;
    console.log((ok ? 'PASS ' : 'FAIL ') + r.name);
    for (const f of r.failures) console.log('  ' + f.rule + ' at ' + f.line + ':' + f.column + ': ' + f.message);
    if (!r.dukOk) console.log('  duktape run failed:\n' + r.dukOutput.split('\n').slice(-15).map((l) => '    ' + l).join('\n'));
  }
  process.exit(bad ? 1 : 0);
}
