// The simulator's live one-line status: refreshed in place (carriage return) on a terminal, printed as
// a periodic line otherwise (only when something changed, so logs stay short).

export interface SimStats {
  uptimeMs: number;
  /** The device's own TCP connections (every client's, forwarded or not): open now, accepted since start. */
  deviceOpen: number;
  deviceAccepted: number;
  /** Connections through the port forwards: open now, and accepted since start. */
  forwardActive: number;
  forwardTotal: number;
  /** Bytes relayed host → device and device → host. */
  bytesToDevice: number;
  bytesFromDevice: number;
  /** The device's TCP: segments received / sent, retransmissions (of every kind: timeout, fast, SACK, loss probe). */
  segmentsIn: number;
  segmentsOut: number;
  retransmits: number;
  /** Everything the device counted as dropped (stack drop counters + driver rx drops). */
  drops: number;
  /** Frames put on the simulated wire, and lost by impairment or queue overflow. */
  wireFrames: number;
  wireLost: number;
}

export function emptySimStats(): SimStats {
  return {
    uptimeMs: 0, deviceOpen: 0, deviceAccepted: 0, forwardActive: 0, forwardTotal: 0, bytesToDevice: 0, bytesFromDevice: 0,
    segmentsIn: 0, segmentsOut: 0, retransmits: 0, drops: 0, wireFrames: 0, wireLost: 0,
  };
}

function formatBytes(n: number): string {
  if (n < 10000) return n + ' B';
  if (n < 10000000) return Math.round(n / 1024) + ' KiB';
  return Math.round(n / 1048576) + ' MiB';
}

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number): string => (x < 10 ? '0' : '') + x;
  return h + ':' + pad(m) + ':' + pad(s % 60);
}

export function formatStatus(s: SimStats): string {
  return (
    'up ' + formatUptime(s.uptimeMs) +
    ' | device conns ' + s.deviceOpen + ' open/' + s.deviceAccepted + ' accepted' +
    ' | forwarded ' + s.forwardActive + ' open/' + s.forwardTotal + ' total' +
    ' | segs in ' + s.segmentsIn + ' out ' + s.segmentsOut +
    ' | retx ' + s.retransmits +
    ' | drops ' + s.drops +
    ' | wire ' + s.wireFrames + ' frames' + (s.wireLost ? ' (' + s.wireLost + ' lost)' : '') +
    ' | fwd ' + formatBytes(s.bytesToDevice) + ' in, ' + formatBytes(s.bytesFromDevice) + ' out'
  );
}

export interface StatusSink {
  write(text: string): void;
}

/**
 * Prints the status. `tty` mode rewrites one line (every `ttyRefreshMs`); `lines` mode prints a line
 * every `intervalMs` when the counters (other than uptime) changed since the last line.
 */
export class StatusPrinter {
  private timer: NodeJS.Timeout | null = null;
  private lastKey = '';
  private lineOpen = false;

  constructor(
    private readonly sink: StatusSink,
    private readonly mode: 'tty' | 'lines' | 'off',
    private readonly collect: () => SimStats,
    private readonly intervalMs: number,
    private readonly ttyRefreshMs = 250,
  ) {}

  start(): void {
    if (this.mode === 'off' || this.timer) return;
    const period = this.mode === 'tty' ? this.ttyRefreshMs : this.intervalMs;
    this.timer = setInterval(() => this.print(), period);
    if (this.mode === 'tty') this.print();
  }

  /** Prints now (tty: in place; lines: only if changed). */
  print(): void {
    if (this.mode === 'off') return;
    const s = this.collect();
    const line = formatStatus(s);
    if (this.mode === 'tty') {
      this.sink.write('\r' + line + '\x1b[K');
      this.lineOpen = true;
      return;
    }
    const key = line.replace(/^up [^|]*\| /, '');
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.sink.write(line + '\n');
  }

  /** Stops refreshing; ends the in-place line so later output starts on a fresh line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.lineOpen) {
      this.print();
      this.sink.write('\n');
      this.lineOpen = false;
    }
  }
}
