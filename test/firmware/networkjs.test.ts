import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeNet, FakeSocket, text } from '../helpers/fake-socket';
import { startEcho } from '../../firmware/apps/echo';
import { NetworkJsDriver, NetUdp, SOCKET_ERR_NO_CONN, SOCKET_ERR_NOT_FOUND, SOCKET_ERR_MAX_SOCK } from '../../firmware/networkjs-driver';
import { EspruinoNetModel, SOCKET_TYPE_HTTP } from './networkjs-model';
import { startHttp, BYTES_PATTERN } from '../../firmware/apps/http-app';

function setup(opts: { maxSockets?: number; rxBytes?: number; udp?: NetUdp } = {}) {
  const net = new FakeNet();
  const driver = new NetworkJsDriver(net, Object.assign({ buffers: { rxBytes: 1024, txBytes: 1024 } }, opts));
  const model = new EspruinoNetModel(driver);
  const run = (until: () => boolean, max = 100000): number => {
    let i = 0;
    for (; i < max && !until(); i++) {
      model.loop();
      net.pumpOnce();
    }
    return i;
  };
  return { net, driver, model, run };
}

function pattern(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode((i * 7 + (i >> 8)) & 255);
  return s;
}

test('an unmodified Espruino net server runs over the driver (uppercase echo, then close)', () => {
  const { net, model, run } = setup();
  // --- the Espruino program, as a user would write it ---
  const program = new Function('require', `
    var net = require("net");
    var server = net.createServer(function (c) {
      c.on('data', function (d) { c.write(d.toUpperCase()); });
      c.on('end', function () { c.end(); });
    });
    server.listen(23);
  `);
  program((name: string) => (name === 'net' ? model.net() : undefined));
  // --- a remote client ---
  const client = net.connect({ host: '10.0.0.1', port: 23 });
  let got = '';
  let closed = false;
  client.on('data', (d: Uint8Array) => { got += text(d); });
  client.on('close', () => { closed = true; });
  client.write('hello espruino, ');
  client.write('this is a test');
  client.end();
  run(() => closed);
  assert.is(got, 'HELLO ESPRUINO, THIS IS A TEST');
  assert.ok(closed);
  assert.equal(model.violations, []);
});

test('a net client program reaches an echo server by address; 20 KB round trip, binary safe', () => {
  const { net, model, run } = setup();
  startEcho(net, 7, { rxBytes: 1024, txBytes: 1024 });
  const data = pattern(20000);
  const state = { got: '', connected: false, ended: false, closed: false };
  const program = new Function('require', 'data', 'state', `
    var c = require("net").connect({ host: "10.0.0.7", port: 7 }, function () {
      state.connected = true;
      c.write(data);
    });
    c.on('data', function (d) {
      state.got += d;
      if (state.got.length === data.length) c.end();
    });
    c.on('end', function () { state.ended = true; });
    c.on('close', function () { state.closed = true; });
  `);
  program((name: string) => (name === 'net' ? model.net() : undefined), data, state);
  run(() => state.closed);
  assert.ok(state.connected);
  assert.is(state.got.length, data.length);
  assert.ok(state.got === data, 'byte-exact');
  assert.equal(model.violations, []);
});

test('host names are resolved by the stack; unknown names and refused ports are errors', () => {
  const { net, model, run } = setup();
  net.hosts['echo.local'] = '10.0.0.9';
  startEcho(net, 7);
  const results: Array<{ code?: number; data?: string }> = [];
  const n = model.net();
  const ok = n.connect({ host: 'echo.local', port: 7 }, () => ok.write('ping'));
  ok.on('data', (d: string) => { results.push({ data: d }); ok.end(); });
  const bad = n.connect({ host: 'nowhere.invalid', port: 7 });
  bad.on('error', (e: { code: number }) => results.push({ code: e.code }));
  const refused = n.connect({ host: '10.0.0.9', port: 9 });
  refused.on('error', (e: { code: number }) => results.push({ code: e.code }));
  run(() => results.length === 3);
  assert.equal(results.filter((r) => r.data).map((r) => r.data), ['ping']);
  assert.equal(results.filter((r) => r.code).map((r) => r.code).sort(), [SOCKET_ERR_NO_CONN, SOCKET_ERR_NOT_FOUND].sort());
  assert.equal(model.violations, []);
});

