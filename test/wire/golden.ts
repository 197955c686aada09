// Loads a golden capture (test/fixtures/<name>.pcap, written by tools/capture-golden.sh) together with
// what tshark read in each frame (<name>.tsv, same script), for the golden-*.test.ts files.
import * as fs from 'fs';
import * as path from 'path';
import { readPcapFile, LINKTYPE_ETHERNET } from '../../tools/pcap';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

export interface GoldenFrame {
  /** 1-based, as tshark numbers frames. */
  number: number;
  data: Uint8Array;
  /** tshark's first value of a field ('' when absent). */
  f(field: string): string;
  /** All of tshark's values of a field (multiple occurrences, e.g. inner and outer IP headers). */
  all(field: string): string[];
  /** The first value as a number (decimal or 0x-hex), or NaN when absent. */
  n(field: string): number;
}

export function num(s: string): number {
  if (s === '' || s === undefined) return NaN;
  return /^0x/i.test(s) ? parseInt(s, 16) : Number(s);
}

export function loadGolden(name: string): GoldenFrame[] {
  const pcap = readPcapFile(path.join(FIXTURES, name + '.pcap'));
  if (pcap.linktype !== LINKTYPE_ETHERNET) throw new Error(name + '.pcap is not Ethernet');
  const lines = fs.readFileSync(path.join(FIXTURES, name + '.tsv'), 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  const rows = lines.slice(1).map((l) => l.split('\t'));
  if (rows.length !== pcap.records.length) {
    throw new Error(name + ': ' + rows.length + ' tshark rows for ' + pcap.records.length + ' frames');
  }
  return pcap.records.map((rec, i) => {
    const row = rows[i];
    const all = (field: string): string[] => {
      const k = header.indexOf(field);
      if (k < 0) throw new Error('field ' + field + ' not in ' + name + '.tsv');
      const v = row[k] || '';
      return v === '' ? [] : v.split(',');
    };
    const f = (field: string): string => all(field)[0] || '';
    return { number: i + 1, data: rec.data, f, all, n: (field: string) => num(f(field)) };
  });
}

/** A copy of the frame in a fresh buffer (so emitters can write over it and be compared). */
export function copyOf(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
