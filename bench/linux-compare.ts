// Our device against the Linux kernel on the same impaired link (root only).
//
//   namespace C (client: curl) ── TAP a ══ VirtualWire 1 ══ our Stack + HTTP app (in this process)
//                              └─ TAP c ══ VirtualWire 2 ══ TAP s ── namespace S: Linux HTTP server
//
// Both wires carry the same seeded impairments (loss, delay, rate limit) and the same window clamp: the
// relay rewrites the receive window in every TCP segment from the client to at most W bytes (fixing the
// checksum, RFC 1624) — a route `window` metric alone was seen NOT to limit what the kernel advertises
// (it only made the client choose window scale 0) — and our device's buffers are W bytes, so both
// servers may have at most W bytes in flight. curl fetches /bytes/N from each in turn; the ratio of goodputs is
// the result. This process holds the TAPs (hal/sim/tap-bridge.ts); the Linux path crosses two, ours one. Everything is bounded in time; namespaces and TAPs are deleted at the end.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { Netns, createTap, cleanup, uniqueSuffix, isRoot, stopChild } from '../tools/netns';
import { TapBridge } from '../hal/sim/tap-bridge';
import { VirtualWire, WireImpairments } from '../hal/sim/virtual-wire';
import { WireFrameDevice } from '../hal/sim/wire-frame-device';
import { RealClock } from '../hal/sim/virtual-clock';
import { SeededRandom } from '../hal/sim/random';
import { Stack } from '../tcp/stack';
import { SimLoop } from '../tools/sim/event-loop';
import { parseIpv4Address } from '../tcp/wire/ipv4-address';
import { startHttp, DeviceStatus } from '../firmware/apps/http-app';

export interface LinuxCompareOptions {
  bytes: number;
  /** Fetches of each server, alternating ours / Linux (the ratio uses the totals). */
  rounds: number;
  window: number;
  impairments: WireImpairments;
  timeoutMs: number;
}

export const LINUX_COMPARE_DEFAULTS: LinuxCompareOptions = {
  bytes: 2_000_000,
  rounds: 5,
  window: 8192,
  impairments: { loss: 0.01, delayMs: 5, bitsPerSecond: 10_000_000, queueLimit: 256, seed: 77 },
  timeoutMs: 90_000,
};

/** The same with reordering and no loss: 2 % of the frames each way held back 20 ms (two round trips). */
export const LINUX_COMPARE_REORDERING: LinuxCompareOptions = {
  ...LINUX_COMPARE_DEFAULTS,
  impairments: { ...LINUX_COMPARE_DEFAULTS.impairments, loss: 0, reorder: 0.02, reorderMs: 20 },
};

export interface Fetch {
  server: string;
  httpCode: number;
  bytes: number;
  seconds: number;
  goodputBps: number;
  framesLost: number;
}

export interface LinuxCompareResult {
  skipped?: string;
  options?: LinuxCompareOptions;
  /** Every timed fetch, in the order made. */
  fetches?: Fetch[];
  /** Totals over the rounds: bytes ÷ seconds of all fetches of one server. */
  ours?: Fetch;
  linux?: Fetch;
  /** ours / linux goodput (totals). */
  ratio?: number;
  /** How our stack recovered, over every fetch (Stack.counters().tcp). */
  ourRecovery?: { fastRetransmits: number; sackRetransmits: number; timeouts: number; lossProbes: number; recoveriesUndone: number };
}

