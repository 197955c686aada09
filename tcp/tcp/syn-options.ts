// What the peer's SYN sets up on a connection (RFC 9293 §3.10.7.2/§3.10.7.3): the send MSS and the
// initial congestion window that goes with it, window scaling (RFC 7323 §2), SACK-permitted (RFC 2018
// §2), and the send window. Used by the LISTEN path (tcp.ts), SYN-SENT (input.ts) and SYN cookies.
import { TcpRepr } from '../wire/reprs';
import { TcpSocket, F_OFFER_WS, F_SACK_OK } from './socket';
import { SACK } from './sack';
import { WINDOW_SCALING, shiftFor } from './window-scale';

/** Smallest send MSS we use (a peer announcing less gets this; see applySynOptions). */
export const MIN_SND_MSS = 64;

/** The send MSS and the initial window that goes with it (RFC 5681 §3.1: min(4*SMSS, max(2*SMSS, 4380 bytes))). */
export function setSndMss(sock: TcpSocket, mss: number): void {
  sock.sndMss = mss;
  const iw = 2 * mss > 4380 ? 2 * mss : 4380;
  sock.cwnd = iw < 4 * mss ? iw : 4 * mss;
}

/** The peer's MSS option (536 without one, RFC 9293 §3.7.1), at most `ourMss`. */
export function peerMss(seg: TcpRepr, ourMss: number): number {
  const mss = seg.mss > 0 ? seg.mss : 536;
  return mss < ourMss ? mss : ourMss;
}

/** Sets up the send MSS, window scaling and SACK from the peer's SYN `seg` (`ourMss`: MTU − 40, at most config.mss). */
export function applySynOptions(sock: TcpSocket, seg: TcpRepr, ourMss: number,
  config: { readonly windowScaling: boolean; readonly sack: boolean }): void {
  // RFC 9293 §3.7.1: without an MSS option assume 536 (RFC 879, RFC 6691); never exceed our own MTU
  // or configuration, and honour the peer's exact value. Only an absurd announcement (below
  // MIN_SND_MSS) is raised to that floor: segments of a few bytes would cost more in headers and polls
  // than they carry (Linux has the same guard, tcp_min_snd_mss = 48).
  let mss = peerMss(seg, ourMss);
  if (mss < MIN_SND_MSS) mss = MIN_SND_MSS;
  setSndMss(sock, mss);
  // RFC 7323 §2.2: window scaling is in force only when both SYNs carry the option. An active open
  // offered it already; a passive one answers with it only when the peer offered it.
  if (WINDOW_SCALING && seg.windowScale >= 0 && config.windowScaling) {
    sock.sndShift = seg.windowScale;
    sock.rcvShift = shiftFor(sock.rx.buf.length);
    sock.flags |= F_OFFER_WS;
  } else {
    sock.sndShift = 0;
    sock.rcvShift = 0;
    sock.flags &= ~F_OFFER_WS;
  }
  // RFC 2018 §2: SACK blocks may be sent only when the peer's SYN said SACK-permitted.
  if (SACK && seg.sackPermitted && config.sack) sock.flags |= F_SACK_OK;
  else sock.flags &= ~F_SACK_OK;
}

/** The send window from a segment that synchronizes (its SEG.SEQ and SEG.ACK become SND.WL1, SND.WL2). */
export function setSendWindow(sock: TcpSocket, wnd: number, seq: number, ack: number): void {
  sock.sndWnd = wnd;
  sock.maxSndWnd = wnd;
  sock.sndWl1 = seq;
  sock.sndWl2 = ack;
}
