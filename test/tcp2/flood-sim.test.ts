// SYN flood in the simulator (issue 6): two full stacks (Ethernet, ARP, IPv4, TCP) on a 10 Mbit/s
// virtual wire. An attacker on the client's side of the wire injects 10,000 SYNs from random source
// MAC and IPv4 addresses (half on the subnet, so the server must try ARP for them; half off it, with
// no route) while the client stack completes 100 HTTP-like requests, one after another. All 100 must
// succeed, and every table stays within its bound at every step: connections, half-open entries,
// TIME_WAIT entries, ARP cache and ARP wait queue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Stack } from '../../tcp/stack';
import { TcpSocket } from '../../tcp/tcp/socket';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WireImpairments } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';
import { emitEthernetHeader } from '../../tcp/wire/ethernet';
import { emitIpv4Header, newIpv4Repr } from '../../tcp/wire/ipv4';
import { emitTcp } from '../../tcp/wire/tcp';
import { newTcpRepr, TCP_SYN } from '../../tcp/wire/reprs';

const CLIENT_IP = parseIpv4Address('10.9.0.1') as number;
const SERVER_IP = parseIpv4Address('10.9.0.2') as number;
const SERVER_MAC = new Uint8Array([2, 0, 0, 0, 0, 2]);
const BODY = 'HTTP/1.0 200 OK\r\n\r\nhello';

/** Builds SYN frames from random sources to SERVER_IP:80. */
class Attacker {
  private readonly rnd = new SeededRandom(4242);
  private readonly ip = newIpv4Repr();
  private readonly tcp = newTcpRepr();
  private readonly mac = new Uint8Array(6);
  sent = 0;

  frame(): Uint8Array {
    const f = new Uint8Array(14 + 20 + 24);
    const r = this.rnd;
    this.mac[0] = 2; // locally administered unicast
    for (let i = 1; i < 6; i++) this.mac[i] = r.nextInt(256);
    const src = r.nextInt(2) === 0
      ? (CLIENT_IP & 0xffffff00) + 3 + r.nextInt(250) // on the subnet: the server will try ARP
      : (0x2c000000 + r.nextInt(1 << 24)) >>> 0;      // elsewhere: no route (no gateway configured)
    emitEthernetHeader(f, 0, SERVER_MAC, this.mac, 0x0800);
    const t = this.tcp;
    t.srcPort = 1024 + r.nextInt(60000);
    t.dstPort = 80;
    t.seq = r.nextU32();
    t.ack = 0;
    t.flags = TCP_SYN;
    t.window = 65535;
    t.mss = 1460;
    t.payloadLength = 0;
    const tl = emitTcp(t, f, 34, src >>> 0, SERVER_IP);
    const ip = this.ip;
    ip.src = src >>> 0;
    ip.dst = SERVER_IP;
    ip.protocol = 6;
    ip.id = this.sent & 0xffff;
    ip.payloadLength = tl;
    emitIpv4Header(ip, f, 14);
    this.sent++;
    return f.subarray(0, 34 + tl);
  }
}

