// The real command: `npm start` / `npm run sim` as processes, stopped with SIGINT like Ctrl-C.
import { skipTest, AS_ROOT } from '../helpers/skip';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hostRunner, run, tmpFile } from './contract';
import { readPcapFile } from '../../tools/pcap';

const root = path.resolve(__dirname, '..', '..');

interface Proc {
  child: ChildProcess;
  out(): string;
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  killGroup(sig: NodeJS.Signals): void;
}

/**
 * Starts the simulator exactly as `npm start` does (ts-node on tools/sim.ts; npm itself would turn our
 * exit code into its own re-raised SIGINT), in its own process group so a signal reaches it as Ctrl-C would.
 */
function startSim(args: string[]): Proc {
  const tsNode = path.join(root, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const child = spawn(process.execPath, [tsNode, '--transpile-only', 'tools/sim.ts'].concat(args),
    { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: Object.assign({}, process.env, { NO_COLOR: '1' }) });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => { text += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { text += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    out: () => text,
    exited,
    killGroup: (sig) => {
      try { process.kill(-(child.pid as number), sig); } catch { /* already gone */ }
    },
    waitFor: (re, timeoutMs) => new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        const m = re.exec(text);
        if (m) return resolve(m);
        if (child.exitCode !== null) return reject(new Error('process exited (' + child.exitCode + ') before ' + re + ':\n' + text));
        if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting for ' + re + ':\n' + text));
        setTimeout(check, 50);
      };
      check();
    }),
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(what + ' timed out')), ms); });
  try { return await Promise.race([p, t]); } finally { if (timer) clearTimeout(timer); }
}

test('npm start / npm run sim -- --help print the options; a bad option is refused plainly with exit 2', async () => {
  const help = await run('npm', ['run', '--silent', 'start', '--', '--help'], 60000);
  assert.is(help.code, 0);
  assert.match(help.stdout.toString(), /--link tap:NAME/);
  const bad = await run('npm', ['run', '--silent', 'sim', '--', '--chip', 'rtl8139'], 60000);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--chip must be w5500 or enc28j60/);
});

test('the simulator serves the device through the port forward and stops cleanly on SIGINT, writing the pcap', async () => {
  const pcap = tmpFile('start.pcap');
  const p = startSim([ '--forward', '0:80', '--forward', '0:7', '--status', 'lines', '--status-interval', '200', '--pcap', pcap]);
  try {
    await p.waitFor(/Ctrl-C to stop/, 60000);
    assert.match(p.out(), /device 10\.0\.0\.2\/24/);
    const http = /(http:\/\/127\.0\.0\.1:\d+\/)\s+-> device port 80/.exec(p.out());
    assert.ok(http, 'the URL to open is printed:\n' + p.out());
    const r = await hostRunner('curl', ['-sS', '--max-time', '20', '-w', '\\n%{http_code}', (http as RegExpExecArray)[1] + 'api/status'], 30000);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /200$/);
    // The status line reports the connection and the segments the device handled.
    await p.waitFor(/device conns 0 open\/1 accepted \| forwarded 0 open\/1 total \| segs in [1-9]/, 10000);
    p.killGroup('SIGINT');
    const code = await withTimeout(p.exited, 15000, 'exit after SIGINT');
    assert.match(p.out(), /SIGINT: stopping/);
    assert.match(p.out(), /stopped/);
    assert.is(code, 0, p.out());
    // The pcap holds the whole conversation on the simulated wire, complete (flushed at exit).
    const file = readPcapFile(pcap);
    assert.is(file.linktype, 1);
    assert.ok(file.records.length >= 8, 'frames recorded: ' + file.records.length);
    const ts = await run('tshark', ['-r', pcap, '-Y', 'http.request', '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'http.request.uri'], 30000);
    assert.is(ts.code, 0, ts.stderr);
    assert.is(ts.stdout.toString().trim(), '10.0.0.1\t10.0.0.2\t/api/status');
  } finally {
    p.killGroup('SIGKILL');
    fs.rmSync(path.dirname(pcap), { recursive: true, force: true });
  }
});

test('npm start itself stops on SIGTERM, and the simulator with it: no process left holding its ports', async () => {
  // npm runs the script through sh; the script execs ts-node, so the signal npm passes on reaches the simulator.
  const child = spawn('npm', ['start', '--', '--no-forward', '--forward', '0:80', '--forward', '0:7'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: Object.assign({}, process.env, { NO_COLOR: '1' }) });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => { text += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { text += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let simPid = 0;
  try {
    for (let i = 0; i < 600 && !/Ctrl-C to stop/.test(text) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(text, /Ctrl-C to stop/, 'the simulator started: ' + text);
    const kids = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(child.pid)]).toString().trim().split('\n');
    assert.is(kids.length, 1, 'npm runs one child: ' + kids.join(' | '));
    const [pid, comm] = kids[0].trim().split(/\s+/);
    assert.is(comm, 'node', 'sh has exec\'d the simulator (not a shell left between npm and it)');
    simPid = Number(pid);
    child.kill('SIGTERM');
    await withTimeout(exited, 20000, 'npm after SIGTERM');
    assert.match(text, /SIGTERM: stopping/);
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try { process.kill(simPid, 0); await new Promise((r) => setTimeout(r, 50)); } catch { alive = false; }
    }
    assert.not.ok(alive, 'the simulator (pid ' + simPid + ') is gone');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    if (simPid) { try { process.kill(simPid, 'SIGKILL'); } catch { /* gone */ } }
  }
});

test('opening a TAP that does not exist is a plain error, exit 1', async () => {
  const r = await run('npm', ['run', '--silent', 'sim', '--', '--link', 'tap:etcpip-nonex'], 60000);
  assert.is(r.code, 1, r.stdout.toString() + r.stderr);
  assert.match(r.stderr, /TAP|tap/);
  assert.match(r.stderr, /etcpip-nonex/);
});

test('opening a TAP without root is a plain error saying what to do, exit 1', async () => {
  if (!(typeof process.getuid === 'function' && process.getuid() === 0)) {
    skipTest('opening a TAP without root', 'needs root to create the TAP and switch to an unprivileged user', AS_ROOT);
    return;
  }
  const tap = 'etcpip-nr' + (process.pid % 1000);
  execFileSync('ip', ['tuntap', 'add', tap, 'mode', 'tap']);
  try {
    const tsNode = path.join(root, 'node_modules', 'ts-node', 'dist', 'bin.js');
    const r = await run('runuser', ['-u', 'nobody', '--', process.execPath, tsNode, '--transpile-only', path.join(root, 'tools', 'sim.ts'), '--link', 'tap:' + tap], 60000);
    assert.is(r.code, 1, r.stdout.toString() + r.stderr);
    assert.match(r.stderr, new RegExp('opening TAP ' + tap + ' needs root, or a TAP created for your user'));
  } finally {
    execFileSync('ip', ['link', 'del', tap]);
  }
});

test.run();
