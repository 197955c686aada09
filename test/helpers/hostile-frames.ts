// Hostile Ethernet frames of every layer, seeded, for fuzzing a device: random EtherTypes; IPv4, TCP,
// UDP, ICMP and ARP with fuzzed fields but valid checksums; TCP options of length 0, 1, overlong,
// truncated or unknown; bad IHL, total length and data offset; truncated frames; IP fragments;
// broadcast garbage; bit flips of valid frames. Sources are random addresses on the device's subnet
// (never the test client's), so the device's answers go nowhere.
import { SeededRandom } from '../../hal/sim/random';
import { internetChecksum, pseudoHeaderSum } from '../../tcp/wire/checksum';

export const HOSTILE_KINDS = [
  'ethertype', 'ipv4-fields', 'tcp-fields', 'tcp-options', 'udp-fields', 'icmp-fields', 'arp-fields',
  'bad-ihl', 'bad-total-length', 'bad-data-offset', 'truncated', 'fragment', 'broadcast-garbage', 'bit-flips',
] as const;
export type HostileKind = typeof HOSTILE_KINDS[number];

export interface HostileTarget {
  deviceMac: Uint8Array;
  deviceIp: number;
  /** Source addresses to avoid (the test's own client). */
  avoidIps: number[];
  /** Ports the device listens on (TCP and UDP fuzz aims at these half the time). */
  ports: number[];
}

export class HostileFrames {
  readonly counts: { [kind: string]: number } = {};
  private readonly rnd: SeededRandom;

  constructor(seed: number, private readonly t: HostileTarget) {
    this.rnd = new SeededRandom(seed);
    for (const k of HOSTILE_KINDS) this.counts[k] = 0;
  }

  /** The next frame (kinds in turn, so every block of HOSTILE_KINDS.length frames has each once). */
  next(i: number): Uint8Array {
    const kind = HOSTILE_KINDS[i % HOSTILE_KINDS.length];
    this.counts[kind]++;
    return this.make(kind);
  }