function flood(imp: WireImpairments): void {
  const clock = new VirtualClock();
  const wire = new VirtualWire(clock, Object.assign({ delayMs: 1, bitsPerSecond: 10_000_000, queueLimit: 256, seed: 3 }, imp));
  const tcpCfg = { backlog: 4, maxConnections: 8, timeWaitSlots: 8 };
  const client = new Stack({
    device: new WireFrameDevice(new Uint8Array([2, 0, 0, 0, 0, 1]), wire.a),
    random: new SeededRandom(1), ipv4: { address: CLIENT_IP, prefixLength: 24 }, tcp: tcpCfg,
  });
  const server = new Stack({
    device: new WireFrameDevice(SERVER_MAC, wire.b),
    random: new SeededRandom(2), ipv4: { address: SERVER_IP, prefixLength: 24 }, tcp: tcpCfg,
  });
  let served = 0;
  server.createServer(80, (s: TcpSocket) => {
    s.on('data', () => { if (!s.closed) { s.end(BODY); served++; } });
    s.on('error', () => { /* counted */ });
  });

  const attacker = new Attacker();
  let started = 0;
  let completed = 0;
  const failures: string[] = [];
  let active: TcpSocket | null = null;
  const startRequest = (): void => {
    started++;
    const c = client.connect({ host: '10.9.0.2', port: 80 });
    let got = '';
    let errored = '';
    active = c;
    c.on('connect', () => { c.write('GET / HTTP/1.0\r\n\r\n'); });
    c.on('data', (d: Uint8Array) => { got += String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]); });
    c.on('end', () => c.end());
    c.on('error', (e: Error) => { errored = e.message; });
    c.on('close', () => {
      if (got === BODY && !errored) completed++;
      else failures.push('request ' + started + ': ' + JSON.stringify(got) + ' ' + errored);
      active = null;
    });
  };

  const max = { sockets: 0, halfOpen: 0, timeWait: 0, arpWaiting: 0, arpEntries: 0 };
  // TIME_WAIT entries: the compact table (tcp.timeWait.count()), or the older parallel arrays.
  const sv = server.tcp as unknown as { timeWait?: { count(): number }; twUntil?: number[] };
  const timeWaitCount = (): number => {
    if (sv.timeWait) return sv.timeWait.count();
    if (sv.twUntil) return sv.twUntil.length;
    throw new Error('cannot see the TIME_WAIT table');
  };
  const arp = (server.iface as unknown as { arp: { waiting: unknown[]; queueLimit: number; entries?: unknown[] } }).arp;
  let steps = 0;
  for (; steps < 2_000_000 && (completed + failures.length < 100 || attacker.sent < 10000); steps++) {
    if (!active && started < 100) startRequest();
    // The flood keeps pace with the requests: about 100 SYNs per request, 8 per step.
    for (let k = 0; k < 8 && attacker.sent < 10000 && attacker.sent < (started + 1) * 100; k++) wire.a.send(attacker.frame());
    const now = clock.nowMs();
    const t = Math.min(client.poll(now), server.poll(now), wire.nextDeliveryMs(), now + 1);
    clock.advanceTo(t > now ? t : now + 0.01);
    max.sockets = Math.max(max.sockets, server.tcp.sockets.length);
    for (const l of server.tcp.listeners) max.halfOpen = Math.max(max.halfOpen, l.halfOpen);
    max.timeWait = Math.max(max.timeWait, timeWaitCount());
    max.arpWaiting = Math.max(max.arpWaiting, arp.waiting.length);
    if (arp.entries) max.arpEntries = Math.max(max.arpEntries, arp.entries.length);
  }
  const c = server.tcp.counters;
  const info = JSON.stringify({ steps, virtualMs: Math.round(clock.nowMs()), started, completed, served, max,
    rx: c.rxSegments, cookiesSent: c.synCookiesSent, cookiesValid: c.synCookiesValid, synDropped: c.synDropped, rstQueueFull: c.rstQueueFull,
    txNoRoute: c.txNoRoute, arpQueueFull: (server.iface.counters as unknown as Record<string, number>)['arp-queue-full'],
    wire: wire.counters });
  assert.equal(failures, [], info);
  assert.is(completed, 100, info);
  assert.is(attacker.sent, 10000);
  assert.ok(max.sockets <= 8, 'connections bounded: ' + info);
  assert.ok(max.halfOpen <= 4, 'half-open bounded: ' + info);
  assert.ok(max.timeWait <= 8 && max.timeWait > 0, 'TIME_WAIT bounded (and used): ' + info);
  assert.ok(max.arpWaiting <= arp.queueLimit, 'ARP waits bounded: ' + info);
  // Every flood SYN reached the server's TCP; its answers (cookies once the backlog is full) find no
  // way back: off the subnet no route (txNoRoute); on it no ARP answer, so they wait in the bounded ARP
  // queue, which drops its oldest for each new one (arp-queue-full).
  assert.ok(c.rxSegments >= 9000, 'the flood reached TCP: ' + info);
  const arpDropped = (server.iface.counters as unknown as Record<string, number>)['arp-queue-full'] || 0;
  assert.ok(c.txNoRoute + arpDropped >= 8500, 'answers to the flood were attempted and dropped, counted: ' + info);
  assert.ok(c.synCookiesValid >= 90, 'the legitimate client got through on cookies: ' + info);
  console.log('  simulated flood: ' + info);
}

test('10,000 SYNs from random sources while the client completes 100 requests: all succeed, every table bounded', () => {
  flood({});
});

test('the same over a lossy, reordering wire (3 % loss, 2 % reordering each way)', () => {
  flood({ loss: 0.03, reorder: 0.02, reorderMs: 2, seed: 8 });
});

test.run();
