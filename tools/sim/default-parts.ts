// The real parts: chip models + drivers + firmware, the peer Stack, the TAP bridge, the pcap writer.
import { SimParts } from './parts';

const missing = (what: string) => (): never => {
  throw new Error(what + ' is not available yet');
};

export const defaultParts: SimParts = {
  createDevice: missing('the simulated board'),
  createPeer: missing('the peer stack'),
  openTap: missing('the TAP bridge'),
  openPcap: missing('the pcap writer'),
};
