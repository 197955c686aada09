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
// - require("http") uses the same calls with socket type 1 (ST_HTTP): the HTTP/1.0 framing is done by
//   Espruino itself (libs/network/http/jswrap_http.c), modelled in `http()` below; the driver only sees
//   the type argument and the bytes.
import { Emitter } from '../../tcp/events';

/** Errors of a failed create() reach the program on a later loop, as on Espruino. */
const later: Array<() => void> = [];
function setTimeoutish(fn: () => void): void {
  later.push(fn);
}

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
  constructor(readonly model: EspruinoNetModel, readonly id: number, readonly client: boolean, readonly type = 0) {
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
  type: number;
}

export const SOCKET_TYPE_HTTP = 1;

export class EspruinoNetModel {
  violations: string[] = [];
  sockets: ModelSocket[] = [];
  servers: ModelServer[] = [];
  recvCalls = 0;

  constructor(readonly driver: NetworkJsDriverLike) {}

  /** What createServer() returns: listen(port) asks the driver for a listening socket of the server's type. */
  serverHandle(srv: ModelServer) {
    const model = this;
    return {
      listen(port: number) {
        srv.id = model.driver.create(undefined, port, srv.type);
        if (srv.id < 0) throw new Error('Unable to create socket');
        model.servers.push(srv);
        return this;
      },
      close() {
        srv.closed = true;
        model.driver.close(srv.id);
      },
    };
  }

  /** What an Espruino program sees as require("net"). */
  net() {
    const model = this;
    return {
      createServer(onConnection: (s: ModelSocket) => void) {
        return model.serverHandle({ id: -1, onConnection, closed: false, type: 0 });
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

  /**
   * What an Espruino program sees as require("http"): HTTP/1.0, one request per connection.
   * Server: the head is collected up to the blank line; `req` has method, url, headers and emits the
   * body ('data', then 'end' at Content-Length or when the peer closes); `res.writeHead(status,
   * headers)`, `res.write`, `res.end` send "HTTP/1.0 <status> OK" and close after the body.
   * Client: `get(url | {host, port, path}, cb)` sends "GET <path> HTTP/1.0" with Host and
   * "Connection: close"; cb(res) gets statusCode and headers once the head is in, then the body as
   * 'data', and 'close' when the server closes.
   */
  http() {
    const model = this;
    const parseHead = (head: string) => {
      const lines = head.split('\r\n');
      const headers: { [name: string]: string } = {};
      for (let i = 1; i < lines.length; i++) {
        const c = lines[i].indexOf(':');
        if (c > 0) headers[lines[i].substring(0, c)] = lines[i].substring(c + 1).trim();
      }
      return { first: lines[0].split(' '), headers };
    };
    const contentLength = (headers: { [name: string]: string }): number => {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') return parseInt(headers[k], 10);
      return -1;
    };
    return {
      createServer(onRequest: (req: Emitter & { method: string; url: string; headers: object }, res: object) => void) {
        const srv: ModelServer = {
          id: -1, closed: false, type: SOCKET_TYPE_HTTP,
          onConnection(s: ModelSocket) {
            let buf = '';
            let req: (Emitter & { method: string; url: string; headers: object }) | null = null;
            let left = -1;
            const res = {
              headSent: false,
              writeHead(status: number, headers?: { [name: string]: string | number }) {
                let h = 'HTTP/1.0 ' + status + ' OK\r\n';
                for (const k of Object.keys(headers || {})) h += k + ': ' + (headers as { [k: string]: unknown })[k] + '\r\n';
                s.write(h + '\r\n');
                res.headSent = true;
              },
              write(d: string) {
                if (!res.headSent) res.writeHead(200);
                s.write(d);
              },
              end(d?: string) {
                if (d !== undefined) res.write(d);
                else if (!res.headSent) res.writeHead(200);
                s.end();
              },
            };
            s.on('data', (d: string) => {
              if (req) {
                req.emit('data', d);
                if (left >= 0 && (left -= d.length) <= 0) req.emit('end');
                return;
              }
              buf += d;
              const end = buf.indexOf('\r\n\r\n');
              if (end < 0) return;
              const head = parseHead(buf.substring(0, end));
              const rest = buf.substring(end + 4);
              req = Object.assign(new Emitter(), { method: head.first[0], url: head.first[1], headers: head.headers });
              left = contentLength(head.headers);
              onRequest(req, res);
              if (rest.length) req.emit('data', rest);
              if (left <= rest.length) req.emit('end');
              else left -= rest.length;
            });
            s.on('close', () => { if (req) req.emit('close'); });
          },
        };
        return model.serverHandle(srv);
      },
      get(target: string | { host: string; port?: number; path?: string }, onResponse: (res: Emitter & { statusCode: number; headers: object }) => void) {
        let o = target as { host: string; port?: number; path?: string };
        if (typeof target === 'string') {
          const m = /^http:\/\/([^/:]+)(?::(\d+))?(\/.*)?$/.exec(target);
          if (!m) throw new Error('Not a http:// URL: ' + target);
          o = { host: m[1], port: m[2] ? parseInt(m[2], 10) : 80, path: m[3] || '/' };
        }
        const id = model.driver.create(o.host, o.port || 80, SOCKET_TYPE_HTTP);
        const req = new Emitter();
        if (id < 0) {
          setTimeoutish(() => req.emit('error', { code: id, message: 'Unable to create socket' }));
          return req;
        }
        const s = new ModelSocket(model, id, true, SOCKET_TYPE_HTTP);
        model.sockets.push(s);
        s.write('GET ' + (o.path || '/') + ' HTTP/1.0\r\nUser-Agent: Espruino\r\nConnection: close\r\nHost: ' + o.host + '\r\n\r\n');
        let buf = '';
        let res: (Emitter & { statusCode: number; headers: object }) | null = null;
        s.on('data', (d: string) => {
          if (res) { res.emit('data', d); return; }
          buf += d;
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = parseHead(buf.substring(0, end));
          res = Object.assign(new Emitter(), { statusCode: parseInt(head.first[1], 10), headers: head.headers });
          onResponse(res);
          const rest = buf.substring(end + 4);
          if (rest.length) res.emit('data', rest);
        });
        s.on('error', (e: unknown) => req.emit('error', e));
        s.on('close', () => { if (res) res.emit('close'); req.emit('close'); });
        return req;
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
    while (later.length) (later.shift() as () => void)();
    for (const srv of this.servers) {
      if (srv.closed) continue;
      const id = this.driver.accept(srv.id);
      if (typeof id !== 'number') this.violations.push('accept returned ' + typeof id);
      else if (id >= 0) {
        const s = new ModelSocket(this, id, false, srv.type);
        this.sockets.push(s);
        srv.onConnection(s);
      }
    }
    for (const s of this.sockets.slice()) {
      if (s.closed) continue;
      this.recvCalls++;
      const r = this.driver.recv(s.id, CHUNK, s.type);
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
        const n = this.driver.send(s.id, chunk, s.type);
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
