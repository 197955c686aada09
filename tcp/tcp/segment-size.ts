// How large the segments we send are: the send path cuts data to it, and early retransmit counts the
// segments in flight with it.
import { TcpSocket } from './socket';

/**
 * The size of the segments to send: the MSS, except in a small window. The window a sender can fill is
 * the peer's largest offered window, capped by our send buffer. When that is not a multiple of the MSS,
 * its tail is a short segment that sender SWS avoidance and Nagle hold until the ACK (RFC 9293
 * §3.8.6.2.1, §3.7.4): 2 KB = 1,460 + 588 sends 1,460 a round trip. Equal segments that fill it (to
 * within two bytes each) go out together, and an even number of them, so that a peer that ACKs every
 * second segment (RFC 5681 §4.2) ACKs the last one at once instead of at its delayed-ACK timer (with
 * one or three, the odd one waits for it). From 8 segments up the tail is small beside the window, and
 * full-size segments cost less (fewer headers, less work per byte on the device).
 */
export function segmentSize(sock: TcpSocket): number {
  const mss = sock.sndMss;
  const cap = sock.tx.buf.length;
  const w = sock.maxSndWnd < cap ? sock.maxSndWnd : cap;
  if (w < 512 || w >= 8 * mss) return mss;
  const n = 2 * Math.ceil(w / (2 * mss)); // an even number: every segment is ACKed at once, in pairs
  // An even size (w / n rounded down, then to even; w < 2^31): consecutive segments then start at even
  // places in the send ring, whose copy out goes as 16-bit words (ring.ts copyBytes) instead of bytes
  // every other segment (8 KB: 6 × 1,364, not 1,365; 8 bytes wait for the next window).
  return (w / n) & ~1;
}
