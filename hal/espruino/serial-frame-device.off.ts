// Built in place of serial-frame-device.ts for boards whose frames do not go over a serial link (tools/build/profile.ts).
export class SerialFrameDevice {
  constructor(_o: unknown) {
    throw new Error('serial link: not in this firmware build');
  }
}