function which(cmd: string): boolean {
  try { execFileSync('sh', ['-c', 'command -v ' + cmd], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Why the comparison cannot run here, or null. */
export function linuxCompareProblem(): string | null {
  if (!isRoot) return 'needs root (network namespaces and TAP devices)';
  if (!fs.existsSync('/dev/net/tun')) return '/dev/net/tun is missing (no TUN/TAP support)';
  for (const c of ['ip', 'curl', 'python3']) if (!which(c)) return 'the command "' + c + '" is missing';
  return null;
}

/**
 * Limits the TCP receive window of an Ethernet/IPv4 frame to `clamp` bytes (the field, shifted by the
 * window scale the sender announced in its SYN, recorded per source port in `shifts`). Returns a copy
 * when it changed something. RFC 1624 eqn. 3 updates the checksum: HC' = ~(~HC + ~m + m').
 */
export function clampWindow(frame: Uint8Array, clamp: number, shifts: { [port: number]: number }): Uint8Array {
  if (frame.length < 54 || frame[12] !== 8 || frame[13] !== 0 || frame[23] !== 6) return frame;
  const t = 14 + (frame[14] & 15) * 4;
  if (frame.length < t + 20) return frame;
  const srcPort = (frame[t] << 8) | frame[t + 1];
  const flags = frame[t + 13];
  if (flags & 2) {
    // SYN: remember the window scale (option 3), RFC 7323 §2.2; the SYN's own window is never scaled.
    let shift = 0;
    const end = t + ((frame[t + 12] >> 4) * 4);
    for (let i = t + 20; i < end && i < frame.length;) {
      const k = frame[i];
      if (k === 0) break;
      if (k === 1) { i++; continue; }
      if (k === 3) shift = frame[i + 2];
      i += frame[i + 1] || 1;
    }
    shifts[srcPort] = shift;
  }
  const shift = flags & 2 ? 0 : shifts[srcPort] || 0;
  const old = (frame[t + 14] << 8) | frame[t + 15];
  const limit = Math.max(1, clamp >> shift);
  if (old <= limit) return frame;
  const out = new Uint8Array(frame);
  out[t + 14] = limit >> 8;
  out[t + 15] = limit & 255;
  const hc = (out[t + 16] << 8) | out[t + 17];
  let sum = (~hc & 0xffff) + (~old & 0xffff) + limit;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const nc = ~sum & 0xffff;
  out[t + 16] = nc >> 8;
  out[t + 17] = nc & 255;
  return out;
}

/** Makes everything sent into `port` (from the client's TAP) pass through clampWindow. */
function clampPort(port: { send(f: Uint8Array): void }, clamp: number): { clamped: number } {
  const shifts: { [port: number]: number } = {};
  const send = port.send.bind(port);
  const stat = { clamped: 0 };
  port.send = (f: Uint8Array): void => {
    const g = clampWindow(f, clamp, shifts);
    if (g !== f) stat.clamped++;
    send(g);
  };
  return stat;
}

function status(): DeviceStatus {
  return { board: 'bench', chip: 'none', uptimeMs: 0, address: '', gateway: '', mac: '', dhcp: false, link: true,
    connections: 0, counters: {}, memory: null, internalErrors: 0, lastInternalError: '', appErrors: 0, lastAppError: '' };
}

function parseCurl(server: string, out: string, lost: number): Fetch {
  // -w '%{http_code} %{size_download} %{time_total}'
  const [code, size, total] = out.trim().split(/\s+/).map(Number);
  return { server, httpCode: code || 0, bytes: size || 0, seconds: total || 0,
    goodputBps: total > 0 ? Math.round(size / total) : 0, framesLost: lost };
}

export async function runLinuxCompare(o: LinuxCompareOptions = LINUX_COMPARE_DEFAULTS,
  log: (s: string) => void = () => undefined): Promise<LinuxCompareResult> {
  const problem = linuxCompareProblem();
  if (problem) return { skipped: problem };
  const sfx = uniqueSuffix();
  const tapA = 'etcpip-' + sfx + 'a';
  const tapC = 'etcpip-' + sfx + 'c';
  const tapS = 'etcpip-' + sfx + 's';
  const clock = new RealClock();
  const wire1 = new VirtualWire(clock, o.impairments);
  const wire2 = new VirtualWire(clock, o.impairments);
  const bridges: TapBridge[] = [];
  let nsC: Netns | null = null;
  let nsS: Netns | null = null;
  const stack = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0x50, 1, 2]), wire1.a),
    random: new SeededRandom(21),
    ipv4: { address: parseIpv4Address('10.80.1.2') as number, prefixLength: 24 },
    tcp: { rxBytes: o.window, txBytes: o.window },
  });
  startHttp(stack, status, { port: 80, maxBytes: o.bytes }); // its connections take the stack's o.window buffers
  // The SimLoop keeps the wires' 5 ms to a fraction of a millisecond: Node's timers count whole
  // milliseconds, and the plain setTimeout loop this replaced added up to 1 ms at every wire crossing
  // (and 1 ms to every kick: setTimeout(…, 0) is 1 ms), for both servers alike.
  let loopError: unknown = null;
  const loop = new SimLoop(clock, {
    step: (now) => {
      wire1.deliverDue();
      wire2.deliverDue();
      return Math.min(stack.poll(now), wire1.nextDeliveryMs(), wire2.nextDeliveryMs());
    },
    busy: () => wire1.a.pending() > 0,
    onError: (err) => { loopError = err; },
  });
  const kick = (): void => loop.kick();
  try {
    nsC = Netns.create('bc' + sfx);
    nsS = Netns.create('bs' + sfx);
    for (const t of [tapA, tapC, tapS]) createTap(t);
    bridges.push(await TapBridge.open({ name: tapA, port: wire1.b, onFrame: kick }));
    bridges.push(await TapBridge.open({ name: tapC, port: wire2.b, onFrame: kick }));
    bridges.push(await TapBridge.open({ name: tapS, port: wire2.a, onFrame: kick }));
    nsC.adoptTap(tapA, '10.80.1.1/24');
    nsC.adoptTap(tapC, '10.80.2.1/24');
    nsS.adoptTap(tapS, '10.80.2.2/24');
    // The same window clamp for both paths, applied by the relay to what the client advertises.
    clampPort(wire1.b, o.window);
    clampPort(wire2.b, o.window);
    loop.start();
    const server = nsS.spawn('python3', [path.join(__dirname, 'linux-bytes-server.py'), '80']);
    let serverOut = '';
    server.stdout!.on('data', (b: Buffer) => { serverOut += b.toString(); });
    const t0 = Date.now();
    while (serverOut.indexOf('LISTENING') < 0 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    if (serverOut.indexOf('LISTENING') < 0) throw new Error('the Linux HTTP server did not start');
    const fetch = async (url: string, name: string, wire: VirtualWire): Promise<Fetch> => {
      const lost0 = wire.counters.lost;
      log('  fetching ' + url + ' (' + name + ') ...');
      const r = await nsC!.exec('curl', ['-s', '-o', '/dev/null', '--max-time', String(Math.round(o.timeoutMs / 1000)),
        '-w', '%{http_code} %{size_download} %{time_total}', url], o.timeoutMs + 5000);
      return parseCurl(name, r.stdout, wire.counters.lost - lost0);
    };
    // Warm both paths (ARP, the servers' first connection) with a small fetch each, then measure.
    await fetch('http://10.80.1.2/bytes/1000', 'ours', wire1);
    await fetch('http://10.80.2.2/bytes/1000', 'linux', wire2);
    const fetches: Fetch[] = [];
    for (let i = 0; i < o.rounds; i++) {
      fetches.push(await fetch('http://10.80.1.2/bytes/' + o.bytes, 'ours (TypeScript stack)', wire1));
      fetches.push(await fetch('http://10.80.2.2/bytes/' + o.bytes, 'linux (kernel TCP, python http.server)', wire2));
    }
    await stopChild(server);
    if (loopError) throw loopError;
    const total = (name: string): Fetch => {
      const fs_ = fetches.filter((f) => f.server === name);
      const t: Fetch = { server: name + ', total of ' + fs_.length, httpCode: fs_.every((f) => f.httpCode === 200) ? 200 : 0,
        bytes: 0, seconds: 0, goodputBps: 0, framesLost: 0 };
      for (const f of fs_) { t.bytes += f.bytes; t.seconds += f.seconds; t.framesLost += f.framesLost; }
      t.goodputBps = t.seconds > 0 ? Math.round(t.bytes / t.seconds) : 0;
      return t;
    };
    const ours = total('ours (TypeScript stack)');
    const linux = total('linux (kernel TCP, python http.server)');
    const c = stack.counters().tcp;
    return { options: o, fetches, ours, linux, ratio: linux.goodputBps > 0 ? Math.round(ours.goodputBps / linux.goodputBps * 1000) / 1000 : 0,
      ourRecovery: { fastRetransmits: c.fastRetransmits, sackRetransmits: c.sackRetransmits, timeouts: c.retransmits,
        lossProbes: c.lossProbes, recoveriesUndone: c.recoveriesUndone } };
  } finally {
    loop.stop();
    for (const b of bridges) await b.stop();
    if (nsC) nsC.destroy();
    if (nsS) nsS.destroy();
    cleanup();
  }
}
