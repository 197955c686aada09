// The ARP cache (RFC 826 "Packet Reception"; RFC 1122 §2.3.2) and the queue of datagrams that wait
// for an address to be resolved (RFC 1122 §2.3.2.2: "SHOULD save at least one ... packet").
//
// Everything is bounded up front: `size` entries (the least recently confirmed one is reused when full)
// and `queueLimit` waiting frames in total. Entries are made when first needed (a device that talks to
// one gateway holds one), then kept and reused; nothing is preallocated. Entries are only created for addresses we asked about or
// for hosts that ARP for us (RFC 826 merge algorithm), never from unsolicited replies, so a stranger
// cannot fill the cache or redirect traffic to addresses we never talked to.
import { Ipv4Address } from '../wire/reprs';

export const ARP_FREE = 0;
/** Resolution in progress: requests are being sent. */
export const ARP_PENDING = 1;
/** Address known until `expiresAt`. */
export const ARP_RESOLVED = 2;

export interface ArpEntry {
  state: number;
  ip: Ipv4Address;
  /** Preallocated; valid when RESOLVED. */
  mac: Uint8Array;
  /**
   * RESOLVED: when the entry stops being used (confirmation time + TTL, the same TTL for every entry,
   * so it also orders entries by when they were last confirmed). PENDING: when it was created.
   */
  expiresAt: number;
  /** When the next (re)request is due (PENDING, or RESOLVED being refreshed); Infinity if none. */
  nextRequestAt: number;
  /** Requests sent in the current resolution or refresh. */
  requests: number;
}

/** A datagram waiting for its next hop's MAC: a copy of the whole frame (Ethernet header left blank). */
export interface ArpWaiting {
  nextHop: Ipv4Address;
  frame: Uint8Array;
  length: number;
  /** Where the IP header starts (14) and the transport header (for error reports to the transport). */
  protocol: number;
  dst: Ipv4Address;
  transportOffset: number;
}

export class ArpCache {
  readonly entries: ArpEntry[] = [];
  readonly waiting: ArpWaiting[] = [];

  constructor(readonly size: number, readonly queueLimit: number) {}

  find(ip: Ipv4Address): ArpEntry | null {
    const es = this.entries;
    for (let i = 0; i < es.length; i++) if (es[i].state !== ARP_FREE && es[i].ip === ip) return es[i];
    return null;
  }

  /**
   * A free entry, a new one while fewer than `size` exist, or the least recently touched one (pending
   * entries are reused last).
   */
  allocate(ip: Ipv4Address, now: number): ArpEntry {
    const es = this.entries;
    let victim: ArpEntry | null = null;
    for (let i = 0; i < es.length; i++) if (es[i].state === ARP_FREE) { victim = es[i]; break; }
    if (!victim && es.length < this.size) {
      victim = { mac: new Uint8Array(6) } as ArpEntry; // the other fields are set just below
      es.push(victim);
    }
    if (!victim) victim = this.lruVictim();
    // Datagrams still waiting for an evicted pending entry stay queued: the owner's next sweep
    // (Interface.pollArp) finds them without an entry and fails them, outside this call.
    victim.state = ARP_FREE;
    victim.ip = ip;
    victim.expiresAt = now;
    victim.requests = 0;
    victim.nextRequestAt = Infinity;
    return victim;
  }

  /**
   * The entry to reuse when all are taken: pending before resolved, then the oldest pending (created
   * first) or the least recently confirmed resolved one — the smallest expiresAt within a state. A host
   * that answers resolves in milliseconds; a flood from spoofed sources leaves entries pending that will
   * never resolve, and must not push out the peers that are actually talking to us.
   */
  private lruVictim(): ArpEntry {
    const es = this.entries;
    let victim = es[0];
    for (let i = 1; i < es.length; i++) {
      const e = es[i];
      const better = victim.state === ARP_RESOLVED && e.state === ARP_PENDING ? true
        : victim.state === ARP_PENDING && e.state === ARP_RESOLVED ? false : e.expiresAt < victim.expiresAt;
      if (better) victim = e;
    }
    return victim;
  }

  resolve(e: ArpEntry, mac: Uint8Array, now: number, ttlMs: number): void {
    e.state = ARP_RESOLVED;
    e.mac.set(mac.subarray(0, 6));
    e.expiresAt = now + ttlMs;
    e.requests = 0;
    e.nextRequestAt = Infinity;
  }

  free(e: ArpEntry): void {
    e.state = ARP_FREE;
    e.nextRequestAt = Infinity;
  }

  /**
   * Copies `frame[0 .. length)` into the queue. When it is full, the datagram that has waited longest is
   * dropped to make room (returns false then, for the count): it waits for an address that has not
   * answered for longest, most likely never will (a spoofed source), while the new one may be for a
   * host that answers at once.
   */
  enqueue(nextHop: Ipv4Address, frame: Uint8Array, length: number, protocol: number, dst: Ipv4Address, transportOffset: number): boolean {
    let copy: Uint8Array | null = null;
    let dropped = false;
    if (this.waiting.length >= this.queueLimit) {
      // The dropped datagram's copy takes the new one: a flood of answers to sources that never
      // resolve allocates nothing per frame.
      const old = this.waiting.shift() as ArpWaiting;
      dropped = true;
      if (old.frame.length >= length) copy = old.frame;
    }
    if (!copy) copy = new Uint8Array(frame.length);
    copy.set(frame.subarray(0, length));
    this.waiting.push({ nextHop, frame: copy, length, protocol, dst, transportOffset });
    return !dropped;
  }

  /** Removes and returns the waiting datagrams for `nextHop` (their copies are then let go). */
  takeWaiting(nextHop: Ipv4Address): ArpWaiting[] {
    const out: ArpWaiting[] = [];
    const w = this.waiting;
    for (let i = 0; i < w.length;) {
      if (w[i].nextHop === nextHop) out.push(w.splice(i, 1)[0]);
      else i++;
    }
    return out;
  }


  /** Forgets everything (address change). */
  clear(): void {
    for (let i = 0; i < this.entries.length; i++) this.free(this.entries[i]);
    this.waiting.splice(0, this.waiting.length);
  }
}
