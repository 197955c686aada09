// Built in place of dgram-frame-device.ts for boards whose frames go over SPI (tools/build/profile.ts).
export class DgramFrameDevice {
  constructor(_o: unknown) {
    throw new Error('the dgram frame link is not in this firmware build (the board was built for an SPI chip)');
  }
}
