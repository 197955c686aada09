// A tiny HTTP/1.1 server over tcp/socket-api.ts (RFC 9110 semantics, RFC 9112 message syntax).
// One Connection object per TCP connection runs: read head → (body) → wait for the response → next.
// - The head is collected in a fixed per-connection buffer; its end is found with indexOf (no per-byte
//   loop) and only the head bytes are decoded to a string.
// - Bodies are streamed to the handler as views ('data' events), never buffered whole.
// - Pipelined requests are answered in order: while a response is in progress the socket is paused and
//   any bytes of the next request already received are kept (copied once) until it is done.
// - Backpressure: HttpResponse.write returns the socket's write result; 'drain' is forwarded.
import { Emitter } from '../../tcp/events';
import { TcpSocketApi } from '../../tcp/socket-api';
import { bytesToString, findHeadEnd, stringToBytes } from '../bytes';
import { parseRequestHead, RequestHead } from './request-head';
import { ChunkedDecoder, BodySink } from './chunked-decoder';
import { Router } from './router';

export interface HttpOptions {
  /** Largest request head (request line + headers) in bytes; larger → 431. */
  maxHeadBytes?: number;
  maxHeaders?: number;
  /** Longest request-target; longer → 414. */
  maxTargetLength?: number;
  /** Body limit for routes that do not set their own; larger → 413. */
  maxBodyBytes?: number;
  /** Idle time after which a connection is timed out (408 if a request was half received). */
  idleTimeoutMs?: number;
  /** Server header value ('' for none). */
  serverName?: string;
}

export interface HttpCounters {
  connections: number;      // currently open
  connectionsTotal: number;
  requests: number;
  badRequests: number;      // 4xx/5xx answered by the server itself (parse errors, limits)
  notFound: number;
  timeouts: number;
  aborted: number;          // connections destroyed mid-response
  handlerErrors: number;    // exceptions from route handlers (answered 500, or the connection reset)
}

// The phrases of the codes this server and the firmware's apps send (and of 204/304, which writeHead
// frames specially); any other code goes out with "Status": the reason-phrase is informational and
// clients ignore it (RFC 9112 §4).
const REASONS: { [code: number]: string } = {
  100: 'Continue', 200: 'OK', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request',
  404: 'Not Found', 408: 'Request Timeout', 413: 'Content Too Large', 414: 'URI Too Long',
  431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
  503: 'Service Unavailable', 505: 'HTTP Version Not Supported',
};

/** "404 Not Found": the status code and its reason phrase, as the status line has them. */
export function statusText(code: number): string {
  return code + ' ' + (REASONS[code] || 'Status');
}

export type Handler = (req: HttpRequest, res: HttpResponse) => void;

/** The routes a server answers (a Router of this server's handlers). */
export type HttpRouter = Router<Handler>;

/**
 * A request: the fields of its head (method, path, query, headers, contentLength — -1 when there is
 * none or the body is chunked —, ...) and 'data' / 'end' events for its body.
 */
export interface HttpRequest extends RequestHead {}
export class HttpRequest extends Emitter {
  /** The rest of the path after a prefix route's "*". */
  param = '';
  constructor(head: RequestHead, private readonly conn: Connection) {
    super();
    Object.assign(this, head); // the head's fields, rather than one getter each
  }
  /** Stops 'data' events (and, through TCP flow control, the sender). */
  pause(): void { this.conn.pauseBody(true); }
  resume(): void { this.conn.pauseBody(false); }
  /** A body listener threw: the exchange ends (500, or a reset once the response has begun). */
  protected listenerThrew(_event: string, e: unknown): void {
    this.conn.handlerThrew(e);
  }
}

export class HttpResponse extends Emitter {
  statusCode = 200;
  headersSent = false;
  finished = false;
  /** HEAD request or a status without content: body bytes are not sent. */
  noBody: boolean;
  private chunked?: boolean;
  private contentLength = -1;
  private sent = 0;

  constructor(private readonly conn: Connection, private readonly req: RequestHead) {
    super();
    this.noBody = req.method === 'HEAD';
  }

  /** A 'drain' or 'close' listener threw: as for the handler. */
  protected listenerThrew(_event: string, e: unknown): void {
    this.conn.handlerThrew(e);
  }

