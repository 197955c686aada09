// The real parts: chip models + drivers + firmware, the peer Stack, the TAP bridge, the pcap writer.
import { TapBridge } from '../../hal/sim/tap-bridge';
import { WirePort } from '../../hal/sim/virtual-wire';
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

/** Minimum Ethernet frame without FCS (IEEE 802.3 §3.2.8: 64 bytes with it). */
const MIN_FRAME = 60;

/**
 * The wire port as the TAP bridge sees it, padding the kernel's short frames to 60 bytes: a TAP hands
 * over frames as the kernel built them (a 42-byte ARP request), where a real NIC pads them on the
 * cable, and a chip model that drops runts as the real chip does (W5500) would never see them.
 */
function paddingPort(port: WirePort): WirePort {
  const pad = new Uint8Array(MIN_FRAME);
  const shim = {
    send(frame: Uint8Array): void {
      if (frame.length >= MIN_FRAME) return port.send(frame);
      pad.fill(0);
      pad.set(frame, 0);
      port.send(pad); // the wire copies it
    },
    get onFrame(): ((frame: Uint8Array) => void) | null {
      return port.onFrame;
    },
    set onFrame(fn: ((frame: Uint8Array) => void) | null) {
      port.onFrame = fn;
    },
  };
  return shim as unknown as WirePort;
}

async function openTap(o: TapPartOptions): Promise<TapPart> {
  // Refuses plainly (missing TAP, not a TAP, no permission) before starting anything.
  return TapBridge.open({ name: o.name, port: paddingPort(o.port), onFrame: o.onFrame, log: o.log });
}

export const defaultParts: SimParts = {
  createDevice: createDevicePart,
  createPeer: createPeerPart,
  openTap,
  openPcap,
};
