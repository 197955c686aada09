// The dynamic half of the gate: loads a bundle under Debian's Duktape (`duk`), a second engine
// independent of Node, with only Espruino's globals shimmed (tools/smoke/duk-shims.js), then drains
// its timers on a virtual clock (bounded). The device smoke bundle prints "SMOKE PASS n" on success.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface DukResult {
  ok: boolean; // exited 0 within the time limit
  status: number | null;
  output: string;
  error?: string;
}

export function dukAvailable(): boolean {
  const r = spawnSync('duk', ['-e', 'print(1)'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0;
}

/** Runs `code` under duk after the shims; timers are drained (at most 1000 callbacks, 60 s virtual). */
export function runUnderDuk(code: string, timeoutMs = 20000): DukResult {
  const shims = fs.readFileSync(path.join(ROOT, 'tools', 'smoke', 'duk-shims.js'), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-duk-'));
  const file = path.join(dir, 'bundle.js');
  try {
    fs.writeFileSync(file, shims + '\n;\n' + code + '\n;__duk_drain(1000, 60000);\n');
    const r = spawnSync('duk', [file], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
    const output = (r.stdout || '') + (r.stderr || '');
    if (r.error) return { ok: false, status: r.status, output, error: String(r.error) };
    return { ok: r.status === 0, status: r.status, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The smoke verdict: duk exited 0, printed "SMOKE PASS n" with n > 0, and no "SMOKE FAIL". */
export function smokePassed(r: DukResult): boolean {
  return r.ok && /^SMOKE PASS [1-9]\d*\s*$/m.test(r.output) && !/^SMOKE FAIL/m.test(r.output);
}
