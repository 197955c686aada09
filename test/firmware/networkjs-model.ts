// A model of how Espruino's socket server (libs/network/socketserver.c) drives a NetworkJS driver, so
// the driver can be tested in Node with unmodified Espruino-style `require("net")` programs:
// - every idle loop: accept() once per listening server; for each socket: recv(id, 536) then send()
//   of up to 536 buffered bytes; nothing is ever pushed by the driver;
// - recv: a string is data ("" = none yet); -1 = closed by the peer ('end', 'close'); other negatives
//   = errors ('error' {code}, then 'close'); anything else (a number ≥ 0, undefined) is a failure there,
//   which the model records in `violations` so tests can insist there are none;
// - send: a number 0..len of bytes taken (0 = try again next loop); negative = error;
// - a client socket emits 'connect' on the first loop in which its recv does not fail;
// - socket.end(): close(id) once the buffered data has been taken by send().
import { Emitter } from '../../tcp/events';

export interface NetworkJsDriverLike {
  create(host: string | undefined, port: number, type?: number, options?: unknown): number;
  close(id: number): void;
  accept(id: number): number;
  recv(id: number, maxLen: number, type?: number): unknown;
  send(id: number, data: string, type?: number): unknown;
}

export const CHUNK = 536;

export class ModelSocket extends Emitter {
  sendBuf = '';
  endAfterSend = false;
  closed = false;
  connected: boolean;
  constructor(readonly model: EspruinoNetModel, readonly id: number, readonly client: boolean) {
    super();
    this.connected = !client;
  }
  write(data: string): boolean {
    if (this.closed) return false;
    this.sendBuf += String(data);
    return true;
  }
  end(data?: string): void {
    if (data !== undefined) this.write(data);
    this.endAfterSend = true;
  }
  destroy(): void {
    this.model.closeSocket(this, false);
  }
}

interface ModelServer {
  id: number;
  onConnection: (s: ModelSocket) => void;
  closed: boolean;
}

export class EspruinoNetModel {
  violations: string[] = [];
  sockets: ModelSocket[] = [];
  servers: ModelServer[] = [];
  recvCalls = 0;

  constructor(readonly driver: NetworkJsDriverLike) {}

  /** What an Espruino program sees as require("net"). */
  net() {
    const model = this;
    return {
      createServer(onConnection: (s: ModelSocket) => void) {
        const srv: ModelServer = { id: -1, onConnection, closed: false };
        return {
          listen(port: number) {
            srv.id = model.driver.create(undefined, port, 0);
            if (srv.id < 0) throw new Error('Unable to create socket');
            model.servers.push(srv);
            return this;
          },
          close() {
            srv.closed = true;
            model.driver.close(srv.id);
          },
        };
      },
      connect(opts: { host: string; port: number }, onConnect?: () => void): ModelSocket {
        const id = model.driver.create(opts.host, opts.port, 0);
        if (id < 0) throw new Error('Unable to create socket');
        const s = new ModelSocket(model, id, true);
        if (onConnect) s.on('connect', onConnect);
        model.sockets.push(s);
        return s;
      },
    };
  }

  closeSocket(s: ModelSocket, remote: boolean): void {
    if (s.closed) return;
    s.closed = true;
    this.driver.close(s.id);
    if (remote) s.emit('end');
    s.emit('close');
  }

  /** One pass of Espruino's idle loop over the network. */
  loop(): void {
    for (const srv of this.servers) {
      if (srv.closed) continue;
      const id = this.driver.accept(srv.id);
      if (typeof id !== 'number') this.violations.push('accept returned ' + typeof id);
      else if (id >= 0) {
        const s = new ModelSocket(this, id, false);
        this.sockets.push(s);
        srv.onConnection(s);
      }
    }
    for (const s of this.sockets.slice()) {
      if (s.closed) continue;
      this.recvCalls++;
      const r = this.driver.recv(s.id, CHUNK, 0);
      if (typeof r === 'string') {
        if (r.length > CHUNK) this.violations.push('recv returned ' + r.length + ' > ' + CHUNK + ' chars');
        for (let i = 0; i < r.length; i++) {
          if (r.charCodeAt(i) > 255) {
            this.violations.push('recv returned a non-binary string');
            break;
          }
        }
        if (!s.connected) {
          s.connected = true;
          s.emit('connect');
        }
        if (r.length > 0) s.emit('data', r);
      } else if (typeof r === 'number' && r < 0) {
        if (r === -1) this.closeSocket(s, true);
        else {
          s.emit('error', { code: r, message: 'Socket error ' + r });
          this.closeSocket(s, false);
        }
        continue;
      } else {
        this.violations.push('recv returned ' + JSON.stringify(r) + ' (Espruino treats it as a failure)');
        this.closeSocket(s, false);
        continue;
      }
      if (s.closed) continue;
      if (s.sendBuf.length > 0 && s.connected) {
        const chunk = s.sendBuf.substring(0, CHUNK);
        const n = this.driver.send(s.id, chunk, 0);
        if (typeof n !== 'number' || Math.floor(n) !== n || n > chunk.length) {
          this.violations.push('send returned ' + JSON.stringify(n));
        } else if (n < 0) {
          s.emit('error', { code: n, message: 'Socket error ' + n });
          this.closeSocket(s, false);
          continue;
        } else {
          s.sendBuf = s.sendBuf.substring(n);
        }
      }
      if (s.endAfterSend && s.sendBuf.length === 0) this.closeSocket(s, false);
    }
    this.sockets = this.sockets.filter((x) => !x.closed);
  }
}
