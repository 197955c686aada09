// Built in place of dgram-frame-device.ts for boards whose frames go over SPI (tools/build/profile.ts).
export class DgramFrameDevice {
  constructor(_o: unknown) {
    throw new Error('dgram link: not in this firmware build');
  }
}
