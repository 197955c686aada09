// Ethernet II frames (IEEE 802.3 §3.2.6 type field; frames arrive without preamble and FCS).
import { WireError } from './reprs';

export const ETH_HEADER_LEN = 14;
export const ETH_DST = 0;
export const ETH_SRC = 6;
export const ETH_TYPE = 12;
/** Largest frame the stack handles (header + 1500, no FCS). */
export const ETH_MAX_FRAME = 1514;

export interface EthernetRepr {
  /** Views (subarrays) of the frame: not copies, valid as long as the buffer is. */
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
  payloadOffset: number;
  payloadLength: number;
}

export function newEthernetRepr(): EthernetRepr {
  return { dst: new Uint8Array(6), src: new Uint8Array(6), ethertype: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Accessors over an Ethernet header at `(buf, off)`; `reset` lets one view be reused per frame. */
export class EthernetView {
  constructor(public buf: Uint8Array, public off: number) {}
  reset(buf: Uint8Array, off: number): EthernetView { this.buf = buf; this.off = off; return this; }
  get ethertype(): number { return (this.buf[this.off + ETH_TYPE] << 8) | this.buf[this.off + ETH_TYPE + 1]; }
  set ethertype(v: number) { this.buf[this.off + ETH_TYPE] = (v >> 8) & 255; this.buf[this.off + ETH_TYPE + 1] = v & 255; }
  dst(): Uint8Array { return this.buf.subarray(this.off + ETH_DST, this.off + ETH_DST + 6); }
  src(): Uint8Array { return this.buf.subarray(this.off + ETH_SRC, this.off + ETH_SRC + 6); }
}

/**
 * Parses the frame `buf[off .. off+len)`. The payload is everything after the 14-byte header
 * (IP layers trim Ethernet padding themselves from their own length fields). 802.3 length fields
 * (type < 0x0600) are rejected: we speak Ethernet II only.
 */
export function parseEthernet(buf: Uint8Array, off: number, len: number, out?: EthernetRepr): EthernetRepr | WireError {
  if (!(off >= 0) || !(len >= 0) || off + len > buf.length) return 'eth-bad-range';
  if (len < ETH_HEADER_LEN) return 'eth-truncated';
  const ethertype = (buf[off + ETH_TYPE] << 8) | buf[off + ETH_TYPE + 1];
  if (ethertype < 0x0600) return 'eth-not-ethernet-ii';
  const r = out || ({} as EthernetRepr);
  r.dst = buf.subarray(off + ETH_DST, off + ETH_DST + 6);
  r.src = buf.subarray(off + ETH_SRC, off + ETH_SRC + 6);
  r.ethertype = ethertype;
  r.payloadOffset = off + ETH_HEADER_LEN;
  r.payloadLength = len - ETH_HEADER_LEN;
  return r;
}

/** Writes the 14-byte header at `off` and returns 14. `dst` and `src` are 6-byte arrays. */
export function emitEthernetHeader(buf: Uint8Array, off: number, dst: Uint8Array, src: Uint8Array, ethertype: number): number {
  buf.set(dst.subarray(0, 6), off + ETH_DST);
  buf.set(src.subarray(0, 6), off + ETH_SRC);
  buf[off + ETH_TYPE] = (ethertype >> 8) & 255;
  buf[off + ETH_TYPE + 1] = ethertype & 255;
  return ETH_HEADER_LEN;
}

export const BROADCAST_MAC = new Uint8Array([255, 255, 255, 255, 255, 255]);

export function isBroadcastMac(mac: Uint8Array): boolean {
  return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) === 255;
}

/** Group (multicast or broadcast) address: the I/G bit, the low bit of the first octet. */
export function isMulticastMac(mac: Uint8Array): boolean {
  return (mac[0] & 1) === 1;
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16);
}

/** "aa:bb:cc:dd:ee:ff" (lower case). */
export function macToString(mac: Uint8Array): string {
  return hex2(mac[0]) + ':' + hex2(mac[1]) + ':' + hex2(mac[2]) + ':' + hex2(mac[3]) + ':' + hex2(mac[4]) + ':' + hex2(mac[5]);
}

/** "aa:bb:cc:dd:ee:ff" (or with '-') → 6 bytes, or null if malformed. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(text.indexOf('-') >= 0 ? '-' : ':');
  if (parts.length !== 6) return null;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i])) return null;
    mac[i] = parseInt(parts[i], 16);
  }
  return mac;
}
