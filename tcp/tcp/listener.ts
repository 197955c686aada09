// A listening port (RFC 9293 LISTEN state) with a bounded backlog: at most `backlog` half-open
// (SYN_RECEIVED) connections, and at most `backlog` established ones waiting to be taken with accept()
// when nobody listens for 'connection'.
import { Emitter } from '../events';
import { TcpServerApi } from '../socket-api';
import { TcpSocket, F_VISIBLE } from './socket';

export interface ListenerHost {
  removeListener(l: TcpListener): void;
  readonly counters: { acceptOverflow: number };
  appError(where: string, e: unknown): void;
}

export class TcpListener extends Emitter implements TcpServerApi {
  halfOpen = 0;
  readonly acceptQueue: TcpSocket[] = [];
  closed = false;

  /** `rxBytes`, `txBytes`: the buffers of each connection accepted here. */
  constructor(private readonly host: ListenerHost, readonly port: number, readonly backlog: number,
    readonly rxBytes: number, readonly txBytes: number) {
    super();
  }

  /** A 'connection' (or 'close') listener threw: counted and reported by the Tcp. */
  protected listenerThrew(event: string, e: unknown): void {
    this.host.appError(event, e);
  }

  /** A connection of ours completed its handshake. */
  onEstablished(sock: TcpSocket): void {
    this.halfOpen--;
    sock.listener = null;
    if (this.closed) {
      sock.destroy(); // the server was closed while this one was half-open: RST
      return;
    }
    if (this.listenerCount('connection') > 0) {
      sock.flags |= F_VISIBLE;
      this.emit('connection', sock);
      if (!sock.closed) sock.deliver(); // data that came early (with the SYN or the ACK)
    } else if (this.acceptQueue.length < this.backlog) {
      this.acceptQueue.push(sock);
    } else {
      this.host.counters.acceptOverflow++;
      sock.destroy();
    }
  }

  /** A half-open connection of ours went away (RST, timeout). */
  onHalfOpenGone(_sock: TcpSocket): void {
    this.halfOpen--;
  }

  /** The next established connection not yet taken, or null (for pollers such as NetworkJS). */
  accept(): TcpSocket | null {
    while (this.acceptQueue.length > 0) {
      const s = this.acceptQueue.shift() as TcpSocket;
      if (s.closed) continue;
      s.flags |= F_VISIBLE;
      return s;
    }
    return null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.removeListener(this);
    while (this.acceptQueue.length > 0) (this.acceptQueue.shift() as TcpSocket).destroy();
    this.emit('close');
  }
}