  /**
   * Sends the status line and headers. With 'Content-Length' the body is that long; without it the
   * body is chunked for HTTP/1.1 clients and close-delimited for HTTP/1.0 ones.
   */
  writeHead(status: number, headers?: { [name: string]: string | number }): this {
    if (this.headersSent) return this;
    this.statusCode = status;
    this.headersSent = true;
    const conn = this.conn;
    let h = 'HTTP/1.1 ' + statusText(status) + '\r\n';
    const name = conn.server.serverName;
    if (name) h += 'Server: ' + name + '\r\n';
    let hasLength = false;
    if (headers) {
      const keys = Object.keys(headers);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const lk = k.toLowerCase();
        if (lk === 'content-length') {
          hasLength = true;
          this.contentLength = Number(headers[k]);
        }
        if (lk === 'connection' || lk === 'transfer-encoding') continue; // framing is ours
        h += k + ': ' + headers[k] + '\r\n';
      }
    }
    // RFC 9110 §15.2, §15.3.5, §15.4.5: 1xx, 204 and 304 never carry content.
    const bodyless = status === 204 || status === 304 || status < 200;
    if (bodyless) this.noBody = true;
    if (!hasLength && !bodyless) {
      if (this.req.minor >= 1) {
        this.chunked = !this.noBody; // HEAD: announce, send nothing
        h += 'Transfer-Encoding: chunked\r\n';
      } else {
        conn.closeAfter = true; // HTTP/1.0: the body ends with the connection
      }
    }
    if (conn.closeAfter || !this.req.keepAlive) {
      conn.closeAfter = true;
      h += 'Connection: close\r\n';
    } else if (this.req.minor === 0) {
      h += 'Connection: keep-alive\r\n';
    }
    conn.socket.write(h + '\r\n');
    return this;
  }

  /** Same contract as TcpSocketApi.write: false → wait for 'drain'; `data` is referenced until sent. */
  write(data: Uint8Array | string): boolean {
    if (this.finished) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const sock = this.conn.socket;
    let len = data.length;
    if (this.noBody || len === 0) return true;
    if (this.contentLength >= 0) {
      // Never send more than announced: it would corrupt the framing of the next response.
      const room = this.contentLength - this.sent;
      if (len > room) {
        len = room;
        if (len <= 0) return true;
        data = typeof data === 'string' ? data.substring(0, len) : data.subarray(0, len);
      }
    }
    this.sent += len;
    return this.chunked ? this.writeChunk(data, len) : sock.write(data);
  }

  /**
   * RFC 9112 §7.1: chunk = chunk-size CRLF chunk-data CRLF, in ONE write: a write refused for piling up
   * past the socket's bound (ENOBUFS) then never leaves half a chunk on the wire. That costs a copy of
   * the chunk (one native set), on chunked responses only.
   */
  private writeChunk(data: Uint8Array | string, len: number): boolean {
    const sock = this.conn.socket;
    const size = len.toString(16) + '\r\n';
    if (typeof data === 'string') return sock.write(size + data + '\r\n');
    const chunk = new Uint8Array(size.length + len + 2);
    chunk.set(stringToBytes(size), 0);
    chunk.set(data, size.length);
    chunk[chunk.length - 2] = 13;
    chunk[chunk.length - 1] = 10;
    return sock.write(chunk);
  }

  /** Finishes the response (writing `data` first). Without headers sent yet, sets Content-Length. */
  end(data?: Uint8Array | string): void {
    if (this.finished) return;
    if (!this.headersSent) {
      const len = data === undefined ? 0 : data.length;
      this.writeHead(this.statusCode, { 'Content-Length': len });
    }
    if (data !== undefined) this.write(data);
    if (this.chunked) this.conn.socket.write('0\r\n\r\n'); // last-chunk, no trailers
    if (this.contentLength >= 0 && this.sent < this.contentLength && !this.noBody) {
      this.conn.closeAfter = true; // short body: the framing is broken, so the connection must go
    }
    this.finished = true;
    this.conn.responseFinished();
  }

  /** Convenience: a complete response with a string body. */
  send(status: number, contentType: string, body: string): void {
    this.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.length });
    this.end(body);
  }
}

const HEAD = 0;
const BODY = 1;
const WAIT = 2; // request fully read; response still in progress
const CLOSING = 3;

/** Past this much unread request body after an early response, close instead of discarding. */
const DISCARD_LIMIT = 65536;
/** Most bytes kept for later while paused (normally at most one receive chunk). */
const STASH_LIMIT = 16384;

