// The echo service (RFC 862) on TCP port 7: everything received is sent back. Backpressure: when the
// send buffer is full we stop reading (pause) until it drains. Half-close aware: after the client's FIN
// we finish echoing what we have, then send our own FIN (end() queues it behind the data).
import { TcpSocketApi, TcpServerApi, SocketBuffers } from '../../tcp/socket-api';
import { ServerHost } from './types';

export interface EchoCounters {
  connections: number;      // currently open
  connectionsTotal: number;
  bytes: number;            // bytes echoed
}

export interface EchoService {
  server: TcpServerApi;
  counters: EchoCounters;
}

/**
 * Serves one connection. 'data' chunks are views into the receive buffer, valid only during the
 * callback, while write() keeps a reference to whatever does not fit: so each chunk is first copied
 * (one native set) into a per-connection buffer that stays untouched until 'drain'.
 */
export function echoConnection(sock: TcpSocketApi, counters: EchoCounters): void {
  let carry: Uint8Array | null = null;
  let waiting = false;
  counters.connections++;
  counters.connectionsTotal++;
  sock.on('data', function (chunk: Uint8Array) {
    const n = chunk.length;
    // A chunk despite the pause (already in flight) must not overwrite bytes still referenced.
    if (!carry || carry.length < n || waiting) carry = new Uint8Array(n);
    carry.set(chunk, 0);
    counters.bytes += n;
    if (!sock.write(n === carry.length ? carry : carry.subarray(0, n))) {
      waiting = true;
      sock.pause();
    }
  });
  sock.on('drain', function () {
    if (!waiting) return;
    waiting = false;
    sock.resume();
  });
  sock.on('end', function () {
    sock.end(); // FIN after everything already queued (RFC 9293 §3.6: half-close)
  });
  sock.on('error', function () { /* 'close' follows */ });
  sock.on('close', function () {
    counters.connections--;
    carry = null;
  });
}

export function startEcho(host: ServerHost, port?: number, buffers?: SocketBuffers): EchoService {
  const counters: EchoCounters = { connections: 0, connectionsTotal: 0, bytes: 0 };
  const server = host.createServer(port === undefined ? 7 : port, function (sock: TcpSocketApi) {
    echoConnection(sock, counters);
  }, buffers);
  return { server, counters };
}
