// The host-side peer: a second instance of our stack on the far end of the virtual wire (no chip model:
// a WireFrameDevice), the client side of the port forwards. Large buffers: it stands for the host.
import { WireFrameDevice } from '../../hal/sim/wire-frame-device';
import { Stack } from '../../tcp/stack';
import { TcpSocketApi } from '../../tcp/socket-api';
import { PeerPart, PeerPartOptions } from './parts';

const PEER_BUFFERS = { rxBytes: 65535, txBytes: 65535 };
// The host side is not a small device: room for every connection a browser or a test opens at once.
const PEER_TCP = { maxConnections: 512, backlog: 64, timeWaitSlots: 512, reassemblyRanges: 16 };

export function createPeerPart(o: PeerPartOptions): PeerPart {
  const dev = new WireFrameDevice(o.mac, o.port);
  const stack = new Stack({ device: dev, random: o.random, ipv4: { address: o.address, prefixLength: o.prefix }, tcp: PEER_TCP });
  let lastWork = -1;
  let busy = false;
  return {
    poll: (now) => {
      const next = stack.poll(now);
      const work = dev.counters.rxFrames + dev.counters.txFrames;
      busy = work !== lastWork;
      lastWork = work;
      return next;
    },
    busy: () => busy || o.port.pending() > 0,
    connect: (host, port): TcpSocketApi => stack.connect({ host, port }, PEER_BUFFERS),
    stop: () => undefined,
  };
}