  private int(n: number): number { return this.rnd.nextInt(n); }
  private byte(): number { return this.rnd.nextInt(256); }
  private bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.byte();
    return b;
  }

  private srcIp(): number {
    for (;;) {
      const ip = ((this.t.deviceIp & 0xffffff00) | (1 + this.int(254))) >>> 0;
      if (ip !== this.t.deviceIp && this.t.avoidIps.indexOf(ip) < 0) return ip;
    }
  }

  private srcMac(): Uint8Array {
    const m = this.bytes(6);
    m[0] = (m[0] & 0xfe) | 2; // unicast, locally administered
    return m;
  }

  private port(): number {
    return this.int(2) === 0 ? this.t.ports[this.int(this.t.ports.length)] : this.int(65536);
  }

  private ethernet(payloadLen: number, ethertype: number, dst?: Uint8Array): Uint8Array {
    const f = new Uint8Array(14 + payloadLen);
    f.set(dst || this.t.deviceMac, 0);
    f.set(this.srcMac(), 6);
    f[12] = ethertype >> 8;
    f[13] = ethertype & 255;
    return f;
  }

  /** An IPv4 packet to the device carrying `transport` (protocol `proto`), header checksum valid. */
  private ipv4(proto: number, transport: Uint8Array, o: { ihl?: number; totalLength?: number; frag?: number; options?: Uint8Array; src?: number } = {}): Uint8Array {
    const opts = o.options || new Uint8Array(0);
    const hl = 20 + opts.length;
    const f = this.ethernet(hl + transport.length, 0x0800);
    const ip = 14;
    f[ip] = 0x40 | (o.ihl !== undefined ? o.ihl : hl / 4);
    f[ip + 1] = this.int(4) === 0 ? this.byte() : 0;
    const total = o.totalLength !== undefined ? o.totalLength : hl + transport.length;
    f[ip + 2] = (total >> 8) & 255; f[ip + 3] = total & 255;
    f[ip + 4] = this.byte(); f[ip + 5] = this.byte();
    const frag = o.frag || 0;
    f[ip + 6] = frag >> 8; f[ip + 7] = frag & 255;
    f[ip + 8] = 1 + this.int(255);
    f[ip + 9] = proto;
    const src = o.src !== undefined ? o.src : this.srcIp();
    writeU32(f, ip + 12, src);
    writeU32(f, ip + 16, this.t.deviceIp);
    f.set(opts, ip + 20);
    const c = internetChecksum(f, ip, hl);
    f[ip + 10] = c >> 8; f[ip + 11] = c & 255;
    f.set(transport, ip + hl);
    return f;
  }

  /** A TCP segment (header with `options`, then `data`) with a valid checksum for src → device. */
  private tcp(src: number, o: { flags?: number; options?: Uint8Array; dataOffsetWords?: number; data?: Uint8Array } = {}): Uint8Array {
    const opts = o.options || new Uint8Array(0);
    const data = o.data || new Uint8Array(0);
    const hl = 20 + opts.length;
    const seg = new Uint8Array(hl + data.length);
    const sp = this.int(65536), dp = this.port();
    seg[0] = sp >> 8; seg[1] = sp & 255; seg[2] = dp >> 8; seg[3] = dp & 255;
    writeU32(seg, 4, this.rnd.nextU32());
    writeU32(seg, 8, this.rnd.nextU32());
    const doff = o.dataOffsetWords !== undefined ? o.dataOffsetWords : hl / 4;
    seg[12] = (doff & 15) << 4;
    seg[13] = o.flags !== undefined ? o.flags : this.byte();
    seg[14] = this.byte(); seg[15] = this.byte();
    seg[18] = this.byte(); seg[19] = this.byte(); // urgent pointer
    seg.set(opts, 20);
    seg.set(data, hl);
    const c = internetChecksum(seg, 0, seg.length, pseudoHeaderSum(src, this.t.deviceIp, 6, seg.length));
    seg[16] = c >> 8; seg[17] = c & 255;
    return seg;
  }

  private tcpOptions(): Uint8Array {
    const pick = this.int(6);
    if (pick === 0) return new Uint8Array([2, 0, 5, 0]);                 // MSS with length 0
    if (pick === 1) return new Uint8Array([3, 1, 0, 1]);                 // window scale with length 1
    if (pick === 2) return new Uint8Array([2, 40, 5, 180]);              // length past the header's end
    if (pick === 3) return new Uint8Array([1, 1, 1, 8]);                 // timestamps cut by the header's end
    if (pick === 4) return new Uint8Array([30 + this.int(200), 4, this.byte(), this.byte()]); // unknown kind
    const o = this.bytes(4 * (1 + this.int(10)));                       // anything
    return o;
  }

  private udp(src: number): Uint8Array {
    const data = this.bytes(this.int(200));
    const seg = new Uint8Array(8 + data.length);
    const sp = [53, 67, 68, this.int(65536)][this.int(4)];
    const dp = [53, 67, 68, 7, this.port()][this.int(5)];
    seg[0] = sp >> 8; seg[1] = sp & 255; seg[2] = dp >> 8; seg[3] = dp & 255;
    const len = this.int(4) === 0 ? this.int(65536) : seg.length; // a lying length a quarter of the time
    seg[4] = len >> 8; seg[5] = len & 255;
    seg.set(data, 8);
    const c = internetChecksum(seg, 0, seg.length, pseudoHeaderSum(src, this.t.deviceIp, 17, seg.length));
    seg[6] = c >> 8; seg[7] = c & 255;
    return seg;
  }

  private icmp(): Uint8Array {
    const m = this.bytes(8 + this.int(100));
    m[0] = [0, 3, 5, 8, 11, 13, this.byte()][this.int(7)];
    m[1] = this.int(4) === 0 ? this.byte() : this.int(5);
    m[2] = 0; m[3] = 0;
    const c = internetChecksum(m, 0, m.length);
    m[2] = c >> 8; m[3] = c & 255;
    return m;
  }

  private arp(): Uint8Array {
    const f = this.ethernet(28, 0x0806, this.int(2) === 0 ? new Uint8Array([255, 255, 255, 255, 255, 255]) : undefined);
    const a = 14;
    f.set(this.bytes(28), a);
    if (this.int(2) === 0) { f[a] = 0; f[a + 1] = 1; f[a + 2] = 8; f[a + 3] = 0; f[a + 4] = 6; f[a + 5] = 4; }
    f[a + 6] = 0; f[a + 7] = this.int(4);
    if (this.int(2) === 0) writeU32(f, a + 24, this.t.deviceIp);
    // Never claim the client's address (that would be a different test: ARP spoofing).
    const spa = ((f[a + 14] << 24) | (f[a + 15] << 16) | (f[a + 16] << 8) | f[a + 17]) >>> 0;
    if (this.t.avoidIps.indexOf(spa) >= 0 || spa === this.t.deviceIp) writeU32(f, a + 14, this.srcIp());
    return f;
  }

  /** A well-formed frame to mutate: a TCP SYN, a UDP datagram, or an echo request. */
  private valid(): Uint8Array {
    const k = this.int(3);
    const src = this.srcIp();
    if (k === 0) return this.ipv4(6, this.tcp(src, { flags: 0x02, options: new Uint8Array([2, 4, 5, 180]) }), { src });
    if (k === 1) return this.ipv4(17, this.udp(src), { src });
    return this.ipv4(1, this.icmp(), { src });
  }

  private make(kind: HostileKind): Uint8Array {
    switch (kind) {
      case 'ethertype': {
        let et = this.int(65536);
        if (et === 0x0800 || et === 0x0806) et = 0x88b5;
        const f = this.ethernet(46 + this.int(400), et);
        f.set(this.bytes(f.length - 14), 14);
        return f;
      }
      case 'ipv4-fields': {
        const src = this.srcIp();
        const proto = this.byte();
        const opts = this.int(3) === 0 ? this.bytes(4 * (1 + this.int(5))) : undefined;
        return this.ipv4(proto, this.bytes(this.int(120)), { src, options: opts });
      }
      case 'tcp-fields': {
        const src = this.srcIp();
        return this.ipv4(6, this.tcp(src, { data: this.bytes(this.int(100)) }), { src });
      }
      case 'tcp-options': {
        const src = this.srcIp();
        return this.ipv4(6, this.tcp(src, { flags: this.int(2) === 0 ? 0x02 : this.byte(), options: this.tcpOptions() }), { src });
      }
      case 'udp-fields': {
        const src = this.srcIp();
        return this.ipv4(17, this.udp(src), { src });
      }
      case 'icmp-fields': return this.ipv4(1, this.icmp());
      case 'arp-fields': return this.arp();
      case 'bad-ihl': {
        const src = this.srcIp();
        return this.ipv4(6, this.tcp(src), { src, ihl: [0, 1, 4, 6, 15][this.int(5)] });
      }
      case 'bad-total-length': {
        const src = this.srcIp();
        const seg = this.tcp(src, { data: this.bytes(20) });
        return this.ipv4(6, seg, { src, totalLength: [0, 19, 20, 21, 20 + seg.length + 1 + this.int(1000), 65535][this.int(6)] });
      }
      case 'bad-data-offset': {
        const src = this.srcIp();
        return this.ipv4(6, this.tcp(src, { dataOffsetWords: [0, 1, 4, 15][this.int(4)], data: this.bytes(this.int(20)) }), { src });
      }
      case 'truncated': {
        const f = this.valid();
        return f.subarray(0, this.int(f.length));
      }
      case 'fragment': {
        const src = this.srcIp();
        const frag = this.int(2) === 0 ? 0x2000 : (this.int(2) << 13) | (1 + this.int(8191)); // MF, or an offset
        return this.ipv4([6, 17, 1][this.int(3)], this.bytes(8 + this.int(100)), { src, frag });
      }
      case 'broadcast-garbage': {
        const f = this.ethernet(46 + this.int(500), [0x0800, 0x0806, this.int(65536)][this.int(3)], new Uint8Array([255, 255, 255, 255, 255, 255]));
        f.set(this.bytes(f.length - 14), 14);
        return f;
      }
      case 'bit-flips': {
        const f = this.valid();
        for (let k = 1 + this.int(4); k > 0; k--) {
          const i = 14 + this.int(f.length - 14);
          f[i] ^= 1 << this.int(8);
        }
        return f;
      }
    }
    throw new Error('unknown kind ' + kind);
  }
}

function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 255; b[off + 1] = (v >>> 16) & 255; b[off + 2] = (v >>> 8) & 255; b[off + 3] = v & 255;
}
