// Classic libpcap files (linktype 1, Ethernet): a writer the simulator and tests use to record the
// wire, and a reader for the golden captures in test/fixtures/. Host-only (uses fs).
// Format: a 24-byte global header, then per packet a 16-byte record header (ts_sec, ts_usec,
// incl_len, orig_len) and the bytes. Files are written little-endian with the microsecond magic;
// the reader also takes big-endian and nanosecond files.
import * as fs from 'fs';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;
const GLOBAL_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

export interface PcapRecord {
  /** Capture time in milliseconds (fractional: microsecond or nanosecond resolution kept). */
  timeMs: number;
  /** The captured bytes (a view into the file's bytes when read). */
  data: Uint8Array;
  /** Length on the wire (≥ data.length when the capture was cut at the snap length). */
  origLen: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  nanosecond: boolean;
  records: PcapRecord[];
}

export function pcapGlobalHeader(linktype = LINKTYPE_ETHERNET, snaplen = PCAP_SNAPLEN): Uint8Array {
  const b = new Uint8Array(GLOBAL_HEADER_LEN);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC_US, true);
  v.setUint16(4, 2, true); // version 2.4
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linktype, true);
  return b;
}

/** One record (header + bytes) for a frame seen at `timeMs`. */
export function pcapRecord(frame: Uint8Array, timeMs: number, snaplen = PCAP_SNAPLEN): Uint8Array {
  const incl = Math.min(frame.length, snaplen);
  const b = new Uint8Array(RECORD_HEADER_LEN + incl);
  const v = new DataView(b.buffer);
  const t = Math.max(0, timeMs);
  let sec = Math.floor(t / 1000);
  let usec = Math.round((t - sec * 1000) * 1000);
  if (usec >= 1000000) { sec++; usec -= 1000000; }
  v.setUint32(0, sec >>> 0, true);
  v.setUint32(4, usec, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, frame.length, true);
  b.set(frame.subarray(0, incl), RECORD_HEADER_LEN);
  return b;
}

/** A whole pcap file in memory. */
export function encodePcap(frames: Array<{ data: Uint8Array; timeMs: number }>, linktype = LINKTYPE_ETHERNET): Uint8Array {
  const parts: Uint8Array[] = [pcapGlobalHeader(linktype)];
  for (const f of frames) parts.push(pcapRecord(f.data, f.timeMs));
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Appends frames to a pcap file as they happen (the simulator's wire recorder). */
export class PcapWriter {
  private fd: number;
  frames = 0;
  constructor(readonly path: string, linktype = LINKTYPE_ETHERNET) {
    this.fd = fs.openSync(path, 'w');
    fs.writeSync(this.fd, pcapGlobalHeader(linktype));
  }
  write(frame: Uint8Array, timeMs: number): void {
    if (this.fd < 0) throw new Error('pcap writer closed');
    fs.writeSync(this.fd, pcapRecord(frame, timeMs));
    this.frames++;
  }
  close(): void {
    if (this.fd >= 0) { fs.closeSync(this.fd); this.fd = -1; }
  }
}

/** Parses a classic pcap file; throws on a malformed file (tools and tests only). */
export function decodePcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < GLOBAL_HEADER_LEN) throw new Error('pcap: file shorter than its header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  let nanosecond: boolean;
  const m = v.getUint32(0, true);
  if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS) le = true;
  else {
    const mb = v.getUint32(0, false);
    if (mb !== PCAP_MAGIC_US && mb !== PCAP_MAGIC_NS) throw new Error('pcap: bad magic 0x' + m.toString(16) + ' (pcapng is not supported)');
    le = false;
  }
  nanosecond = v.getUint32(0, le) === PCAP_MAGIC_NS;
  const file: PcapFile = {
    linktype: v.getUint32(20, le) & 0x0fffffff,
    snaplen: v.getUint32(16, le),
    nanosecond,
    records: [],
  };
  let o = GLOBAL_HEADER_LEN;
  while (o < bytes.length) {
    if (o + RECORD_HEADER_LEN > bytes.length) throw new Error('pcap: truncated record header at ' + o);
    const sec = v.getUint32(o, le);
    const frac = v.getUint32(o + 4, le);
    const incl = v.getUint32(o + 8, le);
    const orig = v.getUint32(o + 12, le);
    const start = o + RECORD_HEADER_LEN;
    if (start + incl > bytes.length) throw new Error('pcap: truncated record at ' + o);
    file.records.push({
      timeMs: sec * 1000 + (nanosecond ? frac / 1e6 : frac / 1e3),
      data: bytes.subarray(start, start + incl),
      origLen: orig,
    });
    o = start + incl;
  }
  return file;
}

export function readPcapFile(path: string): PcapFile {
  const b = fs.readFileSync(path);
  return decodePcap(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

export function writePcapFile(path: string, frames: Array<{ data: Uint8Array; timeMs: number }>): void {
  fs.writeFileSync(path, encodePcap(frames));
}
