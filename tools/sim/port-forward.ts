// User-mode port forwarding into the simulated device, like QEMU's `hostfwd`: a Node TCP server on the
// host accepts a connection, opens a real TCP connection to the device through the host-side peer's
// own stack (so the device's TCP handles every segment), and relays the bytes both ways with
// backpressure: Node socket pause/resume ⇄ our socket write()/'drain' and pause()/resume().
// Half-close passes through (host FIN → our end(); device FIN → Node end()); a reset becomes a reset.
import * as net from 'net';
import { TcpSocketApi } from '../../tcp/socket-api';
import { ForwardRule } from './options';

export interface ForwardStats {
  active: number;
  total: number;
  bytesToDevice: number;
  bytesFromDevice: number;
  /** Connections that ended with an error on the device side (refused, reset, timed out). */
  errors: number;
}

export interface ForwarderDeps {
  /** Opens a TCP connection to the device's `port` through the peer stack. */
  connect(port: number): TcpSocketApi;
  /** Asks the simulation loop to run soon (data was queued for the peer stack). */
  kick(): void;
  /** A line for the log (connection errors), optional. */
  log?(line: string): void;
}

export interface ActiveForward {
  rule: ForwardRule;
  /** The port actually listened on (differs from rule.hostPort when that was 0). */
  hostPort: number;
}

interface Relay {
  sock: net.Socket;
  ts: TcpSocketApi | null;
  tsClosed: boolean;
  sockClosed: boolean;
}

export class PortForwarder {
  readonly stats: ForwardStats = { active: 0, total: 0, bytesToDevice: 0, bytesFromDevice: 0, errors: 0 };
  readonly forwards: ActiveForward[] = [];
  private servers: net.Server[] = [];
  private relays: Relay[] = [];
  private stopped = false;

  constructor(private readonly deps: ForwarderDeps) {}

  /** Listens on every rule; rejects (after closing what was opened) if a port cannot be bound. */
  async listen(rules: ForwardRule[], bindHost: string): Promise<ActiveForward[]> {
    try {
      for (const rule of rules) {
        const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) => this.accept(rule, sock));
        this.servers.push(server);
        await new Promise<void>((resolve, reject) => {
          const onError = (err: NodeJS.ErrnoException): void => {
            reject(new Error('cannot listen on ' + bindHost + ':' + rule.hostPort + ' for the forward to device port ' +
              rule.devicePort + ': ' + (err.code === 'EADDRINUSE' ? 'the port is in use (choose another: --forward HOST:' + rule.devicePort + ' instead of it, ' +
              rules.filter((r) => r !== rule).map((r) => '--forward ' + r.hostPort + ':' + r.devicePort).concat(['--no-forward']).join(' ') + ')' : err.message)));
          };
          server.once('error', onError);
          server.listen(rule.hostPort, bindHost, () => {
            server.off('error', onError);
            resolve();
          });
        });
        server.on('error', (err) => this.deps.log && this.deps.log('forward server error: ' + err.message));
        const addr = server.address() as net.AddressInfo;
        this.forwards.push({ rule, hostPort: addr.port });
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this.forwards;
  }

  private accept(rule: ForwardRule, sock: net.Socket): void {
    if (this.stopped) {
      sock.destroy();
      return;
    }
    this.stats.total++;
    this.stats.active++;
    const relay: Relay = { sock, ts: null, tsClosed: false, sockClosed: false };
    this.relays.push(relay);
    sock.setNoDelay(true);
    sock.on('error', () => { /* 'close' follows; the device side is torn down there */ });
    sock.on('close', () => {
      relay.sockClosed = true;
      if (relay.ts && !relay.tsClosed) {
        relay.ts.destroy();
        this.deps.kick();
      }
      this.finish(relay);
    });
    let ts: TcpSocketApi;
    try {
      ts = this.deps.connect(rule.devicePort);
    } catch (err) {
      this.stats.errors++;
      if (this.deps.log) this.deps.log('forward to device port ' + rule.devicePort + ' failed: ' + (err as Error).message);
      relay.tsClosed = true;
      sock.destroy();
      return;
    }
    relay.ts = ts;
    ts.setNoDelay(true);
    ts.on('connect', () => {
      if (!relay.sockClosed) sock.resume();
    });
    // Host → device.
    sock.on('data', (b: Buffer) => {
      this.stats.bytesToDevice += b.length;
      // A view, not a copy: the stack keeps a reference to what does not fit yet (socket-api.ts).
      if (!ts.write(new Uint8Array(b.buffer, b.byteOffset, b.length))) sock.pause();
      this.deps.kick();
    });
    ts.on('drain', () => {
      if (!relay.sockClosed) sock.resume();
    });
    sock.on('end', () => {
      if (!relay.tsClosed) ts.end();
      this.deps.kick();
    });
    // Device → host. The chunk is a view valid only during the callback: Buffer.from copies it.
    ts.on('data', (chunk: Uint8Array) => {
      this.stats.bytesFromDevice += chunk.length;
      if (relay.sockClosed) return;
      if (!sock.write(Buffer.from(chunk))) ts.pause();
    });
    sock.on('drain', () => {
      if (!relay.tsClosed) {
        ts.resume();
        this.deps.kick();
      }
    });
    ts.on('end', () => {
      if (!relay.sockClosed) sock.end();
    });
    ts.on('error', (err: Error) => {
      this.stats.errors++;
      if (this.deps.log) this.deps.log('forward to device port ' + rule.devicePort + ': ' + err.message);
    });
    ts.on('close', (hadError: boolean) => {
      relay.tsClosed = true;
      if (!relay.sockClosed) {
        if (hadError) {
          // Pass a reset on as a reset (Node ≥ 16.17), so the host client sees what the device did.
          const s = sock as net.Socket & { resetAndDestroy?: () => void };
          if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
          else sock.destroy();
        } else {
          sock.end();
        }
      }
      this.finish(relay);
    });
    this.deps.kick();
  }

  private finish(relay: Relay): void {
    if (!relay.sockClosed || !relay.tsClosed) return;
    const i = this.relays.indexOf(relay);
    if (i < 0) return;
    this.relays.splice(i, 1);
    this.stats.active--;
  }

  /** Closes the listening servers and every relayed connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.relays.slice()) {
      if (r.ts && !r.tsClosed) r.ts.destroy();
      r.tsClosed = true;
      r.sock.destroy();
    }
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
      if (!s.listening) return resolve();
      s.close(() => resolve());
    })));
  }
}
