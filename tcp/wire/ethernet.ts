// Ethernet II frames (IEEE 802.3 §3.2.6 type field; frames arrive without preamble and FCS).
import { WireError } from './reprs';
import { readU16, writeU16, outOfRange } from './bytes';

export const ETH_HEADER_LEN = 14;
// Field offsets: destination, source, type.
const DST = 0;
const SRC = 6;
const TYPE = 12;
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

/**
 * Parses the frame `buf[off .. off+len)`. The payload is everything after the 14-byte header
 * (IP layers trim Ethernet padding themselves from their own length fields). 802.3 length fields
 * (type < 0x0600) are rejected: we speak Ethernet II only.
 */
export function parseEthernet(buf: Uint8Array, off: number, len: number, out?: EthernetRepr): EthernetRepr | WireError {
  if (outOfRange(buf, off, len)) return 'eth-bad-range';
  if (len < ETH_HEADER_LEN) return 'eth-truncated';
  const ethertype = readU16(buf, off + TYPE);
  if (ethertype < 0x0600) return 'eth-not-ethernet-ii';
  const r = out || ({} as EthernetRepr);
  r.dst = buf.subarray(off + DST, off + DST + 6);
  r.src = buf.subarray(off + SRC, off + SRC + 6);
  r.ethertype = ethertype;
  r.payloadOffset = off + ETH_HEADER_LEN;
  r.payloadLength = len - ETH_HEADER_LEN;
  return r;
}

/** Writes the 14-byte header at `off` and returns 14. `dst` and `src` are 6-byte arrays. */
export function emitEthernetHeader(buf: Uint8Array, off: number, dst: Uint8Array, src: Uint8Array, ethertype: number): number {
  buf.set(dst.subarray(0, 6), off + DST);
  buf.set(src.subarray(0, 6), off + SRC);
  writeU16(buf, off + TYPE, ethertype);
  return ETH_HEADER_LEN;
}

export const BROADCAST_MAC = new Uint8Array([255, 255, 255, 255, 255, 255]);

export function isBroadcastMac(mac: Uint8Array): boolean {
  return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) === 255;
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}
