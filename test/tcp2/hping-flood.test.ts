// Interop under attack (issue 6): the kernel's `hping3` floods our listener with SYNs from random
// source addresses while the kernel's `curl` keeps fetching from it. Every fetch must succeed, and the
// connection table and half-open backlog stay bounded (SYN cookies answer once the backlog is full).
// Root only; the flood is bounded in count (-c) and time (process timeout), inside its own namespace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { needRoot, cleanup } from '../helpers/netns';
import { startStackRig, StackRig, TCP2_MAC } from '../helpers/kernel-rig';
import { TcpSocket } from '../../tcp/tcp/socket';
import * as path from 'path';

const PEER_PY = path.join(__dirname, '..', 'tcp', 'fixtures', 'kernel-peer.py');

const KERNEL = '10.78.2.1';
const OURS = '10.78.2.2';
const FLOOD_SYNS = 10000;
const BODY = 'hello from the device';

function httpServer(rig: StackRig): { served: number } {
  const st = { served: 0 };
  rig.stack.createServer(80, (s: TcpSocket) => {
    let req = '';
    s.on('data', (d: Uint8Array) => {
      req += String.fromCharCode.apply(null, Array.prototype.slice.call(d) as number[]);
      if (req.indexOf('\r\n\r\n') >= 0) {
        s.end('HTTP/1.0 200 OK\r\nContent-Length: ' + BODY.length + '\r\nConnection: close\r\n\r\n' + BODY);
        st.served++;
      }
    });
    s.on('error', () => { /* counted by the stack */ });
  });
  return st;
}

