// The black-box contract the simulated device must meet (issue 7), checked from a real client:
// curl for HTTP, a Node script for the echo clients, ping. Used by the TAP tests (clients inside a
// network namespace) and the port-forward tests (clients on localhost). Not a test file itself.
import * as assert from 'uvu/assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// How client commands run (on the host or in a namespace) and what /bytes/N serves: tools/kernel-client.ts,
// which the bench uses too.
export { RunResult, run, Runner, hostRunner, netnsRunner, expectedBytes } from '../../tools/kernel-client';
import { Runner } from '../../tools/kernel-client';

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

export function tmpFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-sim-'));
  return path.join(dir, name);
}

interface CurlResult {
  code: number;
  headers: string;
  body: Buffer;
  /** From -w: http_code num_connects size_download */
  status: number;
  numConnects: number[];
}

/** curl with headers dumped, body captured, and a write-out line per transfer. */
async function curl(runner: Runner, args: string[], timeoutMs = 60000): Promise<CurlResult> {
  const hdr = tmpFile('headers.txt');
  const body = tmpFile('body.bin');
  const r = await runner('curl', ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000) - 2), '-D', hdr, '-o', body,
    '-w', '%{http_code} %{num_connects}\\n'].concat(args), timeoutMs);
  const lines = r.stdout.toString().trim().split('\n').filter(Boolean);
  const res: CurlResult = {
    code: r.code === null ? -1 : r.code,
    headers: fs.existsSync(hdr) ? fs.readFileSync(hdr, 'latin1') : '',
    body: fs.existsSync(body) ? fs.readFileSync(body) : Buffer.alloc(0),
    status: lines.length ? Number(lines[lines.length - 1].split(' ')[0]) : 0,
    numConnects: lines.map((l) => Number(l.split(' ')[1])),
  };
  if (res.code !== 0) throw new Error('curl ' + args.join(' ') + ' failed (exit ' + r.code + (r.timedOut ? ', timed out' : '') + '): ' + r.stderr);
  fs.rmSync(path.dirname(hdr), { recursive: true, force: true });
  fs.rmSync(path.dirname(body), { recursive: true, force: true });
  return res;
}

function header(headers: string, name: string): string | null {
  const m = new RegExp('^' + name + ':\\s*(.*?)\\s*$', 'im').exec(headers);
  return m ? m[1] : null;
}

/** GET / and GET /api/status. */
export async function checkStatusRoutes(runner: Runner, base: string): Promise<void> {
  const page = await curl(runner, [base + '/']);
  assert.is(page.status, 200, 'GET / status');
  assert.match(header(page.headers, 'content-type') || '', /text\/html/i);
  assert.match(page.body.toString(), /<html/i);
  const json = await curl(runner, [base + '/api/status']);
  assert.is(json.status, 200, 'GET /api/status status');
  assert.match(header(json.headers, 'content-type') || '', /json/i);
  const parsed = JSON.parse(json.body.toString());
  assert.type(parsed, 'object');
}

/**
 * GET /bytes/N for each N: status 200, Content-Length N, exactly N bytes, and (byte-exact) the same
 * bytes as `expected(N)` when given.
 */
export async function checkBytes(runner: Runner, base: string, sizes: number[], expected?: (n: number) => Buffer): Promise<void> {
  for (const n of sizes) {
    const r = await curl(runner, [base + '/bytes/' + n], 120000);
    assert.is(r.status, 200, '/bytes/' + n + ' status');
    assert.is(header(r.headers, 'content-length'), String(n), '/bytes/' + n + ' Content-Length');
    assert.is(r.body.length, n, '/bytes/' + n + ' length');
    if (expected) assert.is(sha(r.body), sha(expected(n)), '/bytes/' + n + ' content');
  }
}

/** POST /echo with `size` random bytes: the same bytes come back. */
export async function checkPostEcho(runner: Runner, base: string, size: number): Promise<void> {
  const file = tmpFile('post.bin');
  const data = crypto.randomBytes(size);
  fs.writeFileSync(file, data);
  try {
    const r = await curl(runner, ['-H', 'Content-Type: application/octet-stream', '-H', 'Expect:', '--data-binary', '@' + file, base + '/echo'], 120000);
    assert.is(r.status, 200, 'POST /echo status');
    assert.is(r.body.length, size, 'POST /echo length');
    assert.is(sha(r.body), sha(data), 'POST /echo content');
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** Unknown paths give 404; keep-alive reuses one connection; `Connection: close` is honoured. */
export async function checkNotFoundAndConnections(runner: Runner, base: string): Promise<void> {
  const nf = await curl(runner, [base + '/no/such/page']);
  assert.is(nf.status, 404, 'unknown path → 404');
  // Two requests in one curl run: with keep-alive the second reuses the first connection.
  const ka = await curl(runner, [base + '/api/status', '-o', '/dev/null', base + '/bytes/100']);
  assert.equal(ka.numConnects, [1, 0], 'keep-alive: the second request reuses the connection');
  const cl = await curl(runner, ['-H', 'Connection: close', base + '/api/status', '-o', '/dev/null', base + '/bytes/100']);
  assert.equal(cl.numConnects, [1, 1], 'Connection: close: the server closed, curl had to reconnect');
  assert.match(header(cl.headers, 'connection') || '', /close/i);
}

/** Script run by `node -e` as the echo clients: N connections at once, each sends, half-closes, compares. */
const ECHO_CLIENTS = `
const net = require('net'), crypto = require('crypto');
const [host, port, count, size] = process.argv.slice(1).map((x, i) => i ? Number(x) : x);
let done = 0; const results = [];
for (let i = 0; i < count; i++) {
  const data = crypto.randomBytes(size + i * 97);
  const got = [];
  const s = net.connect({ host, port, allowHalfOpen: true }, () => s.end(data));
  s.on('data', (b) => got.push(b));
  s.on('error', (e) => results.push({ i, error: e.message }));
  s.on('close', () => {
    const g = Buffer.concat(got);
    results.push({ i, sent: data.length, got: g.length, same: g.equals(data) });
    if (++done === count) { console.log(JSON.stringify(results)); process.exit(0); }
  });
}
setTimeout(() => { console.log(JSON.stringify(results)); process.exit(3); }, 60000);
`;

/** `count` echo clients at once against host:port, each byte-exact. */
export async function checkEchoClients(runner: Runner, host: string, port: number, count: number, size: number): Promise<void> {
  const r = await runner(process.execPath, ['-e', ECHO_CLIENTS, host, String(port), String(count), String(size)], 90000);
  assert.is(r.code, 0, 'echo clients finished: ' + r.stderr + r.stdout.toString().slice(0, 2000));
  const results = JSON.parse(r.stdout.toString()) as Array<{ i: number; sent: number; got: number; same: boolean; error?: string }>;
  const bad = results.filter((x) => x.error || !x.same);
  assert.is(bad.length, 0, 'echo clients with wrong data: ' + JSON.stringify(bad));
  assert.is(results.length, count);
}
