// The device's web server: a status page, its JSON twin, a byte source and an echo for testing.
//   GET  /             HTML status page (uptime, address, link, connections, counters, free memory)
//   GET  /api/status   the same as JSON
//   GET  /bytes/N      exactly N bytes (N ≤ maxBytes), generated on the fly from one fixed block
//   POST /echo         the request body back, streamed (≤ maxEchoBytes)
//   anything else      404
import { TcpSocketApi, TcpServerApi, SocketBuffers } from '../../tcp/socket-api';
import { HttpServer, HttpRequest, HttpResponse, HttpOptions, HttpRouter, Handler } from '../http/server';
import { Router } from '../http/router';
import { ServerHost } from './types';
import { copyThrough } from './copy-through';
import { stringToBytes } from '../bytes';

export interface DeviceStatus {
  board: string;
  chip: string;
  uptimeMs: number;
  /** "a.b.c.d/p" or "" while unconfigured. */
  address: string;
  gateway: string;
  mac: string;
  dhcp: boolean;
  link: boolean;
  /** Open TCP connections (all apps). */
  connections: number;
  /** Named counter groups, e.g. { device: {...}, iface: {...}, tcp: {...}, http: {...} }. */
  counters: { [group: string]: { [name: string]: number } };
  /** Espruino's variable pool (blocks), or null on the host. */
  memory: { free: number; total: number; blockSize: number } | null;
  /** Exceptions the stack caught (it never throws to the firmware), and the last one's text. */
  internalErrors: number;
  lastInternalError: string;
  /** Exceptions thrown by application callbacks (caught and counted; the stack goes on), and the last one's text. */
  appErrors: number;
  lastAppError: string;
}

export type StatusProvider = () => DeviceStatus;

export interface HttpAppOptions extends HttpOptions {
  port?: number;
  buffers?: SocketBuffers;
  /** Largest N for /bytes/N (default 10,000,000). */
  maxBytes?: number;
  /** Largest POST /echo body (default 1,000,000). */
  maxEchoBytes?: number;
  /**
   * Bytes of the /bytes pattern block, kept for the app's life (at least 64; default 1,024; the firmware
   * gives its preset's `buffers.bytesBlock`): each write costs about 70 empty-loop iterations besides its
   * bytes (BENCHMARKS.md §3d), and one the size of the send buffer fills what an ACK frees in one go.
   */
  blockBytes?: number;
}

export interface HttpApp {
  http: HttpServer;
  server: TcpServerApi;
}

/** The byte pattern served by /bytes/N: byte i is PATTERN[i % 64] (printable, newline-terminated lines). */
export const BYTES_PATTERN = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n';
const OCTET_STREAM = 'application/octet-stream';

/** `bytes` (at least 64) rounded down to whole 64-byte periods of the pattern: each block starts it again. */
function makeBlock(bytes: number): Uint8Array {
  const size = bytes & ~63;
  const b = new Uint8Array(size);
  b.set(stringToBytes(BYTES_PATTERN), 0);
  for (let n = 64; n < size; n *= 2) b.set(b.subarray(0, n < size - n ? n : size - n), n);
  return b;
}

/** Echoes a request body as it arrives; pauses the request while the response cannot take more. */
function serveEcho(req: HttpRequest, res: HttpResponse): void {
  const headers: { [k: string]: string | number } = {
    'Content-Type': req.headers['content-type'] || OCTET_STREAM,
  };
  if (req.contentLength >= 0) headers['Content-Length'] = req.contentLength;
  res.writeHead(200, headers);
  copyThrough(req, res);
  req.on('end', function () { res.end(); });
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return (s >= 86400 ? Math.floor(s / 86400) + 'd ' : '') + Math.floor(s / 3600) % 24 + 'h ' +
    Math.floor(s / 60) % 60 + 'm ' + s % 60 + 's';
}

function row(k: string, v: string | number): string {
  return '<tr><th>' + esc(k) + '</th><td>' + esc(String(v)) + '</td></tr>';
}

function section(title: string, rows: string, note?: string): string {
  return '<section><h2>' + esc(title) + '</h2>' + (note ? '<p>' + esc(note) + '</p>' : '') + '<table>' + rows + '</table></section>';
}

/** Section titles of the counter groups (firmware/device.ts status()); another group shows its own key. */
const GROUP_TITLES: { [group: string]: string } = {
  device: 'Ethernet chip (driver)', iface: 'Network: Ethernet, ARP, IPv4, ICMP, UDP', tcp: 'TCP',
  http: 'HTTP server', echo: 'Echo server',
};

