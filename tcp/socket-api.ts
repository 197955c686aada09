// The application API, the same on the device and on the host. Modelled on Node's and Espruino's `net`.
// Implemented by tcp/tcp/ (TCP) over the interface in tcp/iface/.

export interface SocketBuffers {
  /** Receive buffer bytes (the advertised window follows its free space). */
  rxBytes?: number;
  /** Send buffer bytes (unacknowledged + not yet sent data). */
  txBytes?: number;
}

export interface TcpSocketApi {
  /**
   * 'connect' ()           — an active open completed
   * 'data'    (chunk)      — received bytes in order. `chunk` is a Uint8Array VIEW into the receive
   *                          buffer, valid only during the callback: copy it to keep it.
   * 'end'     ()           — the peer sent FIN (we may still write: half-close)
   * 'drain'   ()           — everything passed to write() has been moved into the send buffer
   * 'error'   (err: Error) — err.message is one of: 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT',
   *                          'EPIPE' (write after end), 'EHOSTUNREACH' (ARP/route failure),
   *                          'ENOBUFS' (write refused: too much held, see write(); not fatal)
   * 'close'   (hadError)   — the connection is gone; no more events follow
   */
  on(event: string, fn: (...args: any[]) => void): this;
  /**
   * Queues bytes for sending. Takes what fits in the send buffer and keeps a reference to the rest
   * (never copied, never dropped) until space frees. Returns false when anything is left waiting:
   * then wait for 'drain' before writing more. What is held is bounded (TcpConfig
   * maxPendingWriteBytes / maxPendingWrites): a call that would pass the bound is refused whole —
   * false, 'error' with 'ENOBUFS', none of it taken; earlier data is still sent and the connection
   * stays up (writes of at most 16 bytes — protocol framing — count against maxPendingWrites only).
   * Strings are sent as bytes (one byte per char code).
   */
  write(data: Uint8Array | string): boolean;
  /** Writes `data` if given, then sends FIN once everything queued is sent. */
  end(data?: Uint8Array | string): void;
  /** Aborts: sends RST if connected, drops all buffered data, emits 'close'. */
  destroy(): void;
  /** Stops / restarts 'data' events; while paused received bytes stay in the buffer and the window closes. */
  pause(): void;
  resume(): void;
  setNoDelay(noDelay?: boolean): this;
  /** Idle timeout: emits 'timeout' after `ms` without traffic (0 disables). */
  setTimeout(ms: number, onTimeout?: () => void): this;
  setKeepAlive(enable: boolean, initialDelayMs?: number): this;
  /**
   * Whether this connection may be ended (RST, 'error' ECONNABORTED) to free its slot when every slot
   * is taken and a new peer has completed its handshake (so spoofed SYNs never evict anyone):
   * - 'never' (the default);
   * - 'quiet': once nothing has come from the peer for the stack's evictQuietMs (a client that trickles
   *   a body, or reads a response at a crawl; one that is working is never pushed out);
   * - 'idle': any time: the application is only waiting for the peer (an HTTP connection between
   *   requests, or one whose request head has not all come).
   * Half-open connections go first, then 'idle' ones, then 'quiet' ones; in each, the quietest.
   */
  setEvictable(when: Evictable): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Bytes accepted by write() but not yet acknowledged by the peer. */
  readonly bufferedAmount: number;
}

export interface TcpServerApi {
  /** 'connection' (socket), 'error' (err), 'close' () */
  on(event: string, fn: (...args: any[]) => void): this;
  close(): void;
  readonly port: number;
}

/** When a connection may give its slot to a new one (TcpSocketApi.setEvictable). */
export type Evictable = 'never' | 'quiet' | 'idle';
