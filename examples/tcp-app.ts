// A device application of your own, on the stack's socket API (tcp/socket-api.ts; tcp/stack.ts for
// createServer and connect). Build it for a board and flash it like the firmware:
//   npm run build -- --entry examples/tcp-app.ts --board pico --ip 192.168.1.50/24
//   npm run flash -- --port /dev/ttyACM0 --file dist/firmware.js --save
// The board comes up as with the default firmware (firmware/boot.ts: chip, address, the configured echo
// and HTTP apps), then this app adds:
//   - a server on TCP port 5000: it answers every line it gets with "N: LINE" (N counts the lines of
//     that connection), and "bye after N lines" when the client closes its side;
//   - a client: once a minute (and once at start) it connects to COLLECTOR and sends one line,
//     "up S s, C connections", then closes.
// Rules that keep a device healthy (README "Writing your own device app"): do nothing per byte in
// JavaScript (find lines with indexOf, not a loop), keep what you hold per connection bounded, and
// listen for 'error' on every socket (it is followed by 'close').
import { boot } from '../firmware/boot';
import { TcpSocketApi } from '../tcp/socket-api';
import { bytesToString } from '../firmware/bytes';

/** Where the client reports to: a host on your network (`nc -lk 9999` there shows the lines). */
const COLLECTOR = { host: '10.0.2.2', port: 9999 };
const SERVER_PORT = 5000;
const REPORT_EVERY_MS = 60000;
/** The longest line kept while waiting for its end; a longer one is cut there (bounded memory). */
const MAX_LINE = 256;

declare function setInterval(fn: () => void, ms: number): unknown;
declare function getTime(): number;

boot(function (device, log) {
  const stack = device.stack;

  stack.createServer(SERVER_PORT, function (sock: TcpSocketApi) {
    let lines = 0;
    let partial = '';
    // While it only waits for the client, this connection may give its slot to a new client when all
    // are taken (tcp/socket-api.ts setEvictable).
    sock.setEvictable('idle');
    sock.on('data', function (chunk: Uint8Array) {
      let text = partial + bytesToString(chunk);
      let nl = text.indexOf('\n');
      let reply = '';
      while (nl >= 0) {
        lines++;
        reply += lines + ': ' + text.substring(0, nl) + '\n';
        text = text.substring(nl + 1);
        nl = text.indexOf('\n');
      }
      partial = text.length > MAX_LINE ? text.substring(0, MAX_LINE) : text;
      if (reply) sock.write(reply);
    });
    sock.on('end', function () { sock.end('bye after ' + lines + ' lines\n'); });
    sock.on('error', function () { /* 'close' follows */ });
  });

  const startedAt = getTime();
  const report = function (): void {
    const c = stack.connect({ host: COLLECTOR.host, port: COLLECTOR.port });
    c.on('connect', function () {
      c.end('up ' + Math.round(getTime() - startedAt) + ' s, ' + stack.tcp.sockets.length + ' connections\n');
    });
    c.on('error', function (e: Error) { log('report to ' + COLLECTOR.host + ':' + COLLECTOR.port + ' failed: ' + e.message); });
  };
  report();
  setInterval(report, REPORT_EVERY_MS);
  log('tcp-app: lines on :' + SERVER_PORT + ', reports to ' + COLLECTOR.host + ':' + COLLECTOR.port);
});
