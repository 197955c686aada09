// TIME_WAIT kept compactly (RFC 9293 §3.10.7.4, TIME-WAIT STATE): a closed connection leaves only its
// 4-tuple, two sequence numbers and an expiry time here, not its buffers. Bounded: when full, the
// entry closest to expiry is reclaimed (counted by the caller). Entries are parallel arrays of numbers.
import { TcpRepr, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../wire/reprs';
import { seqGt } from './seq';

export const TW_DROP = 0; // segment handled (maybe an ACK is due), nothing more to do
export const TW_REOPEN = 1; // a new SYN: the entry is gone, hand the segment to the listener

export class TimeWaitTable {
  readonly localIp: number[] = [];
  readonly localPort: number[] = [];
  readonly remoteIp: number[] = [];
  readonly remotePort: number[] = [];
  /** Our SND.NXT (the sequence number of our ACKs) and RCV.NXT (after the peer's FIN). */
  readonly snd: number[] = [];
  readonly rcv: number[] = [];
  readonly until: number[] = [];
  /** An ACK is owed (the FIN that brought us here, or a repeated one). */
  readonly ackDue: boolean[] = [];

  constructor(private readonly slots: number, private readonly lifetimeMs: number) {}

  get count(): number {
    return this.until.length;
  }

  /** Adds an entry; returns true when another had to be reclaimed for it. */
  add(localIp: number, localPort: number, remoteIp: number, remotePort: number, snd: number, rcv: number,
    nowMs: number): boolean {
    let reclaimed = false;
    if (this.until.length >= this.slots) {
      let oldest = 0;
      for (let i = 1; i < this.until.length; i++) if (this.until[i] < this.until[oldest]) oldest = i;
      this.remove(oldest);
      reclaimed = true;
    }
    this.localIp.push(localIp);
    this.localPort.push(localPort);
    this.remoteIp.push(remoteIp);
    this.remotePort.push(remotePort);
    this.snd.push(snd);
    this.rcv.push(rcv);
    this.until.push(nowMs + this.lifetimeMs);
    this.ackDue.push(true);
    return reclaimed;
  }

  find(localIp: number, localPort: number, remoteIp: number, remotePort: number): number {
    for (let i = 0; i < this.until.length; i++) {
      if (this.localPort[i] === localPort && this.remotePort[i] === remotePort &&
          this.remoteIp[i] === remoteIp && this.localIp[i] === localIp) return i;
    }
    return -1;
  }

  usesPort(port: number): boolean {
    for (let i = 0; i < this.localPort.length; i++) if (this.localPort[i] === port) return true;
    return false;
  }

  remove(i: number): void {
    this.localIp.splice(i, 1);
    this.localPort.splice(i, 1);
    this.remoteIp.splice(i, 1);
    this.remotePort.splice(i, 1);
    this.snd.splice(i, 1);
    this.rcv.splice(i, 1);
    this.until.splice(i, 1);
    this.ackDue.splice(i, 1);
  }

  /**
   * A segment for entry `i`. RST removes it; a SYN above the old RCV.NXT may reopen the 4-tuple
   * (RFC 9293 §3.10.7.4, RFC 6191); a repeated FIN is acknowledged again and restarts the 2 MSL
   * wait; anything else unexpected gets an ACK.
   */
  segment(i: number, seg: TcpRepr, nowMs: number): number {
    if (seg.flags & TCP_RST) {
      this.remove(i);
      return TW_DROP;
    }
    if ((seg.flags & TCP_SYN) && !(seg.flags & TCP_ACK) && seqGt(seg.seq, this.rcv[i])) {
      this.remove(i);
      return TW_REOPEN;
    }
    if (seg.flags & TCP_FIN) this.until[i] = nowMs + this.lifetimeMs;
    if ((seg.flags & (TCP_FIN | TCP_SYN)) || seg.payloadLength > 0 || seg.seq !== this.rcv[i]) this.ackDue[i] = true;
    return TW_DROP;
  }
}
