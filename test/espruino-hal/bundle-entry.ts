// Test-only bundle entry (test/espruino-hal/bundle.test.ts): the W5500 driver and the Espruino HAL
// built as a device bundle, checked by the Espruino gate and run under Duktape with its Espruino shims,
// and in the real interpreter (test/espruino-real/spi-hal.test.ts). A minimal register responder stands
// in for the chip (only what init/send/receive read); its `write` checks what `SPI.write` would get.
import { W5500 } from '../../hal/drivers/w5500';
import { EspruinoSpiDevice, espruinoPlatform } from '../../hal/espruino/platform';
import { internetChecksum, setNativeWordSum } from '../../tcp/wire/checksum';

declare const print: (s: string) => void;
declare function Pin(name: string): unknown;

/** The chip select: a pin every interpreter here has (D4 on Espruino's Linux build). */
const CS = 'D4';
let writes = 0;
let csAsPin = 0;
let frameBytes = 0;

const bus = {
  setup: function (o: { baud?: number }): void { /* nothing to set up */ },
  send: function (tx: Uint8Array, cs: string): Uint8Array {
    const rx = new Uint8Array(tx.length);
    rx[0] = 1; rx[1] = 2; rx[2] = 3;
    const addr = (tx[0] << 8) | tx[1];
    const ctl = tx[2];
    if (ctl & 4) return rx; // writes
    if (ctl === 0x00 && addr === 0x39) rx[3] = 0x04;                      // VERSIONR
    if (ctl === 0x00 && addr === 0x19) { rx[3] = 0x07; rx[4] = 0xd0; }    // RTR
    if (ctl === 0x08 && addr === 0x03) rx[3] = 0x42;                      // Sn_SR
    if (ctl === 0x08 && addr === 0x20) { rx[3] = 0x40; rx[4] = 0x00; }    // Sn_TX_FSR
    if (ctl === 0x08 && addr === 0x02) rx[3] = 0x10;                      // Sn_IR: SEND_OK
    if (ctl === 0x00 && addr === 0x2e) rx[3] = 0xbf;                      // PHYCFGR: link
    return rx;
  },
  // Write-only frames (register writes, the frame sent): head, body, then chip select, which SPI.write
  // takes as such only when it is a Pin (a name as a string would be sent as data).
  write: function (head: Uint8Array, body: Uint8Array, cs: unknown): void {
    writes++;
    if (cs === Pin(CS)) csAsPin++;
    if (head[2] === 0x14) frameBytes += body.length; // socket 0 TX buffer (control 0x14)
  },
};

const p = espruinoPlatform();
if (p.wordSum) setNativeWordSum(p.wordSum); // what the Stack does with its options' wordSum
const d = new W5500({ spi: new EspruinoSpiDevice(bus, CS), clock: p.clock, mac: new Uint8Array([2, 0, 0, 0, 0, 1]) });
d.init();
const frame = new Uint8Array(100);
frame[12] = 0x08;
const sent = d.send(frame) && d.send(frame.subarray(0, 80));
const got = d.receive(new Uint8Array(1514));
const sum = internetChecksum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]), 0, 8);
print('HAL RESULT ' + [!!p.wordSum, d.linkUp(), sent, got, d.counters.txFrames, sum === (~0xddf2 & 0xffff),
  writes > 0 && csAsPin === writes, frameBytes].join(','));