test('hping3 SYN flood from random sources while curl keeps fetching: every fetch succeeds, memory bounded', async () => {
  if (!needRoot('hping3 SYN flood against our server over a TAP')) return;
  let rig: StackRig | null = null;
  try {
    rig = await startStackRig({ nsPrefix: 'tcp2', kernelIp: KERNEL, ourIp: OURS, mac: TCP2_MAC, seed: 11,
      impairments: {}, tcp: { backlog: 4, maxConnections: 8 }, gateway: KERNEL });
    const r = rig;
    const server = httpServer(r);
    let maxSockets = 0;
    let maxHalfOpen = 0;
    const sample = setInterval(() => {
      maxSockets = Math.max(maxSockets, r.stack.tcp.sockets.length);
      for (const l of r.stack.tcp.listeners) maxHalfOpen = Math.max(maxHalfOpen, l.halfOpen);
    }, 5);
    // A first fetch before the flood: the path works.
    const first = await r.ns.exec('curl', ['-s', '-m', '5', 'http://' + OURS + '/'], 10000);
    assert.is(first.stdout, BODY, 'fetch before the flood: ' + first.stderr);
    let fetches = 0;
    let duringFlood = 0;
    let floods = 0;
    let floodTimedOut = false;
    const failures: string[] = [];
    // Under the flood the wire's receive queue overflows now and then (counted in queueDrops: our
    // process polls on a real clock on a shared machine), and a dropped frame of a fetch comes back only
    // by a retransmission timer that doubles at each try (the kernel's SYN: after 1 s, then 2 s more).
    // With 5 s, one fetch in a CI run failed (curl code 28 after its request was served, 3,012 frames
    // dropped by the queue in that run); a fetch gets 15 s. Such a wait also leaves fewer fetches inside
    // one flood (4 in a CI run on 2026-12-08), so the flood is run again, whole, until five fetches have
    // overlapped one (at most three floods).
    while (duringFlood < 5 && floods < 3) {
      // The flood: 10,000 SYNs at 2,000 per second from random sources, in the background.
      floods++;
      const flood = r.ns.exec('hping3', ['-q', '-S', '-p', '80', '--rand-source', '-i', 'u500', '-c', String(FLOOD_SYNS),
        '-I', r.tap, OURS], 60000);
      let flooding = true;
      void flood.then(() => { flooding = false; });
      for (let i = 0; i < 200 && flooding; i++) {
        const res = await r.ns.exec('curl', ['-s', '-m', '15', 'http://' + OURS + '/'], 20000);
        fetches++;
        if (flooding) duringFlood++;
        if (res.stdout !== BODY) failures.push('fetch ' + fetches + ': code ' + res.code + ' ' + res.stdout + res.stderr);
      }
      if ((await flood).timedOut) floodTimedOut = true;
    }
    clearInterval(sample);
    assert.not.ok(floodTimedOut, 'hping3 finished by itself');
    const c = r.stack.tcp.counters;
    const info = JSON.stringify({ floods, fetches, duringFlood, served: server.served, maxSockets, maxHalfOpen,
      cookiesSent: c.synCookiesSent, cookiesValid: c.synCookiesValid, passive: c.passiveOpens, rstQueueFull: c.rstQueueFull,
      wire: r.wire.counters });
    assert.equal(failures, [], info);
    assert.ok(duringFlood >= 5, 'fetches overlapped the flood: ' + info);
    assert.ok(c.synCookiesSent >= floods * FLOOD_SYNS / 2, 'the flood reached us and was answered with cookies: ' + info);
    assert.ok(maxSockets <= 8, 'connections bounded: ' + info);
    assert.ok(maxHalfOpen <= 4, 'half-open bounded: ' + info);
    // After the flood, one more fetch works too.
    const last = await r.ns.exec('curl', ['-s', '-m', '5', 'http://' + OURS + '/'], 10000);
    assert.is(last.stdout, BODY, 'fetch after the flood');
    console.log('  hping flood: ' + info);
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test('a 2 MB echo through a lossy TAP link keeps going byte-exact while hping3 floods the same port', async () => {
  if (!needRoot('transfer during a SYN flood over a TAP')) return;
  let rig: StackRig | null = null;
  try {
    rig = await startStackRig({ nsPrefix: 'tcp2', kernelIp: KERNEL, ourIp: OURS, mac: TCP2_MAC, seed: 11,
      impairments: { loss: 0.01, reorder: 0.01, reorderMs: 2, delayMs: 1, seed: 41 },
      tcp: { backlog: 4, maxConnections: 8, rxBytes: 16384, txBytes: 16384 }, gateway: KERNEL });
    const r = rig;
    let closed = 0;
    let maxSockets = 0;
    r.stack.createServer(5004, (s: TcpSocket) => {
      s.on('data', (d: Uint8Array) => { if (!s.write(new Uint8Array(d))) s.pause(); });
      s.on('drain', () => s.resume());
      s.on('end', () => s.end());
      s.on('close', () => { closed++; });
    });
    const sample = setInterval(() => { maxSockets = Math.max(maxSockets, r.stack.tcp.sockets.length); }, 5);
    let cookiesWhenClientDone = -1;
    const client = r.ns.exec('python3', [PEER_PY, 'client', OURS, '5004', String(2 * 1024 * 1024)], 90000)
      .then((x) => { cookiesWhenClientDone = r.stack.tcp.counters.synCookiesSent; return x; });
    const flood = await r.ns.exec('hping3', ['-q', '-S', '-p', '5004', '--rand-source', '-i', 'u500', '-c', String(FLOOD_SYNS),
      '-I', r.tap, OURS], 60000);
    const res = await client;
    clearInterval(sample);
    assert.not.ok(flood.timedOut, 'hping3 finished by itself');
    assert.is(res.stdout.trim(), 'OK', res.stdout + res.stderr + (res.timedOut ? ' (timed out)' : ''));
    await r.until(() => closed >= 1, 10000, 'our side to close');
    const c = r.stack.tcp.counters;
    assert.ok(c.synCookiesSent >= FLOOD_SYNS / 2, 'the flood reached the port: ' + c.synCookiesSent);
    assert.ok(maxSockets <= 8, 'connections bounded: ' + maxSockets);
    assert.ok(cookiesWhenClientDone >= 500, 'the transfer overlapped the flood: ' + cookiesWhenClientDone + ' cookies by its end');
    console.log('  echo during flood: cookies ' + c.synCookiesSent + ' (' + cookiesWhenClientDone + ' by the end of the transfer)' + ', max sockets ' + maxSockets + ', wire ' + JSON.stringify(r.wire.counters));
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test.run();
