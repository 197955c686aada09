// Test rig for the interface: our Interface on one end of a VirtualWire, an in-memory peer on the
// other, a virtual clock. The peer builds frames with tcp/wire/ and parses what we send.
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WirePort } from '../../hal/sim/virtual-wire';
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { SeededRandom } from '../../hal/sim/random';
import { Interface, InterfaceOptions } from '../../tcp/iface/interface';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, IP_PROTO_ICMP, IP_PROTO_UDP, Ipv4Address } from '../../tcp/wire/reprs';
import { emitEthernetHeader, parseEthernet, BROADCAST_MAC, EthernetRepr } from '../../tcp/wire/ethernet';
import { emitArp, parseArp, ArpRepr, ARP_OP_REPLY, ARP_OP_REQUEST } from '../../tcp/wire/arp';
import { emitIpv4Header, newIpv4Repr, parseIpv4Header, Ipv4Repr } from '../../tcp/wire/ipv4';
import { emitIcmp, parseIcmp, IcmpRepr } from '../../tcp/wire/icmp';
import { emitUdpHeader, parseUdp, UdpRepr } from '../../tcp/wire/udp';
import { parseIpv4Address as ip } from '../../tcp/wire/ipv4-address';

export { ip };
export const OUR_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x01]);
export const PEER_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x02]);
export const OUR_IP = ip('192.168.7.2') as number;
export const PEER_IP = ip('192.168.7.1') as number;

/** A frame the peer received, decoded as far as it goes. */
export interface Seen {
  raw: Uint8Array;
  eth: EthernetRepr;
  arp?: ArpRepr;
  ip?: Ipv4Repr;
  icmp?: IcmpRepr;
  udp?: UdpRepr;
  /** UDP or ICMP payload bytes (copy). */
  payload?: Uint8Array;
}

export function decode(raw: Uint8Array): Seen {
  const eth = parseEthernet(raw, 0, raw.length);
  if (typeof eth === 'string') throw new Error('peer got a bad frame: ' + eth);
  const s: Seen = { raw, eth };
  if (eth.ethertype === ETHERTYPE_ARP) {
    const a = parseArp(raw, eth.payloadOffset, eth.payloadLength);
    if (typeof a === 'string') throw new Error('bad ARP: ' + a);
    s.arp = a;
  } else if (eth.ethertype === ETHERTYPE_IPV4) {
    const i = parseIpv4Header(raw, eth.payloadOffset, eth.payloadLength);
    if (typeof i === 'string') throw new Error('bad IPv4: ' + i);
    s.ip = i;
    if (i.protocol === IP_PROTO_ICMP) {
      const m = parseIcmp(raw, i.payloadOffset, i.payloadLength);
      if (typeof m === 'string') throw new Error('bad ICMP: ' + m);
      s.icmp = m;
      s.payload = raw.slice(m.payloadOffset, m.payloadOffset + m.payloadLength);
    } else if (i.protocol === IP_PROTO_UDP) {
      const u = parseUdp(raw, i.payloadOffset, i.payloadLength, i.src, i.dst);
      if (typeof u === 'string') throw new Error('bad UDP: ' + u);
      s.udp = u;
      s.payload = raw.slice(u.payloadOffset, u.payloadOffset + u.payloadLength);
    }
  }
  return s;
}

export interface IpOpts {
  src?: Ipv4Address;
  dst?: Ipv4Address;
  ttl?: number;
  id?: number;
  moreFragments?: boolean;
  fragmentOffset?: number;
  ethDst?: Uint8Array;
  ethSrc?: Uint8Array;
}

/** Builds Ethernet/IPv4 frames around a transport payload `t` (already complete). */
export function ipFrame(protocol: number, t: Uint8Array, o: IpOpts = {}): Uint8Array {
  const f = new Uint8Array(Math.max(60, 34 + t.length));
  emitEthernetHeader(f, 0, o.ethDst || OUR_MAC, o.ethSrc || PEER_MAC, ETHERTYPE_IPV4);
  const r = newIpv4Repr();
  r.src = o.src ?? PEER_IP;
  r.dst = o.dst ?? OUR_IP;
  r.protocol = protocol;
  r.ttl = o.ttl ?? 64;
  r.id = o.id ?? 1;
  r.moreFragments = !!o.moreFragments;
  r.fragmentOffset = o.fragmentOffset ?? 0;
  r.payloadLength = t.length;
  emitIpv4Header(r, f, 14);
  f.set(t, 34);
  return f;
}

export function udpSegment(srcPort: number, dstPort: number, data: Uint8Array, src: Ipv4Address = PEER_IP, dst: Ipv4Address = OUR_IP): Uint8Array {
  const t = new Uint8Array(8 + data.length);
  t.set(data, 8);
  emitUdpHeader(t, 0, srcPort, dstPort, data.length, src, dst);
  return t;
}

