// MAC addresses as text, for tools and tests (the firmware has its own in firmware/mac.ts).

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
    // 1 or 2 hex digits (Espruino's RegExp has no {m,n}).
    if (parts[i].length > 2 || !/^[0-9a-fA-F]+$/.test(parts[i])) return null;
    mac[i] = parseInt(parts[i], 16);
  }
  return mac;
}
