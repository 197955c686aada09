// The runner's plumbing (startSimulator: wire, real-clock loop, forwards, pcap, TAP wake-ups, stop and
// fatal errors) with stand-in parts: a "device" that reflects every frame back, and a "peer" whose
// sockets carry their bytes as raw frames over the wire. The real parts are tested in the other files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'net';
import * as crypto from 'crypto';
import { Emitter } from '../../tcp/events';
import { TcpSocketApi } from '../../tcp/socket-api';
import { WirePort } from '../../hal/sim/virtual-wire';
import { defaultSimOptions, SimOptions } from '../../tools/sim/options';
import { DevicePart, PcapPart, PeerPart, SimParts, TapPart } from '../../tools/sim/parts';
import { startSimulator } from '../../tools/sim/simulator';

/** A socket whose bytes go out as frames [0xee, id, ...data] and come back reflected. */
class FrameSocket extends Emitter implements TcpSocketApi {
  remoteAddress = '10.0.0.2'; remotePort = 7; localAddress = '10.0.0.1'; localPort = 1;
  bufferedAmount = 0;
  paused = false;
  constructor(readonly id: number, private readonly port: WirePort) { super(); }
  write(data: Uint8Array | string): boolean {
    const d = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'latin1')) : data;
    for (let off = 0; off < d.length; off += 1000) {
      const chunk = d.subarray(off, Math.min(d.length, off + 1000));
      const f = new Uint8Array(2 + chunk.length);
      f[0] = 0xee; f[1] = this.id; f.set(chunk, 2);
      this.port.send(f);
    }
    return true;
  }
  end(): void { this.port.send(new Uint8Array([0xef, this.id])); }
  destroy(): void { this.emit('close', false); }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
  setNoDelay(): this { return this; }
  setTimeout(): this { return this; }
  setKeepAlive(): this { return this; }
  setEvictable(): void { /* no slots to free here */ }
}

function fakeParts(record: { pcapFrames: number; pcapClosed: boolean; deviceStopped: boolean; throwAfter?: number; tapFrames?: (f: Uint8Array) => void }): SimParts {
  return {
    createDevice: (o): DevicePart => {
      let polls = 0;
      let reflected = 0;
      return {
        poll: () => {
          if (record.throwAfter !== undefined && ++polls > record.throwAfter) throw new Error('firmware bug');
          for (let f = o.port.take(); f; f = o.port.take()) { o.port.send(f); reflected++; }
          return Infinity;
        },
        busy: () => false,
        address: () => ({ address: o.ip ? o.ip.address : 0, prefix: 24, gateway: 0 }),
        counters: () => ({ segmentsIn: reflected, segmentsOut: reflected, retransmits: 0, drops: 0, connections: 0, accepted: 0 }),
        details: () => ({ fake: { reflected } }),
        stop: () => { record.deviceStopped = true; },
      };
    },
    createPeer: (o): PeerPart => {
      const socks: FrameSocket[] = [];
      const held: Uint8Array[] = [];
      return {
        poll: () => {
          for (let f = o.port.take(); f; f = o.port.take()) held.push(f);
          while (held.length) {
            const f = held[0];
            const s = socks[f[1]];
            if (s.paused) break;
            held.shift();
            if (f[0] === 0xee) s.emit('data', f.subarray(2));
            else { s.emit('end'); s.emit('close', false); }
          }
          return Infinity;
        },
        busy: () => false,
        connect: (_host, port) => {
          const s = new FrameSocket(socks.length, o.port);
          s.remotePort = port;
          socks.push(s);
          setImmediate(() => s.emit('connect'));
          return s;
        },
        stop: () => undefined,
      };
    },
    openTap: async (o): Promise<TapPart> => {
      // Frames "from the kernel", put on the wire and announced as the TAP part does (parts.ts TapPart).
      record.tapFrames = (f) => { o.port.send(f); o.onFrame(); };
      return { busy: () => false, stop: async () => undefined };
    },
    openPcap: (): PcapPart => ({
      record: () => { record.pcapFrames++; },
      close: async () => { record.pcapClosed = true; },
    }),
  };
}

const opts = (o: Partial<SimOptions>): Partial<SimOptions> => Object.assign(defaultSimOptions(), { status: 'off' }, o);

