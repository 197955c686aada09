// Register values in messages: the chip drivers' errors (hal/drivers/) and the chip models' logs (hal/sim/).

/** `v` as "0x0A": upper-case hex, at least `width` digits (2 when not given). */
export function hex(v: number, width?: number): string {
  let s = v.toString(16).toUpperCase();
  while (s.length < (width || 2)) s = '0' + s;
  return '0x' + s;
}