test('recv: "" while nothing is there, -1 after the peer closed, never a number >= 0', () => {
  const { net, driver } = setup();
  const sid = driver.create(undefined, 80, 0);
  assert.ok(sid >= 0);
  assert.is(driver.accept(sid), -1);
  const c = net.connect({ host: '10.0.0.1', port: 80 });
  net.pump();
  const id = driver.accept(sid);
  assert.ok(id >= 0);
  assert.is(driver.recv(id, 536), '');
  c.write('abc');
  net.pump();
  assert.is(driver.recv(id, 2), 'ab');
  assert.is(driver.recv(id, 536), 'c');
  assert.is(driver.recv(id, 536), '');
  c.end();
  net.pump();
  assert.is(driver.recv(id, 536), -1);
  driver.close(id);
  assert.is(driver.recv(id, 536), -1);
});

test('backpressure: a slow Espruino program holds the sender back; nothing is lost or overflows', () => {
  const { net, driver, model } = setup({ rxBytes: 1024 });
  let got = '';
  model.net().createServer((c) => { c.on('data', (d: string) => { got += d; }); }).listen(80);
  const c = net.connect({ host: '10.0.0.1', port: 80 }, { rxBytes: 1024, txBytes: 1024 });
  const data = pattern(50000);
  c.write(Uint8Array.from(Buffer.from(data, 'latin1')));
  // Espruino polls only every 10th network step here: the TCP window must close meanwhile.
  let maxHeld = 0;
  for (let i = 0; i < 200000 && got.length < data.length; i++) {
    if (i % 10 === 0) model.loop();
    net.pumpOnce();
    const server = net.sockets.find((s) => s !== c) as FakeSocket | undefined;
    if (server) maxHeld = Math.max(maxHeld, server.bytesRead - got.length);
  }
  assert.ok(got === data, 'all bytes in order (' + got.length + ')');
  assert.is(driver.counters.overflows, 0);
  assert.ok(maxHeld <= 1024, 'driver held at most its ring: ' + maxHeld);
  assert.equal(model.violations, []);
});

test('send returns 0 while the socket is busy, and Espruino retries', () => {
  const { net, driver, model, run } = setup();
  let received = 0;
  net.createServer(9, (s) => { s.on('data', (d: Uint8Array) => { received += d.length; }); }, { rxBytes: 1024, txBytes: 1024 });
  const s = model.net().connect({ host: '10.0.0.1', port: 9 });
  const sid = s.id;
  assert.is(driver.send(sid, 'x'), 0, 'not connected yet: busy');
  s.write(pattern(30000));
  s.end();
  let closed = false;
  s.on('close', () => { closed = true; });
  run(() => closed && received === 30000);
  assert.is(received, 30000);
  assert.equal(model.violations, []);
});

test('the socket table is bounded: MAX_SOCK for create, refusal for extra connections', () => {
  const { net, driver } = setup({ maxSockets: 2 });
  const sid = driver.create(undefined, 80, 0);
  const a = net.connect({ host: '10.0.0.1', port: 80 });
  const b = net.connect({ host: '10.0.0.1', port: 80 });
  let bReset = false;
  b.on('error', () => { bReset = true; });
  net.pump();
  assert.ok(driver.accept(sid) >= 0);
  assert.ok(bReset, 'the connection beyond the table was reset');
  assert.is(driver.counters.refused, 1);
  assert.is(driver.create('10.0.0.1', 80, 0), SOCKET_ERR_MAX_SOCK);
  void a;
});

test('UDP: datagrams carry the 8-byte address/port/length header both ways', () => {
  const sent: Array<{ from: number; addr: string; port: number; data: string }> = [];
  let deliver: ((addr: string, port: number, data: Uint8Array) => void) | null = null;
  const udp: NetUdp = {
    bind(port, onMessage) {
      deliver = onMessage;
      return { port: port || 49152, close() { deliver = null; } };
    },
    send(from, addr, port, data) {
      sent.push({ from, addr, port, data: text(data) });
      return true;
    },
  };
  const { driver } = setup({ udp });
  const id = driver.create(undefined, 5000, 2);
  assert.ok(id >= 0);
  assert.is(driver.recv(id, 536, 2), '');
  (deliver as any)('192.168.1.20', 0x1234, Uint8Array.from([104, 105, 0, 255]));
  const r = driver.recv(id, 536, 2) as string;
  assert.equal([...r].map((ch) => ch.charCodeAt(0)), [192, 168, 1, 20, 0x34, 0x12, 4, 0, 104, 105, 0, 255]);
  const out = String.fromCharCode(10, 0, 0, 2, 0x35, 0, 3, 0) + 'abc';
  assert.is(driver.send(id, out, 2), 11);
  assert.equal(sent, [{ from: 5000, addr: '10.0.0.2', port: 53, data: 'abc' }]);
  driver.close(id);
  assert.is(deliver, null);
});

