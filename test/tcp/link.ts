// Two Tcp instances joined by a VirtualWire carrying bare [src ip, dst ip, TCP segment] datagrams, with
// the wire's seeded impairments. Drives both on a virtual clock.
import { IpSender } from '../../tcp/iface/transport';
import { Tcp } from '../../tcp/tcp/tcp';
import { TcpConfig } from '../../tcp/tcp/config';
import { VirtualClock } from '../../hal/sim/virtual-clock';
import { VirtualWire, WirePort, WireImpairments } from '../../hal/sim/virtual-wire';
import { SeededRandom } from '../../hal/sim/random';
import { readIpv4, writeIpv4, parseIpv4Address } from '../../tcp/wire/ipv4-address';

export const A_IP = parseIpv4Address('192.168.7.1') as number;
export const B_IP = parseIpv4Address('192.168.7.2') as number;

class WireIp implements IpSender {
  readonly txBuffer = new Uint8Array(1514);
  readonly txView = new DataView(this.txBuffer.buffer);
  constructor(private readonly addr: number, private readonly port: WirePort, private readonly mtu = 1500) {}
  private dst = 0;
  localAddress(): number { return this.addr; }
  maxTransportLength(): number { return this.mtu - 20; }
  beginDatagram(dst: number): number { this.dst = dst; return 8; }
  commitDatagram(length: number): boolean {
    writeIpv4(this.txBuffer, 0, this.addr);
    writeIpv4(this.txBuffer, 4, this.dst);
    this.port.send(this.txBuffer.subarray(0, 8 + length));
    return true;
  }
}

export class Link {
  readonly clock = new VirtualClock();
  readonly wire: VirtualWire;
  readonly a: Tcp;
  readonly b: Tcp;
  private readonly ipA: WireIp;
  private readonly ipB: WireIp;

  constructor(imp: WireImpairments, config?: Partial<TcpConfig>, seed = 1) {
    this.wire = new VirtualWire(this.clock, imp);
    this.a = new Tcp(new SeededRandom(seed * 2 + 1), config);
    this.b = new Tcp(new SeededRandom(seed * 2 + 2), config);
    this.ipA = new WireIp(A_IP, this.wire.a);
    this.ipB = new WireIp(B_IP, this.wire.b);
  }

  private drain(port: WirePort, tcp: Tcp): void {
    for (let f = port.take(); f; f = port.take()) {
      tcp.receive(readIpv4(f, 0), readIpv4(f, 4), f, 8, f.length - 8, this.clock.nowMs());
    }
  }

  /** One step: deliver due frames, poll both, advance time to the next event (at most `maxStepMs`). */
  step(maxStepMs = 1): void {
    this.drain(this.wire.a, this.a);
    this.drain(this.wire.b, this.b);
    const now = this.clock.nowMs();
    const na = this.a.poll(now, this.ipA);
    const nb = this.b.poll(now, this.ipB);
    let t = Math.min(na, nb, this.wire.nextDeliveryMs(), now + maxStepMs);
    if (t <= now) t = now + 0.01;
    this.clock.advanceTo(t);
  }

  /** Steps until `done()` or `maxSteps`; returns the steps taken. */
  run(done: () => boolean, maxSteps: number, maxStepMs = 1): number {
    let i = 0;
    for (; i < maxSteps && !done(); i++) this.step(maxStepMs);
    return i;
  }
}

/** A deterministic byte stream and a running hash over what is received (FNV-1a, 32 bits). */
export class Stream {
  private rnd: SeededRandom;
  produced = 0;
  constructor(seed: number, readonly total: number) { this.rnd = new SeededRandom(seed); }
  next(n: number): Uint8Array {
    if (n > this.total - this.produced) n = this.total - this.produced;
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.rnd.nextU32();
      b[i] = v & 255; if (i + 1 < n) b[i + 1] = (v >>> 8) & 255;
      if (i + 2 < n) b[i + 2] = (v >>> 16) & 255; if (i + 3 < n) b[i + 3] = v >>> 24;
    }
    this.produced += n;
    return b;
  }
}

export class Hash {
  h = 0x811c9dc5;
  n = 0;
  update(b: Uint8Array): void {
    let h = this.h;
    for (let i = 0; i < b.length; i++) { h ^= b[i]; h = Math.imul(h, 16777619) >>> 0; }
    this.h = h;
    this.n += b.length;
  }
}

export function hashOf(seed: number, total: number): number {
  const s = new Stream(seed, total);
  const h = new Hash();
  while (s.produced < total) h.update(s.next(65536 - (65536 % 4)));
  return h.h;
}
