// Decoder for the chunked transfer coding of request bodies (RFC 9112 §7.1). Streams: data is handed
// on as views of the input (no copies, no per-byte loops: line ends are found with indexOf).
import { bytesToString } from '../bytes';

const SIZE = 0;
const DATA = 1;
const DATA_END = 2; // the CRLF after chunk-data
const TRAILER = 3;
const DONE = 4;
const ERROR = 5;

/** Longest chunk-size line (with extensions) or trailer line we accept. */
const MAX_LINE = 256;

/** Where decoded body bytes go. */
export interface BodySink {
  /** A view of body bytes, valid during the call. */
  deliver(v: Uint8Array): void;
  /** True (e.g. the application paused) makes `feed` return after the current piece. */
  stopped(): boolean;
}

export class ChunkedDecoder {
  private state!: number;
  private line!: string;
  private remaining!: number;
  private endSeen!: number;
  /** Total body bytes decoded so far. */
  total!: number;

  constructor() {
    this.reset();
  }

  /** Ready for a new body. */
  reset(): void {
    this.state = SIZE;
    this.line = '';
    this.remaining = 0;
    this.endSeen = 0;
    this.total = 0;
  }

  /** The last chunk and the trailer section have been read. */
  done(): boolean {
    return this.state === DONE;
  }

  /**
   * Consumes bytes from `buf[off, end)`, handing body bytes to `sink`. Returns the offset where
   * it stopped: `end` if all was consumed, less once the last chunk and trailers are done (the rest
   * belongs to the next request), or -1 on a malformed body.
   */
  feed(buf: Uint8Array, off: number, end: number, sink: BodySink): number {
    while (off < end) {
      const st = this.state;
      if (st === DATA) {
        const n = Math.min(this.remaining, end - off);
        this.remaining -= n;
        this.total += n;
        if (this.remaining === 0) {
          this.state = DATA_END;
          this.endSeen = 0;
        }
        sink.deliver(buf.subarray(off, off + n));
        off += n;
        if (sink.stopped()) return off;
      } else if (st === DATA_END) {
        // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
        const want = this.endSeen === 0 ? 13 : 10;
        if (buf[off] !== want) return this.fail();
        off++;
        if (++this.endSeen === 2) this.state = SIZE;
      } else if (st === SIZE || st === TRAILER) {
        const lf = buf.indexOf(10, off);
        const stopAt = lf < 0 || lf >= end ? end : lf;
        if (this.line.length + (stopAt - off) > MAX_LINE) return this.fail();
        this.line += bytesToString(buf.subarray(off, stopAt));
        if (stopAt === end) return end;
        off = stopAt + 1;
        let line = this.line;
        this.line = '';
        if (line.charAt(line.length - 1) !== '\r') return this.fail();
        line = line.substring(0, line.length - 1);
        if (st === SIZE) {
          const semi = line.indexOf(';'); // chunk-ext is ignored (RFC 9112 §7.1.1)
          const hex = (semi < 0 ? line : line.substring(0, semi)).trim();
          // At most 7 hex digits: chunks under 256 MB, far above any body we take.
          if (hex.length === 0 || hex.length > 7 || !/^[0-9a-fA-F]+$/.test(hex)) return this.fail();
          this.remaining = parseInt(hex, 16);
          this.state = this.remaining === 0 ? TRAILER : DATA;
        } else if (line.length === 0) {
          this.state = DONE; // trailer fields are read and discarded (RFC 9112 §7.1.2)
          return off;
        }
      } else if (st === DONE) {
        return off;
      } else {
        return -1;
      }
    }
    return off;
  }

  private fail(): number {
    this.state = ERROR;
    return -1;
  }
}
