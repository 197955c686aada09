// Representations shared across layers: what a parser returns once a packet has been validated, and
// what an emitter writes. Only tcp/wire/ touches byte offsets; every other layer handles these.
//
// Conventions for every parser in tcp/wire/:
// - It is total: for ANY input it returns either a representation or a `WireError` string naming why
//   the bytes were rejected. It never throws, never reads outside [off, off + len), never loops forever.
// - It does not copy payloads: it reports where they lie in the buffer it was given (offset + length).
// - Hot-path parsers take an `out` object to fill, so the data path allocates nothing per packet.

/** Why a parser rejected its input (also the key of the drop counter it feeds). */
export type WireError = string;

export function isWireError(x: unknown): x is WireError {
  return typeof x === 'string';
}

/** IPv4 addresses are unsigned 32-bit integers (network order: a.b.c.d = a<<24 | b<<16 | c<<8 | d). */
export type Ipv4Address = number;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** A TCP segment header with its options, and where its payload lies. */
export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number; // unsigned 32-bit
  ack: number; // unsigned 32-bit
  flags: number; // TCP_* bits
  window: number; // raw 16-bit field (unscaled)
  urgent: number;
  /** MSS option value, or 0 when absent. */
  mss: number;
  /** Window-scale shift 0..14 (values above 14 are clamped to 14, RFC 7323 §2.3), or -1 when absent. */
  windowScale: number;
  sackPermitted: boolean;
  /** Timestamps option present (RFC 7323). */
  hasTimestamp: boolean;
  tsVal: number;
  tsEcr: number;
  /** SACK blocks as [left0, right0, left1, right1, ...] (at most 4 blocks); length 0 when absent. */
  sack: number[];
  /** Where the payload lies in the parsed buffer (absolute offset), and its length. */
  payloadOffset: number;
  payloadLength: number;
}

export function newTcpRepr(): TcpRepr {
  return {
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, urgent: 0,
    mss: 0, windowScale: -1, sackPermitted: false, hasTimestamp: false, tsVal: 0, tsEcr: 0, sack: [],
    payloadOffset: 0, payloadLength: 0,
  };
}

export const IP_PROTO_ICMP = 1;
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