// Fields read only for their truth value start out absent (undefined) rather than null or false: one
// property fewer per connection on the device until it is first set.
class Connection implements BodySink {
  /** A head split across segments collects here (made when needed, dropped once the head is in). */
  private head?: Uint8Array | null;
  private headLen = 0;
  private state = HEAD;
  private req?: HttpRequest | null;
  res?: HttpResponse | null;
  private bodyLeft = 0;
  private bodyLimit = 0;
  private decoder?: ChunkedDecoder;
  private discarding?: boolean;
  private stash?: Uint8Array | null;
  private inFeed?: boolean;
  private appPaused = false;
  private waitPaused?: boolean;
  private peerEnded?: boolean;
  private timeouts = 0;
  closeAfter?: boolean;

  constructor(readonly socket: TcpSocketApi, readonly server: HttpServer) {
    const self = this;
    socket.on('data', function (chunk: Uint8Array) { self.feed(chunk); });
    socket.on('drain', function () { if (self.res && !self.res.finished) self.res.emit('drain'); });
    socket.on('end', function () { self.onPeerEnd(); });
    socket.on('timeout', function () { self.onTimeout(); });
    socket.on('close', function () { self.onClose(); });
    socket.on('error', function () { /* 'close' follows */ });
    socket.setTimeout(server.idleTimeoutMs);
    // When every slot is taken and a new client has completed its handshake: a connection still
    // waiting for its request head (an idle keep-alive one, a slowloris) may give its slot any time;
    // one in a request or response only once quiet (a trickled body, a response read at a crawl).
    // A client that is working is never pushed out (tcp/socket-api.ts setEvictable).
    socket.setEvictable('idle');
  }