/** "rxFrames" → "rx frames", "finWait2Timeouts" → "fin wait2 timeouts", "arp-requests-sent" → "arp requests sent". */
function words(name: string): string {
  return name.replace(/-/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

// HTML5 lets <html>, <head> and <body> be implied and attribute values without spaces go unquoted.
const STYLE = '<style>body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}' +
  'header{background:#1d3557;color:#fff;padding:14px 24px}h1{margin:0;font-size:20px}' +
  'main{display:flex;flex-wrap:wrap;align-items:flex-start;gap:16px;padding:16px 24px}' +
  'section{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:12px 16px;min-width:240px}' +
  'h2{font-size:15px;margin:0 0 8px;color:#1d3557}table{border-collapse:collapse}' +
  'th{text-align:left;font-weight:500;color:#555;padding:2px 16px 2px 0}td{font-family:monospace}' +
  'p{margin:0 0 6px;color:#777;font-size:12px}a{color:#1d3557}' +
  'footer{padding:0 24px 16px;color:#777;font-size:13px}</style>';

/**
 * The status page in parts — the head, the device section, one section per counter group, the footer —
 * made one at a time as the connection takes them, so that a connection holds one part, not the page
 * (~3 KB), while a slow client reads it.
 */
function statusPageParts(st: DeviceStatus): () => string | null {
  const gk = Object.keys(st.counters);
  let i = -2;
  return function (): string | null {
    i++;
    if (i === -1) return statusHead(st);
    if (i < gk.length) {
      const c = st.counters[gk[i]];
      const ck = Object.keys(c);
      let rows = '';
      for (let k = 0; k < ck.length; k++) if (c[ck[k]]) rows += row(words(ck[k]), c[ck[k]] + (/bytes/i.test(ck[k]) ? ' bytes' : ''));
      return section(GROUP_TITLES[gk[i]] || gk[i], rows, 'since start; zeros left out');
    }
    if (i === gk.length) return ROUTES;
    if (i === gk.length + 1) return '</main><footer>espruino-tcpip &middot; refreshes every 10 s &middot; <a href=/api/status>/api/status</a> (JSON)</footer>\n';
    return null;
  };
}

/** What else this server answers, linked. */
const ROUTES = '<section><h2>Routes</h2><table>' +
  '<tr><th><a href=/api/status>GET /api/status</a></th><td>this page as JSON</td></tr>' +
  '<tr><th><a href=/bytes/100000>GET /bytes/N</a></th><td>N bytes</td></tr>' +
  '<tr><th>POST /echo</th><td>the body back</td></tr></table></section>';

function statusHead(st: DeviceStatus): string {
  const m = st.memory;
  // The charset comes with the Content-Type header (text/html; charset=utf-8).
  return '<!DOCTYPE html><html lang=en>' +
    '<meta name=viewport content="width=device-width,initial-scale=1"><meta http-equiv=refresh content=10>' +
    '<title>' + esc(st.board) + ' status</title>' + STYLE +
    '<header><h1>' + esc(st.board) + ' <span style=color:' + (st.link ? '#2a9d8f' : '#e63946') + '>&#9679;</span>' +
    '</h1></header><main>' + section('Device',
      row('Board', st.board + ' (' + st.chip + ')') +
      row('Uptime', formatUptime(st.uptimeMs)) +
      row('Address', (st.address || 'unconfigured') + (st.dhcp ? ' (DHCP)' : ' (static)')) +
      row('Gateway', st.gateway || '-') +
      row('MAC', st.mac) +
      row('Link', st.link ? 'up' : 'down') +
      row('TCP connections', st.connections + ' open') +
      row('Free memory', m ? m.free + ' of ' + m.total + ' blocks of ' + m.blockSize + ' bytes (' + Math.round(m.free * m.blockSize / 1024) + ' KB)'
        : 'not measured on a host') +
      (st.internalErrors ? row('Internal errors', st.internalErrors + ', last: ' + st.lastInternalError) : '') +
      (st.appErrors ? row('App errors', st.appErrors + ', last: ' + st.lastAppError) : ''));
}

/**
 * Writes the parts `next` makes through `res` (chunked or close-delimited unless `headers` give a
 * Content-Length), waiting for 'drain' when full. Parts are referenced until sent, so a part must
 * not change afterwards (the /bytes block never does).
 */
function serveParts(res: HttpResponse, headers: { [name: string]: string | number }, next: () => string | Uint8Array | null): void {
  headers['Cache-Control'] = 'no-store';
  res.writeHead(200, headers);
  if (res.noBody) {
    res.end();
    return;
  }
  const pump = function (): void {
    for (let p = next(); p !== null; p = next()) {
      if (res.finished) return;
      if (!res.write(p)) return;
    }
    if (!res.finished) res.end();
  };
  res.on('drain', pump);
  pump();
}

export function statusRouter(router: HttpRouter, status: StatusProvider, opts: HttpAppOptions): HttpRouter {
  const block = makeBlock(opts.blockBytes || 1024);
  const BLOCK = block.length;
  const maxBytes = opts.maxBytes === undefined ? 10000000 : opts.maxBytes;
  router.get('/', function (_req, res) {
    serveParts(res, { 'Content-Type': 'text/html; charset=utf-8' }, statusPageParts(status()));
  });
  router.get('/api/status', function (_req, res) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(status()) + '\n');
  });
  router.get('/bytes/*', function (req, res) {
    const p = req.param;
    const n = /^[0-9]+$/.test(p) && p.length <= 9 ? Number(p) : -1;
    if (n < 0 || n > maxBytes) {
      res.send(400, 'text/plain', 'N must be an integer from 0 to ' + maxBytes + '\n');
      return;
    }
    // N pattern bytes, one block (or the start of one) at a time.
    let left = n;
    serveParts(res, { 'Content-Type': OCTET_STREAM, 'Content-Length': n }, function () {
      const k = left < BLOCK ? left : BLOCK;
      left -= k;
      return k === BLOCK ? block : k > 0 ? block.subarray(0, k) : null;
    });
  });
  router.post('/echo', serveEcho, { maxBody: opts.maxEchoBytes === undefined ? 1000000 : opts.maxEchoBytes });
  return router;
}

/** Starts the web server on `host` (a Stack). */
export function startHttp(host: ServerHost, status: StatusProvider, opts: HttpAppOptions = {}): HttpApp {
  const router = statusRouter(new Router<Handler>(), status, opts);
  const http = new HttpServer(router, opts);
  const server = host.createServer(opts.port === undefined ? 80 : opts.port, function (sock: TcpSocketApi) {
    http.handle(sock);
  }, opts.buffers);
  return { http, server };
}
