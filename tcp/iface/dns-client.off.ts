// Built in place of dns-client.ts when the firmware does not resolve names (tools/build/profile.ts):
// the same exports; a dotted quad still "resolves" to itself, any other name fails at once with
// ENOTSUP, the way the full client reports its errors (an Error whose message is the code).
import { Ipv4Address } from '../wire/reprs';
import { parseIpv4Address } from '../wire/ipv4-address';
import { DnsCallback } from './dns-client';

export class DnsClient {
  constructor(_host: unknown) {}

  resolve(name: string, cb: DnsCallback): void {
    const quad = parseIpv4Address(name);
    if (quad !== -1) cb(null, quad);
    else cb(new Error('ENOTSUP: DNS is not in this firmware build'), 0);
  }

  poll(_now: number): number {
    return Infinity;
  }

  unreachable(_dst: Ipv4Address, _buf: Uint8Array, _off: number, _len: number): void {}
}
