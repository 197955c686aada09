// The port forwarder's relay logic against an in-memory device connection with small bounded buffers
// (so backpressure really happens), and real Node sockets on the loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'net';
import * as crypto from 'crypto';
import { Emitter } from '../../tcp/events';
import { TcpSocketApi } from '../../tcp/socket-api';
import { PortForwarder } from '../../tools/sim/port-forward';

const SEND_BUF = 2048;
const RECV_BUF = 2048;

/**
 * One connection to a fake device that echoes (port 7), refuses (port 9) or resets after `resetAfter`
 * bytes. Follows tcp/socket-api.ts: write() keeps references beyond the send buffer and returns false,
 * 'drain' later; pause() stops 'data' and, with the receive buffer full, stops the device consuming.
 */
class FakeConn extends Emitter implements TcpSocketApi {
  tx: Uint8Array[] = [];
  txBytes = 0;
  rx: Uint8Array[] = [];
  rxBytes = 0;
  paused = false;
  localEnded = false;
  remoteEnded = false;
  connected = false;
  closed = false;
  needDrain = false;
  consumed = 0;
  maxTx = 0;
  maxRx = 0;
  maxTxQueued = 0;
  remoteAddress = '10.0.0.2'; remotePort = 0; localAddress = '10.0.0.1'; localPort = 49152;
  constructor(readonly port: number, readonly resetAfter = Infinity) { super(); this.remotePort = port; }
  get bufferedAmount(): number { return this.txBytes; }
  write(data: Uint8Array | string): boolean {
    if (this.closed || this.localEnded) { this.emit('error', new Error('EPIPE')); return false; }
    const d = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'latin1')) : data;
    this.tx.push(d);
    this.txBytes += d.length;
    this.maxTxQueued = Math.max(this.maxTxQueued, this.txBytes);
    this.maxTx = Math.max(this.maxTx, Math.min(this.txBytes, SEND_BUF));
    if (this.txBytes > SEND_BUF) { this.needDrain = true; return false; }
    return true;
  }
  end(data?: Uint8Array | string): void { if (data !== undefined) this.write(data); this.localEnded = true; }
  destroy(): void { if (!this.closed) { this.closed = true; this.emit('close', false); } }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
  setNoDelay(): this { return this; }
  setTimeout(): this { return this; }
  setKeepAlive(): this { return this; }
  setEvictable(): void { /* no slots to free here */ }
  fail(code: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('error', new Error(code));
    this.emit('close', true);
  }
  /** One round of the "network": connect, move send-buffer bytes through the echo into the receive buffer, deliver. */
  pump(): boolean {
    if (this.closed) return false;
    let progress = false;
    if (!this.connected) {
      if (this.port === 9) { this.fail('ECONNREFUSED'); return true; }
      this.connected = true;
      this.emit('connect');
      progress = true;
    }
    // The device echoes what it receives, as far as our receive buffer has room (its window).
    while (this.tx.length && this.rxBytes < RECV_BUF) {
      const head = this.tx[0];
      const n = Math.min(head.length, RECV_BUF - this.rxBytes, 700);
      const part = new Uint8Array(head.subarray(0, n)); // the device's copy
      this.tx[0] = head.subarray(n);
      if (!this.tx[0].length) this.tx.shift();
      this.txBytes -= n;
      this.consumed += n;
      if (this.consumed > this.resetAfter) { this.fail('ECONNRESET'); return true; }
      this.rx.push(part);
      this.rxBytes += n;
      this.maxRx = Math.max(this.maxRx, this.rxBytes);
      progress = true;
    }
    if (this.needDrain && this.txBytes <= SEND_BUF) { this.needDrain = false; this.emit('drain'); }
    while (!this.paused && this.rx.length && !this.closed) {
      const c = this.rx.shift()!;
      this.rxBytes -= c.length;
      // A view that is overwritten right after the callback, as the real receive ring would be.
      this.emit('data', c);
      c.fill(0xee);
      progress = true;
    }
    // Host half-closed and everything echoed: the echo server finishes and closes its side too.
    if (this.localEnded && !this.tx.length && !this.rx.length && !this.remoteEnded && !this.closed) {
      this.remoteEnded = true;
      this.emit('end');
      this.closed = true;
      this.emit('close', false);
      progress = true;
    }
    return progress;
  }
}

function harness() {
  const conns: FakeConn[] = [];
  let scheduled = false;
  let resetAfter = Infinity;
  const run = (): void => {
    scheduled = false;
    let again = false;
    for (const c of conns) if (c.pump()) again = true;
    if (again) kick();
  };
  const kick = (): void => {
    if (!scheduled) { scheduled = true; setImmediate(run); }
  };
  const fwd = new PortForwarder({
    connect: (port) => { const c = new FakeConn(port, resetAfter); conns.push(c); return c; },
    kick,
  });
  // Host-side writes and resumes kick; the fake also needs a periodic nudge when Node drains.
  const timer = setInterval(kick, 5);
  return {
    fwd, conns, kick,
    setResetAfter: (n: number) => { resetAfter = n; },
    done: async () => { clearInterval(timer); await fwd.stop(); },
  };
}

