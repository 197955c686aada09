// Slow clients cannot starve the others, on every preset (a Pico's 2 connection slots, a WiFi's 4, …).
// From one attacking host, 64 connections, opened at 32 per second and reopened when the device drops them (as
// slowhttptest keeps its count), for 30 s of virtual time:
//   - slowloris: a request head never finished, a header line every 5 s;
//   - slow body: a POST head with Content-Length 100000, then 3 bytes every 5 s;
//   - slow read: GET /bytes/1000000 read 512 bytes at a time every 5 s (a tiny window);
//   on an echo-only preset (pico): a byte every 5 s, and 32 KB sent but read only every 5 s.
// Meanwhile, from another host, a fresh GET / and a fresh echo connection start every 500 ms; at least
// 90 % of each must be answered whole within 10 s. The device keeps working connections; it gives up the
// slots of clients that only wait or trickle, and of a host that holds more slots than the newcomer
// (firmware/http/server.ts and firmware/apps/echo.ts mark them, tcp/tcp/tcp.ts makeRoom ends them for
// peers that completed a handshake).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TcpSocketApi } from '../../tcp/socket-api';
import { deviceSim, DeviceSim, probeHttp, probeEcho, served, Probe } from '../helpers/device-sim';

type Attack = 'slowloris' | 'slow body' | 'slow read';

const ATTACKERS = 64;
const OPEN_PER_SECOND = 32;
const TRICKLE_MS = 5000;
const ATTACK_MS = 30000;
const PROBE_EVERY_MS = 500;
const SERVED_WITHIN_MS = 10000;

interface Attacker { sock: TcpSocketApi | null; nextAt: number }

/** Opens (and reopens) `ATTACKERS` connections of `attack` against `port`, trickling every TRICKLE_MS. */
function attackers(sim: DeviceSim, attack: Attack, port: number, http: boolean): { tick(now: number): void; opened: number } {
  const list: Attacker[] = [];
  for (let i = 0; i < ATTACKERS; i++) list.push({ sock: null, nextAt: 0 });
  const state = { opened: 0, lastOpenAt: -Infinity };
  const open = (a: Attacker, now: number): void => {
    const s = sim.attack(port, { rxBytes: 512, txBytes: 40000 });
    state.opened++;
    state.lastOpenAt = now;
    a.sock = s;
    a.nextAt = now + TRICKLE_MS;
    s.on('connect', () => {
      if (attack === 'slowloris') s.write(http ? 'GET / HTTP/1.1\r\nHost: device\r\n' : 'a');
      else if (attack === 'slow body') s.write(http ? 'POST /echo HTTP/1.1\r\nHost: device\r\nContent-Length: 100000\r\n\r\n' : 'abc');
      else {
        s.pause(); // read nothing until the next trickle
        s.write(http ? 'GET /bytes/1000000 HTTP/1.1\r\nHost: device\r\n\r\n' : new Uint8Array(32768));
      }
    });
    s.on('data', () => { /* read (when not paused) and dropped */ });
    s.on('error', () => { /* the device dropped us: reopen */ });
    s.on('close', () => { if (a.sock === s) a.sock = null; });
  };
  return {
    get opened() { return state.opened; },
    tick(now: number): void {
      for (const a of list) {
        if (a.sock === null) {
          // Open (or reopen) at most OPEN_PER_SECOND.
          if (now - state.lastOpenAt >= 1000 / OPEN_PER_SECOND) open(a, now);
        } else if (now >= a.nextAt) {
          a.nextAt = now + TRICKLE_MS;
          const s = a.sock;
          if (attack === 'slowloris') s.write(http ? 'X-a: b\r\n' : 'a');
          else if (attack === 'slow body') s.write('abc');
          else { s.resume(); s.pause(); } // take what the buffer holds, then stop again
        }
      }
    },
  };
}

function underAttack(preset: string, attack: Attack): void {
  const sim = deviceSim(preset, 'none');
  const apps = sim.config.apps;
  const http = apps.httpPort > 0;
  const target = http ? apps.httpPort : apps.echoPort;
  const atk = attackers(sim, attack, target, http);
  const gets: Probe[] = [];
  const echoes: Probe[] = [];
  const start = sim.clock.nowMs();
  let nextProbe = start + 2000; // the attack first fills every slot
  while (sim.clock.nowMs() - start < ATTACK_MS) {
    const now = sim.clock.nowMs();
    atk.tick(now);
    if (now >= nextProbe && now - start < ATTACK_MS - SERVED_WITHIN_MS) {
      nextProbe += PROBE_EVERY_MS;
      if (http) gets.push(probeHttp(sim, apps.httpPort));
      if (apps.echoPort) echoes.push(probeEcho(sim, apps.echoPort));
    }
    sim.run(10);
  }
  const c = sim.device.stack.tcp.counters;
  const info = preset + ' ' + attack + ': attackers opened ' + atk.opened + ', evicted ' + c.evicted + ', cookies ' + c.synCookiesSent +
    '/' + c.synCookiesValid + ', synDropped ' + c.synDropped + ', max ' + sim.config.buffers.maxConnections + ' connections';
  if (http) {
    const g = served(gets, SERVED_WITHIN_MS);
    assert.ok(g.ratio >= 0.9, 'GET / served ' + Math.round(g.ratio * 100) + ' % (' + gets.length + '): ' + info + '; ' + g.failures.join('; '));
  }
  const e = served(echoes, SERVED_WITHIN_MS);
  assert.ok(e.ratio >= 0.9, 'echo served ' + Math.round(e.ratio * 100) + ' % (' + echoes.length + '): ' + info + '; ' + e.failures.join('; '));
  assert.ok(atk.opened >= ATTACKERS, 'the attack ran: ' + info);
  assert.is(sim.device.stack.iface.counters['internal-errors'], 0);
  console.log('  ' + info + (http ? '; GET / ' + Math.round(served(gets, SERVED_WITHIN_MS).ratio * 100) + ' %' : '') +
    '; echo ' + Math.round(e.ratio * 100) + ' %');
}

for (const preset of ['pico', 'wifi', 'esp32', 'sim']) {
  for (const attack of ['slowloris', 'slow body', 'slow read'] as Attack[]) {
    test(preset + ': ' + attack + ' from 64 connections leaves ≥ 90 % of fresh requests served', () => {
      underAttack(preset, attack);
    });
  }
}

test.run();
