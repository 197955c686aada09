// MAC addresses of the firmware: derived from the board's unique id, parsed from and printed as text.
// Kept apart from firmware/config.ts because the device bundle needs these at boot, while the
// configuration itself is resolved and validated at build time (tools/build/bundle.ts).

/**
 * A stable, locally administered unicast MAC from a board's unique id (RFC 7042 §2.1: the U/L bit
 * set, the I/G bit clear). Two FNV-1a style hashes of the id give the five free bytes.
 */
export function macFromSerial(serial: string): Uint8Array {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < serial.length; i++) {
    const c = serial.charCodeAt(i) & 255;
    // FNV-1a: h = (h ^ c) * 0x01000193 mod 2^32, as h*0x193 + (h << 24): exact in doubles (no Math.imul).
    h1 = (h1 ^ c) >>> 0;
    h1 = (h1 * 0x193 + ((h1 << 24) >>> 0)) >>> 0;
    h2 = ((h2 * 31) + c + (h2 >>> 23)) >>> 0;
  }
  const mac = new Uint8Array(6);
  mac[0] = 0x02;
  mac[1] = (h1 >>> 24) & 255;
  mac[2] = (h1 >>> 16) & 255;
  mac[3] = (h1 >>> 8) & 255;
  mac[4] = (h1 ^ h2) & 255;
  mac[5] = (h2 >>> 8) & 255;
  return mac;
}

/** "02:12:..." → 6 bytes (validated by validateConfig first). */
export function parseMacText(s: string): Uint8Array {
  const mac = new Uint8Array(6);
  const parts = s.split(':');
  for (let i = 0; i < 6; i++) mac[i] = parseInt(parts[i], 16);
  return mac;
}

export function macText(mac: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (mac[i] < 16 ? '0' : '') + mac[i].toString(16);
  return s;
}

/** The MAC this configuration uses on a board whose unique id is `serial`. */
export function configMac(c: { mac: string }, serial: string): Uint8Array {
  return c.mac === 'auto' ? macFromSerial(serial) : parseMacText(c.mac);
}
