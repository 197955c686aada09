// The client and the Linux-side server of bench/tap-compare.ts, run inside its network namespaces with
// `ip netns exec NS node bench/tap-load.js …` (plain Node, no TypeScript: it starts in ~50 ms).
//
//   serve PORT                      bare HTTP/1.1 server: GET /bytes/N → N bytes of the pattern in $BYTES_PATTERN
//                                   (what the device's /bytes/N serves); prints LISTENING
//   fresh URL SECONDS WORKERS       WORKERS loops, each GETting URL over a new connection (Connection: close)
//                                   until SECONDS pass; prints {"requests","errors","seconds"}
//   get URL                         one GET, body counted; prints {"bytes","seconds","status"}
// Every client request has a 10 s limit; the whole run is bounded by its caller's timeout too.
'use strict';
const http = require('http');
const net = require('net');

const PATTERN = Buffer.from(process.env.BYTES_PATTERN || '0123456789abcdef', 'latin1');

/**
 * A bare HTTP/1.1 server on a plain socket (Node's http module costs more per request than the kernel
 * does): reads the request head, answers GET /bytes/N with N bytes of the pattern, then closes.
 */
function serve(port) {
  const block = Buffer.alloc(PATTERN.length * 1024);
  for (let i = 0; i < 1024; i++) PATTERN.copy(block, i * PATTERN.length);
  const server = net.createServer({ noDelay: true }, (sock) => {
    let head = '';
    sock.on('error', () => sock.destroy());
    sock.setTimeout(10000, () => sock.destroy());
    const onData = (b) => {
      head += b.toString('latin1');
      if (head.indexOf('\r\n\r\n') < 0) { if (head.length > 8192) sock.destroy(); return; }
      sock.removeListener('data', onData);
      const m = /^GET \/bytes\/(\d{1,9}) HTTP\/1\.[01]\r\n/.exec(head);
      if (!m) { sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'); return; }
      let left = Number(m[1]);
      sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ' + left + '\r\nConnection: close\r\n\r\n');
      const more = () => {
        while (left > 0) {
          const k = Math.min(left, block.length);
          left -= k;
          if (!sock.write(k === block.length ? block : block.subarray(0, k))) { sock.once('drain', more); return; }
        }
        sock.end();
      };
      more();
    };
    sock.on('data', onData);
  });
  server.listen(port, () => console.log('LISTENING'));
}

function getOnce(url) {
  return new Promise((resolve) => {
    let bytes = 0;
    const req = http.get(url, { agent: false, headers: { Connection: 'close' }, timeout: 10000 }, (res) => {
      res.on("data", (b) => { bytes += b.length; });
      res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode, bytes }));
      res.on('error', () => resolve({ ok: false, status: res.statusCode, bytes }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, status: 0, bytes }));
  });
}

/**
 * One request over a new connection with a bare socket (the http module's client costs more per request
 * than the servers measured here): ok when the reply starts with a 200 status line and the server closes.
 */
function freshOnce(host, port, pathName) {
  return new Promise((resolve) => {
    let head = '';
    let done = false;
    const finish = (ok) => { if (!done) { done = true; sock.destroy(); resolve(ok); } };
    const sock = net.connect({ host, port, noDelay: true }, () => {
      sock.write('GET ' + pathName + ' HTTP/1.1\r\nHost: ' + host + '\r\nConnection: close\r\n\r\n');
    });
    sock.setTimeout(10000, () => finish(false));
    sock.on('data', (b) => { if (head.length < 16) head += b.toString('latin1', 0, Math.min(b.length, 16)); });
    sock.on('end', () => finish(/^HTTP\/1\.[01] 200 /.test(head)));
    sock.on('error', () => finish(false));
  });
}

async function fresh(url, seconds, workers) {
  const u = new URL(url);
  const port = Number(u.port || 80);
  const t0 = process.hrtime.bigint();
  const until = Date.now() + seconds * 1000;
  let requests = 0;
  let errors = 0;
  const worker = async () => {
    while (Date.now() < until) {
      if (await freshOnce(u.hostname, port, u.pathname)) requests++; else errors++;
    }
  };
  const all = [];
  for (let i = 0; i < workers; i++) all.push(worker());
  await Promise.all(all);
  console.log(JSON.stringify({ requests, errors, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
}

async function get(url) {
  const t0 = process.hrtime.bigint();
  const r = await getOnce(url);
  console.log(JSON.stringify({ bytes: r.bytes, status: r.status, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'serve') serve(Number(a));
else if (mode === 'fresh') fresh(a, Number(b), Number(c));
else if (mode === 'get') get(a);
else { console.error('usage: serve PORT | fresh URL SECONDS WORKERS | get URL'); process.exit(2); }
