// Interop with the Linux kernel's TCP: our Stack on a VirtualWire (with seeded loss, duplication and
// reordering) whose other end is a TAP device in a fresh network namespace (test/helpers/kernel-rig.ts).
// Real clock, polled every few ms. Root only; everything bounded in time; traffic stays in the namespace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { needRoot, cleanup, stopChild } from '../helpers/netns';
import { startStackRig, StackRig, TCP_MAC } from '../helpers/kernel-rig';
import { WireImpairments } from '../../hal/sim/virtual-wire';
import { TcpSocket } from '../../tcp/tcp/socket';

const KERNEL = '10.78.1.1';
const OURS = '10.78.1.2';
const PEER_PY = path.join(__dirname, 'fixtures', 'kernel-peer.py');
const IMPAIRED: WireImpairments = { loss: 0.01, duplicate: 0.01, reorder: 0.02, reorderMs: 3, delayMs: 1, seed: 5 };
const BYTES = 2 * 1024 * 1024;

function startRig(imp: WireImpairments): Promise<StackRig> {
  return startStackRig({ nsPrefix: 'tcp', kernelIp: KERNEL, ourIp: OURS, mac: TCP_MAC, seed: 9, impairments: imp,
    tcp: { rxBytes: 16384, txBytes: 16384 } });
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

test('kernel client → our echo server over an impaired link: 2 MB each way, byte-exact', async () => {
  if (!needRoot('kernel TCP client against our server over a TAP')) return;
  let rig: StackRig | null = null;
  try {
    rig = await startRig(IMPAIRED);
    let closed = 0;
    rig.stack.createServer(5001, (s: TcpSocket) => {
      s.on('data', (d: Uint8Array) => { if (!s.write(new Uint8Array(d))) s.pause(); });
      s.on('drain', () => s.resume());
      s.on('end', () => s.end());
      s.on('close', () => { closed++; });
    });
    const r = await rig.ns.exec('python3', [PEER_PY, 'client', OURS, '5001', String(BYTES)], 90000);
    assert.is(r.stdout.trim(), 'OK', r.stdout + r.stderr + (r.timedOut ? ' (timed out)' : ''));
    await rig.until(() => closed === 1, 10000, 'our side to close');
    assert.ok(rig.wire.counters.lost > 0, 'the link lost frames');
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test('our client → kernel echo server over an impaired link: 2 MB each way, byte-exact', async () => {
  if (!needRoot('our TCP client against a kernel server over a TAP')) return;
  let rig: StackRig | null = null;
  try {
    rig = await startRig(IMPAIRED);
    const server = rig.ns.spawn('python3', [PEER_PY, 'echo-server', '5002']);
    let serverOut = '';
    server.stdout!.on('data', (b: Buffer) => { serverOut += b.toString(); });
    await rig.until(() => serverOut.indexOf('LISTENING') >= 0, 10000, 'the kernel server to listen');
    const data = pattern(BYTES);
    const got = new Uint8Array(BYTES);
    let n = 0;
    let mismatch = -1;
    const events: string[] = [];
    const c = rig.stack.connect({ host: KERNEL, port: 5002 });
    let sent = 0;
    const pump = (): void => {
      while (sent < BYTES) {
        const chunk = data.subarray(sent, Math.min(BYTES, sent + 8192));
        sent += chunk.length;
        if (!c.write(chunk)) return;
      }
      c.end();
    };
    c.on('connect', pump);
    c.on('drain', pump);
    c.on('data', (d: Uint8Array) => {
      if (n + d.length > BYTES) { mismatch = n; return; }
      got.set(d, n);
      n += d.length;
    });
    c.on('end', () => events.push('end'));
    c.on('error', (e: Error) => events.push('error:' + e.message));
    c.on('close', () => events.push('close'));
    await rig.until(() => events.indexOf('close') >= 0, 90000, 'the transfer to finish (' + n + ' bytes back)');
    assert.equal(events, ['end', 'close']);
    assert.is(mismatch, -1);
    assert.is(n, BYTES);
    assert.ok(Buffer.from(got).equals(Buffer.from(data)), 'echo is byte-exact');
    await rig.until(() => serverOut.indexOf('ECHOED') >= 0, 10000, 'the kernel server to report');
    assert.match(serverOut, new RegExp('ECHOED ' + BYTES));
    await stopChild(server);
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test.run();
