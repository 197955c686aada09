// The Espruino compatibility gate, runnable alone: `npx ts-node --transpile-only tools/gate.ts
// [--entry FILE] [--board NAME] [--file BUNDLE.js] [--no-espruino]`. It builds the firmware bundle
// (default entry, as `npm run build` does; without --board for every board that ships: pico, wifi,
// esp32, linux) and the device smoke bundle, runs the static checks (tools/gate/checks.ts) on each,
// and runs each in two engines: Duktape with Espruino's globals shimmed (tools/gate/duk.ts) and the
// REAL interpreter, Espruino 2v29's Linux build (tools/gate/espruino.ts). The firmware must load
// without an uncaught error (and print its start line, or on Linux the SPI boards' "retrying" line);
// the smoke bundle must print "SMOKE PASS n" in both. Exit 1 on any failure. Without the interpreter
// the real run is SKIPPED with a loud line, or FAILS when CI=true.
// test/build/gate.test.ts (static + Duktape) and test/build/gate-espruino.test.ts run the same thing.
import * as fs from 'fs';
import { buildBundle, defaultEntry, FIRMWARE_ENTRY_ID, SMOKE_ENTRY } from './build/bundle';
import { checkBundle, GateFailure } from './gate/checks';
import { dukAvailable, runUnderDuk, smokePassed } from './gate/duk';
import { missingIsFailure, runFirmwareUnderEspruino, runUnderEspruino, SHIPPED_BOARDS, skippedLine, smokePassedReal } from './gate/espruino';

export interface GateReport {
  name: string;
  failures: GateFailure[];
  /** Duktape: loaded without an uncaught error (and, for the smoke bundle, SMOKE PASS). */
  dukOk: boolean;
  dukOutput: string;
  /** Real Espruino: null when not run (switched off, or the interpreter is missing: espruinoMissing). */
  espruinoOk: boolean | null;
  espruinoOutput: string;
  espruinoProblem?: string;
  espruinoMissing?: string;
}

export interface GateOptions {
  entry?: string;
  board?: string;
  file?: string;
  /** Run the real interpreter too (default true). */
  espruino?: boolean;
}

/**
 * Gates one bundle. `board` names the preset a firmware bundle was built for (its expected start line
 * in Espruino); without it only fatal output is checked there.
 */
export function gateBundle(name: string, code: string, expectSmoke: boolean, board?: string, espruino = true): GateReport {
  const failures = checkBundle(code);
  const r = runUnderDuk(code);
  const dukOk = expectSmoke ? smokePassed(r) : r.ok;
  const report: GateReport = { name, failures, dukOk, dukOutput: r.output, espruinoOk: null, espruinoOutput: '' };
  if (!espruino) return report;
  const e = expectSmoke ? runUnderEspruino(code, { timeoutMs: 20000 })
    : board ? runFirmwareUnderEspruino(code, board) : runUnderEspruino(code);
  if (e.missing) {
    report.espruinoMissing = e.missing;
    return report;
  }
  report.espruinoOk = expectSmoke ? smokePassedReal(e) : e.ok;
  report.espruinoOutput = e.output;
  report.espruinoProblem = e.problem || (report.espruinoOk ? undefined : 'no "SMOKE PASS n" line (or a SMOKE FAIL line)');
  return report;
}

export function runGate(opts: GateOptions): GateReport[] {
  const espruino = opts.espruino !== false;
  const reports: GateReport[] = [];
  if (opts.file) {
    const code = fs.readFileSync(opts.file, 'utf8');
    reports.push(gateBundle(opts.file, code, /SMOKE/.test(code), opts.board, espruino));
    return reports;
  }
  const entry = opts.entry || defaultEntry();
  const isFirmware = entry.replace(/\\/g, '/').replace(/\.ts$/, '').endsWith(FIRMWARE_ENTRY_ID);
  const boards = opts.board ? [opts.board] : isFirmware ? SHIPPED_BOARDS : ['default'];
  for (const board of boards) {
    const fw = buildBundle({ entry, board });
    const label = isFirmware ? 'firmware bundle (' + entry + ', board ' + board + ')' : 'bundle (' + entry + ')';
    reports.push(gateBundle(label, fw.code, entry === SMOKE_ENTRY, isFirmware ? board : undefined, espruino));
  }
  if (entry !== SMOKE_ENTRY) {
    const smoke = buildBundle({ entry: SMOKE_ENTRY, board: opts.board });
    reports.push(gateBundle('smoke bundle (' + SMOKE_ENTRY + ')', smoke.code, true, undefined, espruino));
  }
  return reports;
}

function tail(s: string, n: number): string {
  return s.split('\n').slice(-n).map((l) => '    ' + l).join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opts: GateOptions = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--entry') opts.entry = argv[++i];
    else if (argv[i] === '--board') opts.board = argv[++i];
    else if (argv[i] === '--file') opts.file = argv[++i];
    else if (argv[i] === '--no-espruino') opts.espruino = false;
    else { console.error('usage: tools/gate.ts [--entry FILE] [--board NAME] [--file BUNDLE.js] [--no-espruino]'); process.exit(2); }
  }
  if (!dukAvailable()) { console.error('gate: duk (Debian package duktape) is not installed'); process.exit(1); }
  let bad = 0;
  for (const r of runGate(opts)) {
    const missingFails = !!r.espruinoMissing && missingIsFailure();
    const ok = r.failures.length === 0 && r.dukOk && r.espruinoOk !== false && !missingFails;
    if (!ok) bad++;
    console.log((ok ? 'PASS ' : 'FAIL ') + r.name);
    for (const f of r.failures) console.log('  ' + f.rule + ' at ' + f.line + ':' + f.column + ': ' + f.message);
    if (!r.dukOk) console.log('  duktape run failed:\n' + tail(r.dukOutput, 15));
    if (r.espruinoOk === false) console.log('  espruino run failed: ' + r.espruinoProblem + '\n' + tail(r.espruinoOutput, 15));
    if (r.espruinoMissing) console.log('  ' + (missingFails ? 'FAILED (CI=true): ' : '') + skippedLine(r.name, r.espruinoMissing));
  }
  process.exit(bad ? 1 : 0);
}
