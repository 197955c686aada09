// The real parts: chip models + drivers + firmware, the peer Stack, the TAP bridge, the pcap writer.
import { TapBridge } from '../../hal/sim/tap-bridge';
import { PcapWriter } from '../pcap';
import { createDevicePart } from './device-part';
import { createPeerPart } from './peer-part';
import { PcapPart, SimParts, TapPart, TapPartOptions } from './parts';

function openPcap(path: string): PcapPart {
  let writer: PcapWriter;
  try {
    writer = new PcapWriter(path);
  } catch (err) {
    throw new Error('cannot write the pcap file ' + path + ': ' + (err as Error).message);
  }
  let open = true;
  return {
    // Wall-clock timestamps, so the capture lines up with host-side logs.
    record: (frame, atMs) => {
      if (open) writer.write(frame, atMs);
    },
    close: async () => {
      open = false;
      writer.close();
    },
  };
}

async function openTap(o: TapPartOptions): Promise<TapPart> {
  // Refuses plainly (missing TAP, not a TAP, no permission) before starting anything.
  return TapBridge.open({ name: o.name, port: o.port, onFrame: o.onFrame, log: o.log });
}

export const defaultParts: SimParts = {
  createDevice: createDevicePart,
  createPeer: createPeerPart,
  openTap,
  openPcap,
};
