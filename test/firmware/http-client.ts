// Test-side HTTP/1.1 response reader: feed it the bytes a server sent; it splits them into responses
// (Content-Length, chunked, or until close), hashing bodies as they stream so 10 MB is never held.
import { createHash, Hash } from 'crypto';
import { FakeNet, FakeSocket, bytes } from '../helpers/fake-socket';

export interface ParsedResponse {
  status: number;
  reason: string;
  headers: { [k: string]: string };
  bodyLength: number;
  sha256: string;
  /** The body as text, when `keepBodies` and it is under 2 MB. */
  body: string;
  chunked: boolean;
}

export class ResponseReader {
  responses: ParsedResponse[] = [];
  informational: number[] = [];
  error = '';
  private buf = Buffer.alloc(0);
  private cur: ParsedResponse | null = null;
  private hash: Hash | null = null;
  private left = 0; // body bytes left (CL) or in the current chunk
  private mode: 'head' | 'cl' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'eof' = 'head';
  private parts: Buffer[] = [];
  /** HEAD requests in flight, in order (their responses have no body). */
  headRequests: boolean[] = [];

  constructor(private readonly keepBodies = true) {}

  push(chunk: Uint8Array): void {
    this.buf = Buffer.concat([this.buf, Buffer.from(chunk)]);
    this.run();
  }

  /** The connection closed: finishes a close-delimited body. */
  close(): void {
    if (this.mode === 'eof' && this.cur) this.finish();
  }

  private run(): void {
    for (let guard = 0; guard < 1e7; guard++) {
      if (this.mode === 'head') {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
        this.buf = this.buf.subarray(end + 4);
        const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]);
        if (!m) {
          this.error = 'bad status line: ' + lines[0];
          return;
        }
        const status = Number(m[1]);
        const headers: { [k: string]: string } = {};
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          headers[l.substring(0, c).toLowerCase()] = l.substring(c + 1).trim();
        }
        if (status >= 100 && status < 200) {
          this.informational.push(status);
          continue;
        }
        const isHead = this.headRequests.length > 0 ? this.headRequests.shift() : false;
        this.cur = { status, reason: m[2], headers, bodyLength: 0, sha256: '', body: '', chunked: false };
        this.hash = createHash('sha256');
        this.parts = [];
        if (isHead || status === 204 || status === 304) {
          this.finish();
        } else if ((headers['transfer-encoding'] || '').toLowerCase() === 'chunked') {
          this.cur.chunked = true;
          this.mode = 'chunk-size';
        } else if (headers['content-length'] !== undefined) {
          this.left = Number(headers['content-length']);
          this.mode = 'cl';
          if (this.left === 0) this.finish();
        } else {
          this.mode = 'eof';
        }
      } else if (this.mode === 'cl' || this.mode === 'chunk-data' || this.mode === 'eof') {
        if (this.buf.length === 0) return;
        const n = this.mode === 'eof' ? this.buf.length : Math.min(this.left, this.buf.length);
        this.body(this.buf.subarray(0, n));
        this.buf = this.buf.subarray(n);
        if (this.mode === 'eof') return;
        this.left -= n;
        if (this.left === 0) {
          if (this.mode === 'cl') this.finish();
          else this.mode = 'chunk-crlf';
        }
      } else if (this.mode === 'chunk-crlf') {
        if (this.buf.length < 2) return;
        if (this.buf[0] !== 13 || this.buf[1] !== 10) {
          this.error = 'missing CRLF after chunk';
          return;
        }
        this.buf = this.buf.subarray(2);
        this.mode = 'chunk-size';
      } else if (this.mode === 'chunk-size' || this.mode === 'trailer') {
        const e = this.buf.indexOf('\r\n');
        if (e < 0) return;
        const line = this.buf.subarray(0, e).toString('latin1');
        this.buf = this.buf.subarray(e + 2);
        if (this.mode === 'trailer') {
          if (line === '') this.finish();
          continue;
        }
        const n = parseInt(line, 16);
        if (!(n >= 0)) {
          this.error = 'bad chunk size ' + line;
          return;
        }
        if (n === 0) this.mode = 'trailer';
        else {
          this.left = n;
          this.mode = 'chunk-data';
        }
      }
    }
  }

  private body(b: Buffer): void {
    const cur = this.cur as ParsedResponse;
    cur.bodyLength += b.length;
    (this.hash as Hash).update(b);
    if (this.keepBodies && cur.bodyLength <= 2000000) this.parts.push(Buffer.from(b));
  }

  private finish(): void {
    const cur = this.cur as ParsedResponse;
    cur.sha256 = (this.hash as Hash).digest('hex');
    cur.body = Buffer.concat(this.parts).toString('latin1');
    this.responses.push(cur);
    this.cur = null;
    this.mode = 'head';
  }
}

/** A client connection on a FakeNet with a response reader attached. */
export class TestClient {
  reader: ResponseReader;
  sock: FakeSocket;
  ended = false;
  closed = false;
  errors: string[] = [];

  constructor(net: FakeNet, port: number, opts: { rxBytes?: number; txBytes?: number; keepBodies?: boolean } = {}) {
    this.reader = new ResponseReader(opts.keepBodies !== false);
    this.sock = net.connect({ host: '10.0.0.1', port }, { rxBytes: opts.rxBytes || 4096, txBytes: opts.txBytes || 4096 });
    const self = this;
    this.sock.on('data', (d: Uint8Array) => self.reader.push(d));
    this.sock.on('end', () => { self.ended = true; self.reader.close(); });
    this.sock.on('close', () => { self.closed = true; self.reader.close(); });
    this.sock.on('error', (e: Error) => self.errors.push(e.message));
  }

  send(s: string | Uint8Array): boolean {
    return this.sock.write(typeof s === 'string' ? bytes(s) : s);
  }
}

export function sha256(b: Uint8Array | string): string {
  return createHash('sha256').update(typeof b === 'string' ? Buffer.from(b, 'latin1') : b).digest('hex');
}

/** Anything with the socket API's connect/on/write/end (a Stack's socket). */
interface Conn {
  on(event: string, fn: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  write(d: Uint8Array | string): boolean;
  end(): void;
}

/**
 * Sends `request` on `sock` once connected and reads the responses until the server closes (the
 * client closes its side when the server's FIN arrives). `done()` says when the connection closed.
 */
export function exchange(sock: Conn, request: string, keepBodies = true): { reader: ResponseReader; done: () => boolean } {
  const reader = new ResponseReader(keepBodies);
  let closed = false;
  sock.on('connect', () => sock.write(request));
  sock.on('data', (d: Uint8Array) => reader.push(d));
  sock.on('end', () => sock.end());
  sock.on('close', () => { closed = true; });
  return { reader, done: () => closed };
}
