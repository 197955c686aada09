// Values the device smoke test expects, computed on the host with a plain reference checksum
// (test/build/smoke.test.ts recomputes every one of them, so a wrong constant fails there).
/** Ones'-complement sums of pattern() (byte i = (i * 7 + 3) & 255) over [0,1500), [3,1476), [7,1006). */
export const PATTERN_SUM_EVEN = 0x991e;
export const PATTERN_SUM_ODD = 0xa86d;
export const PATTERN_SUM_SUBARRAY = 0xcdf2;
/** Checksums of the smoke UDP frame (192.168.0.1:5000 → 192.168.0.199:53, id 0x1234, "hello"). */
export const FRAME_IP_CHECKSUM = 0xa67f;
export const FRAME_UDP_CHECKSUM = 0x262c;
