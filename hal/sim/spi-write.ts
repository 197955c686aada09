// The write-only SPI frame (SpiDevice.write) for a chip model or a test's wrapper of one: on the bus it
// is an ordinary frame, the head's bytes then the body's under one chip select, and what the chip
// clocks out is dropped. Host-side only: the join is a copy, which is the thing the device avoids.
export function writeThrough(transfer: (tx: Uint8Array) => Uint8Array): (head: Uint8Array, body?: Uint8Array) => void {
  return function (head: Uint8Array, body?: Uint8Array): void {
    if (!body) {
      transfer(head);
      return;
    }
    const tx = new Uint8Array(head.length + body.length);
    tx.set(head);
    tx.set(body, head.length);
    transfer(tx);
  };
}
