import { newFrameDeviceCounters } from '../interfaces';
import { FrameDevice, FrameDeviceCounters } from '../../tcp/ports';
import { WirePort } from './virtual-wire';

/**
 * A frame device plugged straight into a virtual wire, with no chip model in between: for tests of
 * the stack above the drivers, and for host-side peers (e.g. the port forwarder's own stack).
 */
export class WireFrameDevice implements FrameDevice {
  readonly counters: FrameDeviceCounters = newFrameDeviceCounters();
  link = true;

  constructor(readonly mac: Uint8Array, private readonly port: WirePort) {}

  receive(buf: Uint8Array): number {
    const frame = this.port.take();
    if (!frame) return 0;
    if (frame.length > buf.length) {
      this.counters.rxDropped++;
      return 0;
    }
    buf.set(frame, 0);
    this.counters.rxFrames++;
    return frame.length;
  }

  send(frame: Uint8Array): boolean {
    if (!this.link || frame.length < 14 || frame.length > 1514) {
      this.counters.txErrors++;
      return false;
    }
    this.port.send(frame);
    this.counters.txFrames++;
    return true;
  }

  linkUp(): boolean {
    return this.link;
  }
}
