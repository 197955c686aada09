// The simulated board: a chip model + its real driver (tools/sim/chip.ts) running the default firmware
// (firmware/device.ts: the very code the board runs), configured from the `sim` board preset with the
// simulator's address, MAC and chip.
import { boardConfig } from '../../firmware/boards';
import { BoardConfig, macText, validateConfig } from '../../firmware/config';
import { Device } from '../../firmware/device';
import { formatIpv4 } from '../../tcp/wire/ipv4-address';
import { createSimChip } from './chip';
import { DeviceCounters, DevicePart, DevicePartOptions } from './parts';

// Interface counters that count traffic, not drops (every other one names a reason for a drop).
const TRAFFIC = ['rx-frames', 'tx-frames', 'arp-rx', 'arp-requests-sent', 'arp-replies-sent', 'arp-unsolicited-ignored', 'ipv4-rx',
  'icmp-echo-replies', 'icmp-errors-sent', 'icmp-unreachable-rx', 'udp-rx', 'internal-errors', 'app-errors'];

/** The `sim` preset with the simulator's chip, MAC and address. */
export function simBoardConfig(o: Pick<DevicePartOptions, 'chip' | 'mac' | 'ip' | 'gateway'>): BoardConfig {
  const c = boardConfig('sim');
  if (!c) throw new Error('the firmware has no "sim" board preset');
  c.chip = o.chip;
  c.mac = macText(o.mac);
  c.ipv4 = o.ip
    ? { address: formatIpv4(o.ip.address), prefixLength: o.ip.prefix, gateway: o.gateway ? formatIpv4(o.gateway) : '', dns: [] }
    : 'dhcp';
  const problems = validateConfig(c);
  if (problems.length) throw new Error('bad device configuration: ' + problems.join('; '));
  return c;
}

export function createDevicePart(o: DevicePartOptions): DevicePart {
  const config = simBoardConfig(o);
  const chip = createSimChip(o.chip, o.clock, o.port, o.mac);
  const dev = chip.device;
  const clock = o.clock;
  const device = new Device({ config, device: dev, random: o.random, nowMs: () => clock.nowMs(), memory: () => null });
  const stack = device.stack;
  let lastWork = -1;
  let busy = false;
  return {
    poll: (now) => {
      chip.service();
      const next = device.poll(now);
      // Frames moved in this round: more may be waiting in the chip, so the loop runs again at once.
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
        // Every kind: after a timeout, fast retransmit / NewReno, SACK holes, tail loss probes.
        retransmits: c.tcp.retransmits + c.tcp.fastRetransmits + c.tcp.sackRetransmits + c.tcp.lossProbes,
        drops,
        connections: stack.tcp.sockets.length,
        accepted: c.tcp.passiveOpens,
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
