// Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (§2), clamped to [min, max] (§2.4, §2.5),
// doubled on each expiry (§5.5) until a new measurement (§5.7). Karn's rule (§3) is applied by the
// caller: segments that were retransmitted are never timed. The state (srtt, rttvar, rto and whether
// there was a sample) lives in the connection itself: no object per connection.

export interface RttState {
  srtt: number;
  rttvar: number;
  /** Current RTO (ms). */
  rto: number;
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}

/** A round-trip measurement `r` ms from a segment that was sent once (Karn). `first`: no sample before. */
export function rttSample(s: RttState, r: number, first: boolean, minRto: number, maxRto: number): void {
  if (r < 0) r = 0;
  if (first) {
    // §2.2: first measurement.
    s.srtt = r;
    s.rttvar = r / 2;
  } else {
    // §2.3: beta = 1/4, alpha = 1/8.
    const d = s.srtt > r ? s.srtt - r : r - s.srtt;
    s.rttvar = 0.75 * s.rttvar + 0.25 * d;
    s.srtt = 0.875 * s.srtt + 0.125 * r;
  }
  // RTO = SRTT + max(G, K*RTTVAR) with K = 4 and a clock granularity G of 1 ms.
  let k = 4 * s.rttvar;
  if (k < 1) k = 1;
  s.rto = clamp(Math.ceil(s.srtt + k), minRto, maxRto);
}

/** §5.5: back off after an expiry. */
export function rttBackoff(s: RttState, minRto: number, maxRto: number): void {
  s.rto = clamp(s.rto * 2, minRto, maxRto);
}