/** Records the socket type of every create/recv/send call the model makes. */
function typesSeen(driver: NetworkJsDriver): Set<number> {
  const seen = new Set<number>();
  for (const name of ['create', 'recv', 'send'] as const) {
    const orig = (driver as any)[name].bind(driver); // eslint-disable-line @typescript-eslint/no-explicit-any
    (driver as any)[name] = (...args: unknown[]) => { seen.add(args[2] as number); return orig(...args); }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  return seen;
}

test('an unmodified Espruino http server runs over the driver: GET and POST with a body, HTTP/1.0 close', () => {
  const { net, driver, model, run } = setup();
  const types = typesSeen(driver);
  const program = new Function('require', `
    var http = require("http");
    http.createServer(function (req, res) {
      var body = "";
      req.on("data", function (d) { body += d; });
      req.on("end", function () {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end(req.method + " " + req.url + " " + body.length);
      });
    }).listen(8080);
  `);
  program((name: string) => (name === 'http' ? model.http() : undefined));
  const fetch = (request: string) => {
    const c = net.connect({ host: '10.0.0.1', port: 8080 });
    const st = { got: '', closed: false };
    c.on('data', (d: Uint8Array) => { st.got += text(d); });
    c.on('end', () => c.end());
    c.on('close', () => { st.closed = true; });
    c.write(request);
    return st;
  };
  const get = fetch('GET /hello?x=1 HTTP/1.1\r\nHost: device\r\n\r\n');
  const body = pattern(3000);
  const post = fetch('POST /upload HTTP/1.1\r\nHost: device\r\nContent-Length: 3000\r\n\r\n' + body);
  run(() => get.closed && post.closed);
  assert.match(get.got, /^HTTP\/1\.0 200 OK\r\n/);
  assert.match(get.got, /Content-Type: text\/plain\r\n\r\nGET \/hello\?x=1 0$/);
  assert.match(post.got, /\r\n\r\nPOST \/upload 3000$/);
  assert.equal([...types], [SOCKET_TYPE_HTTP]);
  assert.equal(model.violations, []);
});

test('an unmodified Espruino http.get client fetches from the firmware HTTP server, byte-exact', () => {
  const { net, driver, model, run } = setup();
  const types = typesSeen(driver);
  startHttp(net as never, () => ({ board: 't', chip: 'none', uptimeMs: 0, address: '', gateway: '', mac: '', dhcp: false,
    link: true, connections: 0, counters: {}, memory: null, internalErrors: 0, lastInternalError: '', appErrors: 0, lastAppError: '' }), { port: 80, buffers: { rxBytes: 1024, txBytes: 1024 } });
  const state = { status: 0, type: '', body: '', closed: false, errors: 0 };
  const program = new Function('require', 'state', `
    require("http").get("http://10.0.0.7/bytes/5000", function (res) {
      state.status = res.statusCode;
      state.type = res.headers["Content-Type"] || res.headers["content-type"];
      res.on("data", function (d) { state.body += d; });
      res.on("close", function () { state.closed = true; });
    }).on("error", function () { state.errors++; });
  `);
  program((name: string) => (name === 'http' ? model.http() : undefined), state);
  run(() => state.closed);
  assert.is(state.status, 200);
  assert.is(state.body.length, 5000);
  let want = '';
  while (want.length < 5000) want += BYTES_PATTERN;
  assert.ok(state.body === want.substring(0, 5000), 'byte-exact');
  assert.is(state.errors, 0);
  assert.equal([...types], [SOCKET_TYPE_HTTP]);
  assert.equal(model.violations, []);
});

test.run();
