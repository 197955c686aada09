// The connections every memory estimate opens (bench/device-cost.ts memoryEstimate,
// bench/memory-breakdown.ts, tools/model/board-memory.ts): one established echo connection and one idle
// keep-alive HTTP connection after a request, each driven until the device has answered and the ACKs
// have settled.
import { makePair, B_ADDR, Pair } from './pair';
import { TcpSocket } from '../../tcp/tcp/socket';
import { startHttp, DeviceStatus } from '../../firmware/apps/http-app';

/** A client side that can open connections (a Stack). */
interface Client {
  connect(o: { host: string; port: number }): { on(event: string, fn: (...args: any[]) => void): unknown; write(d: string): boolean }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
type Run = (done: () => boolean, maxSteps: number) => unknown;

/** Opens a connection to an echo server at host:port and waits until 5 bytes came back. */
export function openEchoConnection<T>(client: Client, host: string, port: number, run: Run): T {
  const c = client.connect({ host, port });
  let echoed = 0;
  c.on('connect', () => c.write('hello'));
  c.on('data', (d: Uint8Array) => { echoed += d.length; });
  run(() => echoed >= 5, 100000);
  run(() => false, 500); // let the ACKs settle
  return c as unknown as T;
}

/** Opens a keep-alive HTTP connection to host:port and waits until its one request was answered. */
export function openHttpConnection<T>(client: Client, host: string, port: number, run: Run): T {
  const h = client.connect({ host, port });
  let got = 0;
  h.on('connect', () => h.write('GET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n'));
  h.on('data', (d: Uint8Array) => { got += d.length; });
  run(() => got > 10, 100000);
  run(() => false, 500);
  return h as unknown as T;
}

function status(): DeviceStatus {
  return { board: 'bench', chip: 'none', uptimeMs: 0, address: '', gateway: '', mac: '', dhcp: false, link: true,
    connections: 0, counters: {}, memory: null, internalErrors: 0, lastInternalError: '', appErrors: 0, lastAppError: '' };
}

export interface Scenario {
  pair: Pair;
  /** What the device holds: its Stack (interface, TCP, their buffers) and the apps' objects. */
  root(): { stack: unknown; app: unknown; echo: unknown };
  exclude: unknown[];
  /** Opens one echo connection / one keep-alive HTTP connection (after one request). */
  openTcp(): TcpSocket;
  openHttp(): TcpSocket;
}

/** The stack-level scenario: a Stack with the HTTP app (port 80) and an echo server (port 7), warmed up. */
export function scenario(): Scenario {
  const p = makePair({}, 11);
  const app = startHttp(p.b, status, { port: 80 });
  const echo = p.b.createServer(7, (s: TcpSocket) => { s.on('data', (d: Uint8Array) => s.write(new Uint8Array(d))); });
  p.run(() => false, 50); // ARP-free warm state
  const run: Run = (done, max) => p.run(done, max);
  return {
    pair: p,
    root: () => ({ stack: p.b, app, echo }),
    exclude: [p.b.iface.device, p.b.iface.random],
    openTcp: () => openEchoConnection<TcpSocket>(p.a, B_ADDR, 7, run),
    openHttp: () => openHttpConnection<TcpSocket>(p.a, B_ADDR, 80, run),
  };
}
