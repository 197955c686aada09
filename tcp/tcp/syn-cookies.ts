// SYN cookies: when a listener's half-open backlog is full, the SYN|ACK's ISN encodes the connection
// instead of a stored entry (the idea of D. J. Bernstein's SYN cookies; RFC 4987 §3.6). A returning ACK
// whose ACK-1 is a valid cookie recreates the connection. Layout of the 32-bit ISN:
//   bits 31..27  a coarse time counter (periods of `periodMs`, mod 32)
//   bits 26..24  an index into MSS_TABLE (the peer's MSS, rounded down to a table entry)
//   bits 23..0   a keyed hash of the 4-tuple, the peer's ISN, the counter and the MSS index
// The key comes from the RandomSource and is replaced every period (the previous one is kept, so a
// cookie is valid for one to two periods). Cost: options other than the MSS (window scale,
// SACK-permitted) are not remembered, so such connections run without them.
import { RandomSource } from '../ports';
import { mix32 } from './hash';

// The MSS a cookie connection uses is the largest entry not above the peer's MSS, so we never send more
// than it asked for (RFC 9293 §3.7.1, RFC 6691). The first entry is the floor for absurd announcements
// (below 64 bytes; see MIN_SND_MSS in syn-options.ts); 536 is the RFC 879 default; the rest are common paths
// (1460 Ethernet, 1440/1452 PPPoE and tunnels, 1360/1380 VPNs, 1200/1220 IPv6-sized tunnels).
const MSS_TABLE = [64, 256, 536, 1024, 1200, 1360, 1440, 1460];

export class SynCookies {
  private readonly keys = [0, 0];
  private period = -2;

  constructor(private readonly random: RandomSource, private readonly periodMs: number) {}

  private rotate(nowMs: number): number {
    const p = Math.floor(nowMs / this.periodMs);
    if (p !== this.period) {
      if (p === this.period + 1) this.keys[p & 1] = this.random.nextU32();
      else {
        this.keys[0] = this.random.nextU32();
        this.keys[1] = this.random.nextU32();
      }
      this.period = p;
    }
    return p;
  }

  private hash(key: number, t: number, mssIdx: number, localIp: number, localPort: number, remoteIp: number,
    remotePort: number, peerIsn: number): number {
    let h = mix32(key ^ localIp);
    h = mix32(h ^ remoteIp);
    h = mix32(h ^ ((localPort << 16) | remotePort));
    h = mix32(h ^ peerIsn);
    h = mix32(h ^ ((t << 3) | mssIdx) ^ key);
    return h & 0xffffff;
  }

  /** The ISN for a SYN|ACK answering `peerIsn` with (at most) `mss`. */
  make(nowMs: number, localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number,
    mss: number): number {
    const p = this.rotate(nowMs);
    let idx = 0;
    for (let i = 0; i < MSS_TABLE.length; i++) if (MSS_TABLE[i] <= mss) idx = i;
    const t = p & 31;
    const h = this.hash(this.keys[p & 1], t, idx, localIp, localPort, remoteIp, remotePort, peerIsn);
    return ((t << 27) | (idx << 24) | h) >>> 0;
  }

  /** Whether `cookie`'s time counter is the current or the previous one (no key needed). */
  plausible(nowMs: number, cookie: number): boolean {
    const p = this.rotate(nowMs);
    const t = cookie >>> 27;
    return t === (p & 31) || t === ((p - 1) & 31);
  }

  /** The MSS encoded in `cookie` if it is valid for this 4-tuple and peer ISN now, else 0. */
  check(nowMs: number, localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number,
    cookie: number): number {
    const p = this.rotate(nowMs);
    const t = cookie >>> 27;
    const idx = (cookie >>> 24) & 7;
    for (let back = 0; back < 2; back++) {
      const q = p - back;
      if ((q & 31) !== t) continue;
      if (this.hash(this.keys[q & 1], t, idx, localIp, localPort, remoteIp, remotePort, peerIsn) === (cookie & 0xffffff)) {
        return MSS_TABLE[idx];
      }
    }
    return 0;
  }
}
