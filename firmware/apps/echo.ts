// The echo service (RFC 862) on TCP port 7: everything received is sent back. Backpressure: when the
// send buffer is full we stop reading (pause) until it drains. Half-close aware: after the client's FIN
// we finish echoing what we have, then send our own FIN (end() queues it behind the data).
import { TcpSocketApi, TcpServerApi, SocketBuffers } from '../../tcp/socket-api';
import { ServerHost } from './types';
import { copyThrough } from './copy-through';

export interface EchoCounters {
  connections: number;      // currently open
  connectionsTotal: number;
  bytes: number;            // bytes echoed
}

export interface EchoService {
  server: TcpServerApi;
  counters: EchoCounters;
}

/** Serves one connection: echoes with backpressure (see copy-through.ts), FIN after the client's. */
export function echoConnection(sock: TcpSocketApi, counters: EchoCounters): void {
  counters.connections++;
  counters.connectionsTotal++;
  copyThrough(sock, sock, counters);
  // When every slot is taken, an echo connection that has been quiet a while gives its slot to a new
  // client (tcp/socket-api.ts setEvictable).
  sock.setEvictable('quiet');
  sock.on('end', function () {
    sock.end(); // FIN after everything already queued (RFC 9293 §3.6: half-close)
  });
  sock.on('error', function () { /* 'close' follows */ });
  sock.on('close', function () {
    counters.connections--;
  });
}

export function startEcho(host: ServerHost, port?: number, buffers?: SocketBuffers): EchoService {
  const counters: EchoCounters = { connections: 0, connectionsTotal: 0, bytes: 0 };
  const server = host.createServer(port === undefined ? 7 : port, function (sock: TcpSocketApi) {
    echoConnection(sock, counters);
  }, buffers);
  return { server, counters };
}