export function icmpMessage(type: number, code: number, rest: number, data: Uint8Array): Uint8Array {
  const t = new Uint8Array(8 + data.length);
  t.set(data, 8);
  emitIcmp({ type, code, restOfHeader: rest, payloadOffset: 8, payloadLength: data.length }, t, 0);
  return t;
}

export function arpFrame(op: number, senderMac: Uint8Array, senderIp: Ipv4Address, targetMac: Uint8Array, targetIp: Ipv4Address,
                         ethDst: Uint8Array = op === ARP_OP_REQUEST ? BROADCAST_MAC : OUR_MAC): Uint8Array {
  const f = new Uint8Array(60);
  emitEthernetHeader(f, 0, ethDst, senderMac, ETHERTYPE_ARP);
  emitArp({ op, senderMac, senderIp, targetMac, targetIp }, f, 14);
  return f;
}

/** The host on the other end of the wire: answers ARP for its addresses when `autoArp`, keeps the rest. */
export class Peer {
  inbox: Seen[] = [];
  autoArp = true;
  /** Addresses the peer answers ARP for (its own, plus e.g. off-link hosts behind it as a gateway). */
  addresses: Ipv4Address[] = [PEER_IP];
  arpRequestsSeen = 0;
  arpRequests: Seen[] = [];
  /** Gratuitous ARP requests (sender = target address) are kept apart. */
  announcements: Seen[] = [];
  onFrame: ((s: Seen) => boolean) | null = null;

  constructor(readonly port: WirePort, readonly mac: Uint8Array = PEER_MAC) {}

  send(frame: Uint8Array): void {
    this.port.send(frame);
  }

  pump(): void {
    for (let f = this.port.take(); f; f = this.port.take()) {
      const s = decode(f);
      if (s.arp && s.arp.op === ARP_OP_REQUEST) {
        if (s.arp.senderIp === s.arp.targetIp) { this.announcements.push(s); continue; }
        this.arpRequestsSeen++;
        this.arpRequests.push(s);
        if (this.autoArp && this.addresses.indexOf(s.arp.targetIp) >= 0) {
          this.send(arpFrame(ARP_OP_REPLY, this.mac, s.arp.targetIp, s.arp.senderMac, s.arp.senderIp, s.arp.senderMac));
          continue;
        }
      }
      if (this.onFrame && this.onFrame(s)) continue;
      this.inbox.push(s);
    }
  }

  /** Removes and returns the frames matching `pred` (all by default). */
  take(pred: (s: Seen) => boolean = () => true): Seen[] {
    const got = this.inbox.filter(pred);
    this.inbox = this.inbox.filter((s) => !pred(s));
    return got;
  }
}

export class Rig {
  readonly clock = new VirtualClock(1000);
  readonly wire: VirtualWire;
  readonly dev: WireFrameDevice;
  readonly iface: Interface;
  readonly peer: Peer;
  polls = 0;

  constructor(o: Partial<InterfaceOptions> = {}, seed = 1, wireDelayMs = 0) {
    this.wire = new VirtualWire(this.clock, { delayMs: wireDelayMs });
    this.dev = new WireFrameDevice(OUR_MAC, this.wire.a);
    const opts: InterfaceOptions = Object.assign({
      device: this.dev,
      random: new SeededRandom(seed),
    }, o);
    if (!('ipv4' in o) && !o.dhcp) opts.ipv4 = { address: OUR_IP, prefixLength: 24, gateway: PEER_IP, dns: [PEER_IP] };
    this.iface = new Interface(opts);
    this.peer = new Peer(this.wire.b);
    this.iface.poll(this.clock.nowMs());
  }

  /** The peer ARPs for us first (as a real host does before sending), so we learn its MAC. */
  introduce(): void {
    this.peer.send(arpFrame(ARP_OP_REQUEST, PEER_MAC, PEER_IP, new Uint8Array(6), OUR_IP));
    this.run(1);
    this.peer.take((s) => !!s.arp);
  }

  get now(): number {
    return this.clock.nowMs();
  }

  /** Polls and moves frames until `ms` of virtual time have passed (bounded in iterations). */
  run(ms: number): void {
    const end = this.clock.nowMs() + ms;
    for (let guard = 0; guard < 200000; guard++) {
      const now = this.clock.nowMs();
      const next = this.iface.poll(now);
      this.polls++;
      this.peer.pump();
      if (this.wire.b.pending() > 0 || this.wire.a.pending() > 0) continue;
      if (now >= end) return;
      let t = Math.min(next, end, this.wire.nextDeliveryMs());
      if (t <= now) {
        if (next <= now && guard % 64 !== 63) continue; // frames still queued in the interface
        t = now + 1;
      }
      this.clock.advanceTo(t);
    }
    throw new Error('rig.run: too many iterations');
  }
}
