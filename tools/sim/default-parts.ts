// The real parts: chip models + drivers + firmware, the peer Stack, the TAP bridge, the pcap writer.
import { PcapWriter } from '../pcap';
import { PcapPart, SimParts } from './parts';

const missing = (what: string) => (): never => {
  throw new Error(what + ' is not available yet');
};

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

export const defaultParts: SimParts = {
  createDevice: missing('the simulated board'),
  createPeer: missing('the peer stack'),
  openTap: missing('the TAP bridge'),
  openPcap,
};
