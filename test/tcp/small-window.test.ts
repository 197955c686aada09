// A small send window (a board's 1-4 KB buffers) against a peer that delays its ACKs: the window goes out
// as an even number of equal segments (tcp/tcp/output.ts segmentSize), so the peer's every-second-segment
// rule ACKs each flight at once and the transfer runs at one window per round trip. With one segment in
// flight, or a tail held back by SWS avoidance, each round trip would wait for the peer's ACK timer.
// Virtual clock: deterministic.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePair, B_ADDR } from '../../tools/model/pair';
import { TcpSocket } from '../../tcp/tcp/socket';
import { segmentSize } from '../../tcp/tcp/segment-size';

const RTT_MS = 20;
const DELAYED_ACK_MS = 200; // the longest RFC 1122 §4.2.3.2 allows is 500; Linux's is 40-200

/** Virtual ms to move `total` bytes from a sender with `txBytes` of send buffer; the sizes of its segments. */
function transfer(txBytes: number, total: number): { ms: number; sizes: number[] } {
  const p = makePair({ delayMs: RTT_MS / 2, bitsPerSecond: 10_000_000 }, 1, { delayedAckMs: DELAYED_ACK_MS, maxBurst: 64 });
  let got = 0;
  p.b.createServer(5001, (s: TcpSocket) => { s.on('data', (d: Uint8Array) => { got += d.length; }); }, { rxBytes: 16384 });
  const c = p.a.connect({ host: B_ADDR, port: 5001 }, { txBytes });
  const block = new Uint8Array(total);
  let start = -1;
  const sizes: number[] = [];
  c.on('connect', () => { start = p.clock.nowMs(); c.write(block); });
  const origSend = (p.a.tcp as any).sendSegment.bind(p.a.tcp); // eslint-disable-line @typescript-eslint/no-explicit-any
  (p.a.tcp as any).sendSegment = (ip: unknown, sock: unknown, flags: number, seq: number, off: number, len: number) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (len > 0 && sizes.length < 64) sizes.push(len);
    return origSend(ip, sock, flags, seq, off, len);
  };
  p.run(() => got >= total, 1_000_000);
  assert.is(got, total);
  return { ms: p.clock.nowMs() - start, sizes };
}

for (const tx of [1024, 2048, 3072, 4096]) {
  test(tx + ' bytes of send buffer against a peer that delays its ACKs by ' + DELAYED_ACK_MS + ' ms: no round trip waits for its timer', () => {
    const total = 32 * tx;
    const { ms, sizes } = transfer(tx, total);
    // Equal segments, an even number of them a window, each at most the MSS.
    const size = sizes[0];
    assert.ok(size <= 1460 && sizes.every((n) => n === size), 'equal segments: ' + sizes.join(','));
    assert.is((tx / size) % 2, 0, 'an even number of segments fill the window: ' + size);
    // 32 windows at one window per round trip: ~32 RTTs (plus slow start and serialisation). A flight
    // waiting for the peer's ACK timer would add 200 ms each.
    const rtts = ms / RTT_MS;
    assert.ok(rtts < 32 * 1.25, 'took ' + ms + ' ms = ' + rtts.toFixed(1) + ' round trips for 32 windows');
  });
}

test('a small window is cut into an even number of equal segments of an even size (16-bit ring copies)', () => {
  for (const [w, want] of [[8192, 1364], [6000, 1000], [4999, 1248], [3072, 768], [5000, 1250], [1000, 500], [7001, 1166]]) {
    const sock = { sndMss: 1460, maxSndWnd: w, tx: { buf: { length: 65536 } } } as unknown as TcpSocket;
    const size = segmentSize(sock);
    assert.is(size, want, 'window ' + w);
    const n = 2 * Math.ceil(w / 2920); // the fewest even number of segments of at most the MSS
    assert.ok(size % 2 === 0 && n * size <= w && w - n * size < 2 * n, 'window ' + w + ': ' + n + ' × ' + size);
  }
});

test.run();
