// Window scaling (RFC 7323 §2), behind the constant WINDOW_SCALING: it only matters for receive
// buffers above 64 KB, so a board without one builds window-scale.off.ts in its place
// (tools/build/profile.ts) and the guarded negotiation code (`if (WINDOW_SCALING && …)`) is gone from
// its bundle. The shifts stay 0 there, as with a peer that never offers the option.

/** 1: window scaling is in this build (0 in window-scale.off.ts). */
export const WINDOW_SCALING = 1;

/** RFC 7323 §2.3: the smallest shift that lets a 16-bit window field describe `bytes` (at most 14). */
export function shiftFor(bytes: number): number {
  let s = 0;
  while (s < 14 && 65535 * (1 << s) < bytes) s++;
  return s;
}