function echo(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => s.end(data));
    const t = setTimeout(() => { s.destroy(); reject(new Error('timeout')); }, 10000);
    s.on('data', (b: Buffer) => got.push(b));
    s.on('error', reject);
    s.on('close', () => { clearTimeout(t); resolve(Buffer.concat(got)); });
  });
}

test('virtual link: forwarded bytes cross the wire both ways on the real-clock loop; pcap sees every frame; stop() closes all', async () => {
  const rec = { pcapFrames: 0, pcapClosed: false, deviceStopped: false };
  const sim = await startSimulator(opts({ forwards: [{ hostPort: 0, devicePort: 7 }], pcap: '/unused.pcap' }), {}, fakeParts(rec));
  try {
    assert.is(sim.deviceAddress(), '10.0.0.2');
    assert.is(sim.forwards.length, 1);
    assert.match(sim.forwards[0].url, /^127\.0\.0\.1:\d+$/);
    const data = crypto.randomBytes(200000);
    const got = await echo(sim.forwards[0].hostPort, data);
    assert.ok(got.equals(data), 'byte-exact');
    const s = sim.stats();
    assert.is(s.forwardTotal, 1);
    assert.is(s.bytesToDevice, data.length);
    assert.is(s.bytesFromDevice, data.length);
    assert.is(rec.pcapFrames, sim.wire.counters.sent);
    assert.ok(s.wireFrames >= 2 * 200, 'frames went both ways: ' + s.wireFrames);
  } finally {
    await sim.stop();
  }
  assert.ok(rec.pcapClosed && rec.deviceStopped);
  await sim.stop(); // twice is harmless
  const refused = await new Promise<string>((resolve) => {
    const c = net.connect({ port: sim.forwards[0].hostPort, host: '127.0.0.1' });
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code || ''));
    c.on('connect', () => { c.destroy(); resolve('connected'); });
  });
  assert.is(refused, 'ECONNREFUSED');
});

test('tap link: a frame arriving from the TAP side wakes the sleeping loop and the device answers', async () => {
  const rec: { pcapFrames: number; pcapClosed: boolean; deviceStopped: boolean; tapFrames?: (f: Uint8Array) => void } =
    { pcapFrames: 0, pcapClosed: false, deviceStopped: false };
  const sim = await startSimulator(opts({ link: { kind: 'tap', name: 'etcpip-fake' }, forwards: [] }), {}, fakeParts(rec));
  try {
    assert.is(sim.forwards.length, 0);
    await new Promise((r) => setTimeout(r, 50)); // the loop is asleep now (nothing due)
    let f: Uint8Array | null = null;
    sim.wire.b.onFrame = (x) => { f = x; };
    (rec.tapFrames as (f: Uint8Array) => void)(new Uint8Array([1, 2, 3, 4]));
    // Answered inside the call (the loop's runNow), not at its next wake-up on a timer.
    assert.ok(f, 'the device reflected the frame within the call');
    assert.equal(Array.from(f as unknown as Uint8Array), [1, 2, 3, 4]);
  } finally {
    await sim.stop();
  }
});

test('an exception escaping the firmware stops the loop and is reported, not swallowed', async () => {
  const rec = { pcapFrames: 0, pcapClosed: false, deviceStopped: false, throwAfter: 3 };
  let fatal: unknown = null;
  const sim = await startSimulator(opts({ forwards: [{ hostPort: 0, devicePort: 7 }] }), { onFatal: (e) => { fatal = e; } }, fakeParts(rec));
  try {
    await echo(sim.forwards[0].hostPort, Buffer.from('x')).catch(() => undefined);
    for (let i = 0; i < 100 && !fatal; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(fatal, 'onFatal called');
    assert.is((sim.errors[0] as Error).message, 'firmware bug');
  } finally {
    await sim.stop();
  }
});

test('a failing part at start leaves nothing running (the forward port is free again)', async () => {
  const rec = { pcapFrames: 0, pcapClosed: false, deviceStopped: false };
  const parts = fakeParts(rec);
  parts.openTap = async () => { throw new Error('TAP device etcpip-x does not exist'); };
  const err = await startSimulator(opts({ link: { kind: 'tap', name: 'etcpip-x' }, forwards: [] }), {}, parts).then(() => '', (e: Error) => e.message);
  assert.match(err, /does not exist/);
  assert.ok(rec.deviceStopped, 'the device part was stopped');
});

test.run();
