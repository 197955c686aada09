import { Ipv4Address } from './reprs';
import { readU32, writeU32 } from './bytes';

/** "a.b.c.d" → address, or -1 if the text is not a dotted quad. */
export function parseIpv4Address(text: string): Ipv4Address | -1 {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    // 1 to 3 digits. Espruino's RegExp has * and + but no {m,n}: the length is checked apart.
    if (p.length > 3 || !/^\d+$/.test(p)) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function formatIpv4(addr: Ipv4Address): string {
  return (addr >>> 24) + '.' + ((addr >>> 16) & 255) + '.' + ((addr >>> 8) & 255) + '.' + (addr & 255);
}

/** Reads / writes an address as 4 bytes in network order (RFC 791 §3.1). */
export const readIpv4: (buf: Uint8Array, off: number) => Ipv4Address = readU32;
export const writeIpv4: (buf: Uint8Array, off: number, addr: Ipv4Address) => void = writeU32;

/** Netmask with `prefix` leading one bits. */
export function prefixToMask(prefix: number): Ipv4Address {
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
}

export function sameSubnet(a: Ipv4Address, b: Ipv4Address, mask: Ipv4Address): boolean {
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}
