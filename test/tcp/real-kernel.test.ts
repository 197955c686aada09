// Interop with the Linux kernel's TCP: our Stack on a VirtualWire (with seeded loss, duplication and
// reordering) whose other end is a TAP device in a fresh network namespace (hal/sim/tap-bridge.ts).
// Real clock, polled every few ms. Root only; everything bounded in time; traffic stays in the namespace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { needRoot, cleanup, Netns, createTap, uniqueSuffix, stopChild } from '../helpers/netns';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { RealClock } from '../../hal/sim/virtual-clock';
import { SeededRandom } from '../../hal/sim/random';
import { TapBridge } from '../../hal/sim/tap-bridge';
import { Stack } from '../../tcp/stack';
import { TcpSocket } from '../../tcp/tcp/socket';
import { parseIpv4 } from '../../tcp/wire/ipv4-address';

const KERNEL = '10.78.1.1';
const OURS = '10.78.1.2';
const PEER_PY = path.join(__dirname, 'fixtures', 'kernel-peer.py');
const IMPAIRED: WireImpairments = { loss: 0.01, duplicate: 0.01, reorder: 0.02, reorderMs: 3, delayMs: 1, seed: 5 };
const BYTES = 2 * 1024 * 1024;

interface Rig {
  stack: Stack;
  ns: Netns;
  wire: VirtualWire;
  until(pred: () => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

async function startRig(imp: WireImpairments): Promise<Rig> {
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create('tcp-' + sfx);
  createTap(tap);
  const clock = new RealClock();
  const wire = new VirtualWire(clock, imp);
  const stack = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0x78, 1, 2]), wire.a),
    random: new SeededRandom(9),
    ipv4: { address: parseIpv4(OURS) as number, prefixLength: 24 },
    tcp: { rxBytes: 16384, txBytes: 16384 },
  });
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const checks: Array<() => void> = [];
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    for (let i = 0; i < 4; i++) {
      wire.deliverDue();
      stack.poll(clock.nowMs());
    }
    for (const c of checks.slice()) c();
    const delay = Math.max(0, Math.min(2, wire.nextDeliveryMs() - clock.nowMs()));
    timer = setTimeout(tick, delay);
  };
  const bridge = await TapBridge.open({
    name: tap, port: wire.b,
    onFrame: () => { if (timer) { clearTimeout(timer); timer = setTimeout(tick, 0); } },
  });
  ns.adoptTap(tap, KERNEL + '/24');
  tick();
  return {
    stack, ns, wire,
    until(pred, ms, what) {
      return new Promise((resolve, reject) => {
        if (pred()) { resolve(); return; }
        const t = setTimeout(() => { remove(); reject(new Error('timed out after ' + ms + ' ms waiting for ' + what)); }, ms);
        const check = (): void => { if (pred()) { clearTimeout(t); remove(); resolve(); } };
        const remove = (): void => { const i = checks.indexOf(check); if (i >= 0) checks.splice(i, 1); };
        checks.push(check);
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await bridge.stop();
      ns.destroy();
    },
  };
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

test('kernel client → our echo server over an impaired link: 2 MB each way, byte-exact', async () => {
  if (!needRoot('kernel TCP client against our server over a TAP')) return;
  let rig: Rig | null = null;
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
  let rig: Rig | null = null;
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
