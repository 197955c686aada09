// TIME_WAIT kept compactly (RFC 9293 §3.10.7.4, TIME-WAIT STATE): a closed connection leaves only its
// 4-tuple, two sequence numbers and an expiry time here, not its buffers. Bounded: when full, the
// entry closest to expiry is reclaimed (counted by the caller). All entries live in one flat array of
// numbers, TW_FIELDS per entry (an empty table is one empty array: nothing allocated while idle).
import { TcpRepr, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../wire/reprs';
import { seqGt } from './seq';

export const TW_DROP = 0; // segment handled (maybe an ACK is due), nothing more to do
export const TW_REOPEN = 1; // a new SYN: the entry is gone, hand the segment to the listener

// Field offsets within an entry.
export const TW_LOCAL_IP = 0;
export const TW_LOCAL_PORT = 1;
export const TW_REMOTE_IP = 2;
export const TW_REMOTE_PORT = 3;
/** Our SND.NXT (the sequence number of our ACKs) and RCV.NXT (after the peer's FIN). */
export const TW_SND = 4;
export const TW_RCV = 5;
export const TW_UNTIL = 6;
/** 1 when an ACK is owed (the FIN that brought us here, or a repeated one). */
export const TW_ACK_DUE = 7;
export const TW_FIELDS = 8;

export class TimeWaitTable {
  /** Entry i occupies e[i * TW_FIELDS .. (i + 1) * TW_FIELDS). */
  readonly e: number[] = [];

  constructor(private readonly slots: number, private readonly lifetimeMs: number) {}

  /** Entries held. */
  count(): number {
    return this.e.length / TW_FIELDS;
  }

  /** Field `f` (TW_*) of entry `i`. */
  get(i: number, f: number): number {
    return this.e[i * TW_FIELDS + f];
  }

  /** Adds an entry; returns true when another had to be reclaimed for it. */
  add(localIp: number, localPort: number, remoteIp: number, remotePort: number, snd: number, rcv: number,
    nowMs: number): boolean {
    let reclaimed = false;
    const n = this.count();
    if (n >= this.slots) {
      let oldest = 0;
      for (let i = 1; i < n; i++) if (this.get(i, TW_UNTIL) < this.get(oldest, TW_UNTIL)) oldest = i;
      this.remove(oldest);
      reclaimed = true;
    }
    this.e.push(localIp, localPort, remoteIp, remotePort, snd, rcv, nowMs + this.lifetimeMs, 1);
    return reclaimed;
  }

  find(localIp: number, localPort: number, remoteIp: number, remotePort: number): number {
    const e = this.e;
    for (let k = 0; k < e.length; k += TW_FIELDS) {
      if (e[k + TW_LOCAL_PORT] === localPort && e[k + TW_REMOTE_PORT] === remotePort &&
          e[k + TW_REMOTE_IP] === remoteIp && e[k + TW_LOCAL_IP] === localIp) return k / TW_FIELDS;
    }
    return -1;
  }

  usesPort(port: number): boolean {
    const e = this.e;
    for (let k = 0; k < e.length; k += TW_FIELDS) if (e[k + TW_LOCAL_PORT] === port) return true;
    return false;
  }

  remove(i: number): void {
    this.e.splice(i * TW_FIELDS, TW_FIELDS);
  }

  /** Whether entry `i` owes an ACK; clears it. */
  takeAckDue(i: number): boolean {
    const k = i * TW_FIELDS + TW_ACK_DUE;
    const due = this.e[k] === 1;
    this.e[k] = 0;
    return due;
  }

  /**
   * A segment for entry `i`. RST removes it; a SYN above the old RCV.NXT may reopen the 4-tuple
   * (RFC 9293 §3.10.7.4, RFC 6191); a repeated FIN is acknowledged again and restarts the 2 MSL
   * wait; anything else unexpected gets an ACK.
   */
  segment(i: number, seg: TcpRepr, nowMs: number): number {
    const k = i * TW_FIELDS;
    if (seg.flags & TCP_RST) {
      this.remove(i);
      return TW_DROP;
    }
    if ((seg.flags & TCP_SYN) && !(seg.flags & TCP_ACK) && seqGt(seg.seq, this.e[k + TW_RCV])) {
      this.remove(i);
      return TW_REOPEN;
    }
    if (seg.flags & TCP_FIN) this.e[k + TW_UNTIL] = nowMs + this.lifetimeMs;
    if ((seg.flags & (TCP_FIN | TCP_SYN)) || seg.payloadLength > 0 || seg.seq !== this.e[k + TW_RCV]) this.e[k + TW_ACK_DUE] = 1;
    return TW_DROP;
  }
}
