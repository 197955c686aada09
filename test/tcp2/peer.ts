// Peer-side data for test/tcp2's segment traces (segments themselves come from test/tcp/harness.ts,
// whose Harness.send also carries the timestamps option).

export function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (i % 26);
  return b;
}