  private feed(chunk: Uint8Array): void {
    if (this.stash && chunk !== this.stash) {
      // Data despite our pause (already in flight): keep it behind what is waiting, in order.
      if (this.stash.length + chunk.length > STASH_LIMIT) {
        this.abort();
        return;
      }
      const joined = new Uint8Array(this.stash.length + chunk.length);
      joined.set(this.stash, 0);
      joined.set(chunk, this.stash.length);
      this.stash = joined;
      return;
    }
    if (chunk === this.stash) this.stash = null;
    this.inFeed = true;
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      const st = this.state;
      if (st === HEAD) {
        off = this.feedHead(chunk, off, len);
      } else if (st === BODY) {
        if (this.appPaused) break;
        off = this.feedBody(chunk, off, len);
      } else if (st === WAIT) {
        if (this.res && this.res.finished) this.nextRequest();
        else break;
      } else {
        off = len; // CLOSING: read and discard so the close is orderly (no RST for unread data)
      }
    }
    this.inFeed = false;
    if (off < len && this.state !== CLOSING) {
      // Keep the bytes of the next request (or the rest of a paused body) until we can go on.
      this.stash = new Uint8Array(chunk.subarray(off, len));
      this.waitPaused = true;
      this.updatePause();
    }
    if (this.state === WAIT && this.res && this.res.finished) this.nextRequest();
    this.checkPeerEnded();
  }

  private feedHead(chunk: Uint8Array, off: number, len: number): number {
    const max = this.server.maxHeadBytes;
    let text: string;
    let consumed: number;
    if (this.headLen === 0) {
      // The usual case: the whole head is in this segment. Parse it in place — an idle keep-alive
      // connection then holds no head buffer at all.
      const end = findHeadEnd(chunk, off, len);
      if (end < 0 ? len - off >= max : end + 4 - off > max) {
        this.fail(431);
        return len;
      }
      if (end < 0) {
        if (!this.head) this.head = new Uint8Array(max);
        this.head.set(chunk.subarray(off, len), 0);
        this.headLen = len - off;
        return len;
      }
      text = bytesToString(chunk.subarray(off, end));
      consumed = end + 4;
    } else {
      const buf = this.head as Uint8Array;
      const n = Math.min(max - this.headLen, len - off);
      buf.set(chunk.subarray(off, off + n), this.headLen);
      const from = this.headLen - 3;
      this.headLen += n;
      const end = findHeadEnd(buf, from, this.headLen);
      if (end < 0) {
        if (this.headLen >= max) this.fail(431);
        return off + n;
      }
      // Bytes after the head in this chunk belong to the body or the next request.
      consumed = off + n - (this.headLen - (end + 4));
      text = bytesToString(buf.subarray(0, end));
      this.headLen = 0;
      this.head = null;
    }
    const server = this.server;
    const head = parseRequestHead(text, server.limits);
    if (typeof head === 'number') {
      this.fail(head);
      return len;
    }
    this.startRequest(head);
    return consumed;
  }

  private startRequest(head: RequestHead): void {
    const server = this.server;
    server.counters.requests++;
    if (!head.keepAlive) this.closeAfter = true;
    const req = new HttpRequest(head, this);
    const res = new HttpResponse(this, req); // (the head itself is not kept)
    this.req = req;
    this.res = res;
    this.discarding = false;
    const match = server.router.match(head.method, head.path);
    this.bodyLimit = match && match.route.maxBody >= 0 ? match.route.maxBody : server.maxBodyBytes;
    if (head.chunked) {
      if (!this.decoder) this.decoder = new ChunkedDecoder();
      this.decoder.reset();
    }
    const hasBody = head.chunked || head.contentLength > 0;
    this.bodyLeft = head.chunked ? 0 : Math.max(0, head.contentLength);
    if (hasBody && !head.chunked && head.contentLength > this.bodyLimit) {
      // RFC 9110 §15.5.14: 413; we close rather than read a body we refused.
      this.fail(413);
      return;
    }
    this.state = hasBody ? BODY : WAIT;
    this.socket.setEvictable('quiet');
    if (!match) {
      server.counters.notFound++;
      if (hasBody && head.expectContinue) this.closeAfter = true; // the client may never send it
      res.send(404, 'text/plain', 'Not Found\n');
    } else {
      req.param = match.param;
      // RFC 9110 §10.1.1: answer 100 (Continue) before reading a body the client is holding back.
      if (hasBody && head.expectContinue) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      try {
        match.route.handler(req, res);
      } catch (e) {
        this.handlerThrew(e);
      }
    }
    if (!hasBody && !this.discarding) this.requestComplete();
  }

  private feedBody(chunk: Uint8Array, off: number, len: number): number {
    if (this.decoder && this.req && this.req.chunked) {
      const stop = this.decoder.feed(chunk, off, len, this);
      if (stop < 0) {
        this.bodyError(400);
        return len;
      }
      if (this.state === BODY && this.decoder.done()) this.requestComplete();
      return stop;
    }
    const n = Math.min(this.bodyLeft, len - off);
    this.bodyLeft -= n;
    this.deliver(chunk.subarray(off, off + n));
    if (this.bodyLeft === 0 && this.state === BODY) this.requestComplete();
    return off + n;
  }

  /** BodySink: stop decoding while the application has paused or once the request is over. */
  stopped(): boolean {
    return this.appPaused || this.state !== BODY;
  }

  /** BodySink: body bytes for the request's 'data' event. */
  deliver(v: Uint8Array): void {
    if (this.state !== BODY) return;
    if (this.decoder && this.req && this.req.chunked && this.decoder.total > this.bodyLimit) {
      this.bodyError(413);
      return;
    }
    if (!this.discarding && this.req) this.req.emit('data', v);
  }

  /** A bad or oversized body: answer if we still can, else abort. */
  private bodyError(status: number): void {
    if (this.res && this.res.headersSent) {
      this.abort();
    } else {
      this.fail(status);
    }
  }

  private requestComplete(): void {
    this.state = WAIT;
    const req = this.req;
    if (req && !this.discarding) req.emit('end');
  }

  responseFinished(): void {
    if (this.state === BODY) {
      // Answered before the whole body arrived: read and drop the rest, or close if it is large.
      if (this.closeAfter || (this.req && !this.req.chunked && this.bodyLeft > DISCARD_LIMIT)) {
        this.closeAfter = true;
        this.finishConnection();
        return;
      }
      this.discarding = true;
      if (this.appPaused) {
        this.appPaused = false;
        this.resumeStash();
      }
      return;
    }
    if (this.state === WAIT && !this.inFeed) this.nextRequest();
  }

  private nextRequest(): void {
    this.req = null;
    this.res = null;
    if (this.closeAfter) {
      this.finishConnection();
      return;
    }
    this.state = HEAD;
    this.socket.setEvictable('idle');
    this.headLen = 0;
    this.timeouts = 0;
    this.resumeStash();
  }

  private resumeStash(): void {
    this.waitPaused = false;
    const s = this.stash;
    if (this.inFeed || !s) {
      this.updatePause();
      if (!this.inFeed) this.checkPeerEnded();
      return;
    }
    // What was kept goes first; only then may the socket hand over what came after it (its resume
    // delivers a whole receive buffer at once, which would otherwise pile up behind the stash).
    this.feed(s);
    if (!this.stash) this.updatePause();
  }

  pauseBody(paused: boolean): void {
    if (this.appPaused === paused) return;
    this.appPaused = paused;
    this.updatePause();
    if (!paused && this.state === BODY) this.resumeStash();
  }

  private updatePause(): void {
    if (this.appPaused || this.waitPaused) this.socket.pause();
    else this.socket.resume();
  }

  private checkPeerEnded(): void {
    // The client half-closed: once nothing it sent is left to answer, close our side too.
    if (this.peerEnded && this.state === HEAD && !this.stash) this.finishConnection();
  }

  private onPeerEnd(): void {
    this.peerEnded = true;
    if (this.state === BODY) {
      this.closeAfter = true; // the body was cut short
      if (this.res && this.res.headersSent) {
        this.state = CLOSING;
        this.socket.end();
      } else {
        this.fail(400);
      }
      return;
    }
    if (this.state === WAIT) this.closeAfter = true;
    this.checkPeerEnded();
  }

  private onTimeout(): void {
    this.server.counters.timeouts++;
    if (++this.timeouts === 1 && (this.state === HEAD || (this.state === BODY && this.res && !this.res.headersSent))) {
      if (this.state === HEAD && this.headLen === 0) this.finishConnection(); // idle keep-alive connection
      else this.fail(408); // RFC 9110 §15.5.9: the client did not finish its request in time
    } else {
      this.abort();
    }
  }

  private onClose(): void {
    this.state = CLOSING;
    this.server.counters.connections--;
    this.abandonResponse();
    this.req = null;
    this.res = null;
    this.stash = null;
  }

  /** A response still in progress will never finish: it says so with 'close' (as Node's does). */
  private abandonResponse(): void {
    const res = this.res;
    if (res && !res.finished) {
      res.finished = true;
      res.emit('close');
    }
  }

  /**
   * The application's handler (or one of its listeners) threw `e`: the client gets a 500 if nothing of
   * the response went out yet, else the connection is reset (a half-sent response cannot be completed);
   * then `e` goes on to the stack, which counts and reports it as an app error.
   */
  handlerThrew(e: unknown): void {
    this.server.counters.handlerErrors++;
    this.inFeed = false; // feed() does not get to clear it: the throw goes through it
    if (this.state !== CLOSING) {
      if (this.res && !this.res.headersSent) this.fail(500);
      else this.abort();
    }
    throw e;
  }

  /** Drops the connection at once (RST): the exchange cannot be completed in order. */
  private abort(): void {
    this.server.counters.aborted++;
    this.state = CLOSING;
    this.stash = null;
    this.socket.destroy();
  }

  /** Answers with an error status and closes. */
  private fail(status: number): void {
    const server = this.server;
    server.counters.badRequests++;
    this.closeAfter = true;
    const line = statusText(status);
    this.socket.write('HTTP/1.1 ' + line + '\r\nContent-Type: text/plain\r\nContent-Length: ' + (line.length + 1) +
      '\r\nConnection: close\r\n\r\n' + line + '\n');
    this.abandonResponse();
    this.finishConnection();
  }

  private finishConnection(): void {
    this.state = CLOSING;
    this.stash = null;
    this.appPaused = this.waitPaused = false;
    this.socket.resume(); // keep reading (and dropping) so the close is orderly
    this.socket.end();
  }
}

