// Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (§2), clamped to [min, max] (§2.4, §2.5),
// doubled on each expiry (§5.5) until a new measurement (§5.7). Karn's rule (§3) is applied by the
// caller: segments that were retransmitted are never timed.

export class RttEstimator {
  srtt = 0;
  rttvar = 0;
  rto: number;
  hasSample = false;

  constructor(initialRtoMs: number, private readonly minRtoMs: number, private readonly maxRtoMs: number) {
    this.rto = initialRtoMs;
  }

  /** A round-trip measurement `r` ms from a segment that was sent once (Karn). */
  sample(r: number): void {
    if (r < 0) r = 0;
    if (!this.hasSample) {
      // §2.2: first measurement.
      this.srtt = r;
      this.rttvar = r / 2;
      this.hasSample = true;
    } else {
      // §2.3: beta = 1/4, alpha = 1/8.
      const d = this.srtt > r ? this.srtt - r : r - this.srtt;
      this.rttvar = 0.75 * this.rttvar + 0.25 * d;
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    // RTO = SRTT + max(G, K*RTTVAR) with K = 4 and a clock granularity G of 1 ms.
    let k = 4 * this.rttvar;
    if (k < 1) k = 1;
    this.rto = this.clamp(Math.ceil(this.srtt + k));
  }

  /** §5.5: back off after an expiry. */
  backoff(): void {
    this.rto = this.clamp(this.rto * 2);
  }

  private clamp(v: number): number {
    return v < this.minRtoMs ? this.minRtoMs : v > this.maxRtoMs ? this.maxRtoMs : v;
  }
}
