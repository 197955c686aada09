// Built in place of window-scale.ts on a board whose receive buffers are all at most 64 KB
// (tools/build/profile.ts): WINDOW_SCALING = 0 drops the negotiation code, so the stack behaves as a
// peer without RFC 7323 window scaling — its SYNs carry no window-scale option and it ignores the
// option when offered (RFC 7323 §2.2: scaling is in force only when both SYNs carry it).

export const WINDOW_SCALING = 0;

/** Never called with WINDOW_SCALING = 0; the same export as window-scale.ts. */
export function shiftFor(): number {
  return 0;
}
