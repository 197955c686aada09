// The simulated board: a chip model + its real driver (tools/sim/chip.ts) with the default firmware
// (stack, HTTP and echo apps) on top, configured from the `sim` board preset with the simulator's
// address, MAC and chip.
import { boardConfig } from '../../firmware/boards';
import { BoardConfig, macText } from '../../firmware/config';
import { startEcho } from '../../firmware/apps/echo';
import { DeviceStatus, startHttp } from '../../firmware/apps/http-app';
import { Stack } from '../../tcp/stack';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { createSimChip } from './chip';
import { DeviceCounters, DevicePart, DevicePartOptions } from './parts';

// Interface counters that count traffic, not drops (every other one names a reason for a drop).
const TRAFFIC = ['rx-frames', 'tx-frames', 'arp-rx', 'arp-requests-sent', 'arp-replies-sent', 'arp-unsolicited-ignored', 'ipv4-rx',
  'icmp-echo-replies', 'icmp-errors-sent', 'icmp-unreachable-rx', 'udp-rx'];

export function simBoardConfig(o: DevicePartOptions): BoardConfig {
  const c = boardConfig('sim');
  if (!c) throw new Error('the firmware has no "sim" board preset');
  c.chip = o.chip;
  c.mac = macText(o.mac);
  c.ipv4 = o.ip
    ? { address: formatIpv4(o.ip.address), prefixLength: o.ip.prefix, gateway: o.gateway ? formatIpv4(o.gateway) : '', dns: [] }
    : 'dhcp';
  return c;
}

export function createDevicePart(o: DevicePartOptions): DevicePart {
  const config = simBoardConfig(o);
  const chip = createSimChip(o.chip, o.clock, o.port, o.mac);
  const dev = chip.device;
  const stack = new Stack({
    device: dev,
    random: o.random,
    ipv4: o.ip ? { address: o.ip.address, prefixLength: o.ip.prefix, gateway: o.gateway || undefined } : undefined,
    dhcp: o.dhcp,
    hostname: config.hostname,
  });
  const startedAt = o.clock.nowMs();
  const buffers = { rxBytes: config.buffers.tcpRx, txBytes: config.buffers.tcpTx };
  if (config.apps.echoPort) startEcho(stack, config.apps.echoPort, buffers);
  const status = (): DeviceStatus => {
    const ifc = stack.iface;
    const c = stack.counters();
    return {
      board: config.name,
      chip: o.chip === 'w5500' ? 'W5500 (simulated)' : 'ENC28J60 (simulated)',
      uptimeMs: o.clock.nowMs() - startedAt,
      address: ifc.address ? formatIpv4(ifc.address) + '/' + ifc.prefixLength : '',
      gateway: ifc.gateway ? formatIpv4(ifc.gateway) : '',
      mac: macText(o.mac),
      dhcp: o.dhcp,
      link: dev.linkUp(),
      connections: stack.tcp.sockets.length,
      counters: {
        device: Object.assign({}, dev.counters) as unknown as { [k: string]: number },
        iface: Object.assign({}, c.iface),
        tcp: Object.assign({}, c.tcp) as unknown as { [k: string]: number },
      },
      memory: null,
    };
  };
  if (config.apps.httpPort) {
    startHttp(stack, status, { port: config.apps.httpPort, buffers, maxHeadBytes: config.buffers.httpHead, idleTimeoutMs: config.apps.httpIdleMs });
  }
  let lastWork = -1;
  let busy = false;
  return {
    poll: (now) => {
      chip.service();
      const next = stack.poll(now);
      // Frames moved in this round: there may be more waiting in the chip, so run again at once.
      const work = dev.counters.rxFrames + dev.counters.txFrames;
      busy = work !== lastWork;
      lastWork = work;
      return next;
    },
    busy: () => busy,
    address: () => ({ address: stack.iface.address, prefix: stack.iface.prefixLength, gateway: stack.iface.gateway }),
    counters: (): DeviceCounters => {
      const c = stack.counters();
      let drops = dev.counters.rxDropped + chip.overflowDrops();
      for (const k in c.iface) if (TRAFFIC.indexOf(k) < 0) drops += c.iface[k];
      drops += c.tcp.rxBad + c.tcp.oooDropped + c.tcp.synDropped + c.tcp.acceptOverflow;
      return {
        segmentsIn: c.tcp.rxSegments,
        segmentsOut: c.tcp.txSegments,
        retransmits: c.tcp.retransmits,
        drops,
        connections: stack.tcp.sockets.length,
      };
    },
    details: () => {
      const c = stack.counters();
      return {
        driver: Object.assign({}, dev.counters) as unknown as { [k: string]: number },
        chip: chip.modelStats(),
        iface: Object.assign({}, c.iface),
        tcp: Object.assign({}, c.tcp) as unknown as { [k: string]: number },
      };
    },
    stop: () => undefined,
  };
}