function echoClient(port: number, data: Buffer, opts: { slowReader?: boolean } = {}): Promise<{ got: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let ended = false;
    const guard = setTimeout(() => { s.destroy(); reject(new Error('echo client timed out')); }, 20000);
    s.on('connect', () => {
      s.end(data);
      if (opts.slowReader) {
        s.pause();
        setTimeout(() => s.resume(), 300);
      }
    });
    s.on('data', (b: Buffer) => chunks.push(b));
    s.on('end', () => { ended = true; });
    s.on('error', (e) => { clearTimeout(guard); reject(e); });
    s.on('close', () => { clearTimeout(guard); resolve({ got: Buffer.concat(chunks), ended }); });
  });
}

/** Waits until `pred` holds, checking every 5 ms, at most `ms` (then the assertion after it fails). */
async function until(pred: () => boolean, ms = 3000): Promise<void> {
  for (let waited = 0; !pred() && waited < ms; waited += 5) await new Promise((r) => setTimeout(r, 5));
}

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

test('relays bytes both ways byte-exact, with half-close passed through', async () => {
  const h = harness();
  try {
    const [f] = await h.fwd.listen([{ hostPort: 0, devicePort: 7 }], '127.0.0.1');
    assert.ok(f.hostPort > 0);
    const data = crypto.randomBytes(100000);
    const r = await echoClient(f.hostPort, data);
    assert.is(r.got.length, data.length);
    assert.is(sha(r.got), sha(data));
    assert.ok(r.ended, 'the device FIN reached the host client as end');
    assert.is(h.fwd.stats.total, 1);
    assert.is(h.fwd.stats.bytesToDevice, data.length);
    assert.is(h.fwd.stats.bytesFromDevice, data.length);
  } finally {
    await h.done();
  }
});

test('backpressure: 4 MB through a 2 KB send buffer to a slow reader stays bounded and byte-exact', async () => {
  const h = harness();
  try {
    const [f] = await h.fwd.listen([{ hostPort: 0, devicePort: 7 }], '127.0.0.1');
    const data = crypto.randomBytes(4 * 1048576);
    const r = await echoClient(f.hostPort, data, { slowReader: true });
    assert.is(sha(r.got), sha(data));
    const c = h.conns[0];
    assert.ok(c.maxRx <= RECV_BUF, 'receive buffer bounded: ' + c.maxRx);
    // The forwarder paused the host socket when write() returned false: what waits beyond the send
    // buffer stays within one socket read (64 KiB), not the megabytes the host pushed.
    assert.ok(c.maxTxQueued <= SEND_BUF + 65536, 'queued ' + c.maxTxQueued);
  } finally {
    await h.done();
  }
});

test('several connections at once each get their own bytes back', async () => {
  const h = harness();
  try {
    const [f] = await h.fwd.listen([{ hostPort: 0, devicePort: 7 }], '127.0.0.1');
    const inputs = Array.from({ length: 8 }, (_, i) => crypto.randomBytes(20000 + i * 1000));
    const results = await Promise.all(inputs.map((d) => echoClient(f.hostPort, d)));
    results.forEach((r, i) => assert.is(sha(r.got), sha(inputs[i])));
    assert.is(h.fwd.stats.total, 8);
    await until(() => h.fwd.stats.active === 0);
    assert.is(h.fwd.stats.active, 0);
  } finally {
    await h.done();
  }
});

test('a refused device port resets the host connection', async () => {
  const h = harness();
  try {
    const [f] = await h.fwd.listen([{ hostPort: 0, devicePort: 9 }], '127.0.0.1');
    const err = await new Promise<string>((resolve) => {
      const s = net.connect({ port: f.hostPort, host: '127.0.0.1' });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code || e.message));
      s.on('close', () => resolve('closed without error'));
    });
    assert.is(err, 'ECONNRESET');
    assert.is(h.fwd.stats.errors, 1);
  } finally {
    await h.done();
  }
});

test('a device reset mid-stream resets the host connection', async () => {
  const h = harness();
  h.setResetAfter(5000);
  try {
    const [f] = await h.fwd.listen([{ hostPort: 0, devicePort: 7 }], '127.0.0.1');
    const err = await echoClient(f.hostPort, crypto.randomBytes(50000)).then(() => 'no error', (e) => e.code);
    assert.is(err, 'ECONNRESET');
  } finally {
    await h.done();
  }
});

test('the host closing abruptly destroys the device connection; stop() closes the listeners', async () => {
  const h = harness();
  const [f] = await h.fwd.listen([{ hostPort: 0, devicePort: 7 }], '127.0.0.1');
  await new Promise<void>((resolve) => {
    const s = net.connect({ port: f.hostPort, host: '127.0.0.1' }, () => {
      s.write('hello');
      setTimeout(() => { s.destroy(); resolve(); }, 30);
    });
  });
  await until(() => h.conns[0].closed && h.fwd.stats.active === 0);
  assert.ok(h.conns[0].closed);
  assert.is(h.fwd.stats.active, 0);
  await h.done();
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect({ port: f.hostPort, host: '127.0.0.1' });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code || ''));
    s.on('connect', () => { s.destroy(); resolve('connected'); });
  });
  assert.is(refused, 'ECONNREFUSED');
});

test('a port in use is reported plainly and nothing stays open', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  const h = harness();
  try {
    const err = await h.fwd.listen([{ hostPort: 0, devicePort: 7 }, { hostPort: port, devicePort: 80 }], '127.0.0.1').then(() => '', (e: Error) => e.message);
    assert.match(err, /in use/);
    assert.match(err, String(port));
  } finally {
    await h.done();
    blocker.close();
  }
});

test.run();
