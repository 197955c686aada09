// What both echo services do with a stream of 'data' views: copy each (one native set) and write it,
// pausing the source while the destination is full.
//
// 'data' chunks are views into a receive buffer, valid only during the callback, while write() keeps
// a reference to whatever does not fit: so each chunk is first copied into a buffer that stays
// untouched until 'drain'. A chunk that arrives despite the pause (already in flight) gets a new one.

export interface Source {
  on(event: string, fn: (...args: any[]) => void): unknown;
  pause(): void;
  resume(): void;
}

export interface Sink {
  on(event: string, fn: (...args: any[]) => void): unknown;
  write(data: Uint8Array): boolean;
}

/** Writes every chunk `src` emits to `dst`, adding its length to `tally.bytes` if a tally is given. */
export function copyThrough(src: Source, dst: Sink, tally?: { bytes: number }): void {
  let carry: Uint8Array | null = null;
  let waiting = false;
  src.on('data', function (chunk: Uint8Array) {
    const n = chunk.length;
    if (!carry || carry.length < n || waiting) carry = new Uint8Array(n);
    carry.set(chunk, 0);
    if (tally) tally.bytes += n;
    if (!dst.write(n === carry.length ? carry : carry.subarray(0, n))) {
      waiting = true;
      src.pause();
    }
  });
  dst.on('drain', function () {
    if (!waiting) return;
    waiting = false;
    src.resume();
  });
}