export class HttpServer {
  readonly counters: HttpCounters = {
    connections: 0, connectionsTotal: 0, requests: 0, badRequests: 0, notFound: 0, timeouts: 0, aborted: 0, handlerErrors: 0,
  };
  readonly maxHeadBytes: number;
  readonly maxBodyBytes: number;
  readonly idleTimeoutMs: number;
  readonly serverName: string;
  readonly limits: { maxHeaders: number; maxTargetLength: number };

  constructor(readonly router: HttpRouter, opts: HttpOptions = {}) {
    this.maxHeadBytes = opts.maxHeadBytes || 1536;
    this.maxBodyBytes = opts.maxBodyBytes === undefined ? 1000000 : opts.maxBodyBytes;
    this.idleTimeoutMs = opts.idleTimeoutMs === undefined ? 15000 : opts.idleTimeoutMs;
    this.serverName = opts.serverName === undefined ? 'espruino-tcpip' : opts.serverName;
    this.limits = { maxHeaders: opts.maxHeaders || 32, maxTargetLength: opts.maxTargetLength || 512 };
  }

  /** Takes over one accepted TCP connection. */
  /** Serves `socket`; returns its connection state (only the socket's listeners hold it otherwise). */
  handle(socket: TcpSocketApi): object {
    this.counters.connections++;
    this.counters.connectionsTotal++;
    return new Connection(socket, this);
  }
}
