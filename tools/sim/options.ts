// Command-line options of the host simulator (`npm start`, `npm run sim -- [options]`).
// Parsing is pure (argv in, options or an error message out) so it is tested without starting anything.
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

export type ChipKind = 'w5500' | 'enc28j60';

export interface ForwardRule {
  /** Host TCP port to listen on (0 = any free port, reported by the handle). */
  hostPort: number;
  /** Device TCP port the forwarded connections go to. */
  devicePort: number;
}

export interface SimImpairments {
  loss: number;
  delayMs: number;
  jitterMs: number;
  reorder: number;
  duplicate: number;
  seed: number;
}

export interface SimOptions {
  chip: ChipKind;
  /** 'virtual': an in-process peer stack + port forwards; 'tap': a Linux TAP device by name. */
  link: { kind: 'virtual' } | { kind: 'tap'; name: string };
  /** Static address of the device, or null with `dhcp`. */
  ip: { address: number; prefix: number } | null;
  gateway: number;
  dhcp: boolean;
  /** Device MAC (6 bytes). */
  mac: Uint8Array;
  /** The host-side peer's address on the virtual wire (virtual link only). */
  peerIp: number;
  forwards: ForwardRule[];
  /** Address the port forwards listen on. */
  bindHost: string;
  pcap: string | null;
  impairments: SimImpairments;
  /** 'auto': carriage-return refreshed on a TTY, periodic lines otherwise. */
  status: 'auto' | 'tty' | 'lines' | 'off';
  statusIntervalMs: number;
  /** Seed of the device's random source (ISNs, ephemeral ports) and the peer's. */
  randomSeed: number;
}

export const DEFAULT_DEVICE_MAC = new Uint8Array([0x02, 0x45, 0x53, 0x50, 0x00, 0x02]);
export const DEFAULT_PEER_MAC = new Uint8Array([0x02, 0x45, 0x53, 0x50, 0x00, 0x01]);

export function defaultSimOptions(): SimOptions {
  return {
    chip: 'w5500',
    link: { kind: 'virtual' },
    ip: { address: 0x0a000002, prefix: 24 }, // 10.0.0.2/24
    gateway: 0,
    dhcp: false,
    mac: new Uint8Array(DEFAULT_DEVICE_MAC),
    peerIp: 0x0a000001, // 10.0.0.1
    forwards: [{ hostPort: 8080, devicePort: 80 }, { hostPort: 7007, devicePort: 7 }],
    bindHost: '127.0.0.1',
    pcap: null,
    impairments: { loss: 0, delayMs: 0, jitterMs: 0, reorder: 0, duplicate: 0, seed: 1 },
    status: 'auto',
    statusIntervalMs: 5000,
    randomSeed: Date.now() >>> 0,
  };
}

export const USAGE = `Usage: npm start                       (W5500 board, port forwards 8080->80 and 7007->7)
       npm run sim -- [options]

Options:
  --chip w5500|enc28j60     simulated Ethernet chip (default w5500)
  --link virtual            in-process wire with a host-side peer and port forwards (default)
  --link tap:NAME           attach the simulated chip's wire to an existing Linux TAP device NAME
                            (needs root, or a TAP created for your user: ip tuntap add NAME mode tap user $USER)
  --ip A.B.C.D/P            static device address (default 10.0.0.2/24)
  --gateway A.B.C.D         default gateway
  --dhcp                    get the address by DHCP (tap link only)
  --mac aa:bb:cc:dd:ee:ff   device MAC (default 02:45:53:50:00:02)
  --peer-ip A.B.C.D         address of the forwarder's own stack on the virtual wire (default: the first
                            address of the device's subnet, 10.0.0.1 for the default 10.0.0.2/24)
  --forward HOST:DEV        also forward localhost:HOST to device port DEV (repeatable; one on a default's
                            host port replaces that default)
  --no-forward              without the default forwards (8080->80, 7007->7); --forward ones still apply
  --bind ADDR               address the forwards listen on (default 127.0.0.1)
  --pcap FILE               record every frame on the simulated wire (classic pcap)
  --loss P --duplicate P --reorder P   impairment probabilities 0..1 on the simulated wire
  --delay MS --jitter MS    one-way delay and random extra delay per frame
  --seed N                  seed for the impairments and the device's randomness
  --status auto|tty|lines|off   live status line (default auto)
  --status-interval MS      period of status lines when not on a TTY (default 5000)
  -h, --help                this text
`;

export type ParseResult = { ok: true; options: SimOptions; help: boolean } | { ok: false; error: string };

function parseMac(text: string): Uint8Array | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) return null;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i])) return null;
    mac[i] = parseInt(parts[i], 16);
  }
  if (mac[0] & 1) return null; // a multicast address cannot be a station's MAC
  return mac;
}

function parseProbability(name: string, text: string): number | string {
  const v = Number(text);
  if (text === '' || !(v >= 0 && v <= 1)) return name + ' wants a probability between 0 and 1, got "' + text + '"';
  return v;
}

function parseMs(name: string, text: string): number | string {
  const v = Number(text);
  if (text === '' || !(v >= 0 && v <= 60000)) return name + ' wants milliseconds 0..60000, got "' + text + '"';
  return v;
}

function parsePort(text: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(text)) return -1;
  const v = Number(text);
  if (v > 65535 || (v === 0 && !allowZero)) return -1;
  return v;
}

const VALUE_OPTIONS = ['--chip', '--link', '--ip', '--gateway', '--mac', '--peer-ip', '--forward', '--bind', '--pcap',
  '--loss', '--reorder', '--duplicate', '--delay', '--jitter', '--seed', '--status', '--status-interval'];

export function parseSimArgs(argv: string[]): ParseResult {
  const o = defaultSimOptions();
  let help = false;
  /** --forward adds to the default forwards (one on the same host port replaces it); --no-forward drops the defaults. */
  const added: ForwardRule[] = [];
  let noDefaultForwards = false;
  let peerIpGiven = false;
  let ipGiven = false;
  const fail = (error: string): ParseResult => ({ ok: false, error });
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const flags = ['--dhcp', '--no-forward', '-h', '--help'];
    if (flags.indexOf(arg) < 0 && VALUE_OPTIONS.indexOf(arg) < 0) return fail('unknown option "' + argv[i] + '" (see --help)');
    const takesValue = flags.indexOf(arg) < 0;
    if (!takesValue && value !== undefined) return fail(arg + ' takes no value');
    if (takesValue && value === undefined) {
      if (i + 1 >= argv.length) return fail(arg + ' needs a value');
      value = argv[++i];
    }
    const v = value as string;
    switch (arg) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '--chip':
        if (v !== 'w5500' && v !== 'enc28j60') return fail('--chip must be w5500 or enc28j60, got "' + v + '"');
        o.chip = v;
        break;
      case '--link':
        if (v === 'virtual') o.link = { kind: 'virtual' };
        else if (v.startsWith('tap:') && /^[A-Za-z0-9_.-]{1,15}$/.test(v.slice(4))) o.link = { kind: 'tap', name: v.slice(4) };
        else return fail('--link must be "virtual" or "tap:NAME" (an interface name of 1-15 characters), got "' + v + '"');
        break;
      case '--ip': {
        const m = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(v);
        const addr = m ? parseIpv4Address(m[1]) : -1;
        const prefix = m && m[2] !== undefined ? Number(m[2]) : 24;
        if (!m || addr === -1 || prefix < 1 || prefix > 30) return fail('--ip wants A.B.C.D/P (P 1..30), got "' + v + '"');
        o.ip = { address: addr, prefix };
        ipGiven = true;
        break;
      }
      case '--gateway': {
        const g = parseIpv4Address(v);
        if (g === -1) return fail('--gateway wants A.B.C.D, got "' + v + '"');
        o.gateway = g;
        break;
      }
      case '--dhcp':
        o.dhcp = true;
        break;
      case '--mac': {
        const mac = parseMac(v);
        if (!mac) return fail('--mac wants six hex bytes like 02:00:00:00:00:02 (unicast), got "' + v + '"');
        o.mac = mac;
        break;
      }
      case '--peer-ip': {
        peerIpGiven = true;
        const p = parseIpv4Address(v);
        if (p === -1) return fail('--peer-ip wants A.B.C.D, got "' + v + '"');
        o.peerIp = p;
        break;
      }
      case '--forward': {
        const m = /^(\d+):(\d+)$/.exec(v);
        const hp = m ? parsePort(m[1], true) : -1;
        const dp = m ? parsePort(m[2], false) : -1;
        if (hp < 0 || dp < 0) return fail('--forward wants HOSTPORT:DEVICEPORT like 8080:80, got "' + v + '"');
        added.push({ hostPort: hp, devicePort: dp });
        break;
      }
      case '--no-forward':
        noDefaultForwards = true;
        break;
      case '--bind':
        o.bindHost = v;
        break;
      case '--pcap':
        o.pcap = v;
        break;
      case '--loss':
      case '--reorder':
      case '--duplicate': {
        const p = parseProbability(arg, v);
        if (typeof p === 'string') return fail(p);
        if (arg === '--loss') o.impairments.loss = p;
        else if (arg === '--reorder') o.impairments.reorder = p;
        else o.impairments.duplicate = p;
        break;
      }
      case '--delay':
      case '--jitter': {
        const ms = parseMs(arg, v);
        if (typeof ms === 'string') return fail(ms);
        if (arg === '--delay') o.impairments.delayMs = ms;
        else o.impairments.jitterMs = ms;
        break;
      }
      case '--seed': {
        if (!/^\d{1,10}$/.test(v)) return fail('--seed wants a non-negative integer, got "' + v + '"');
        o.impairments.seed = Number(v) >>> 0;
        o.randomSeed = Number(v) >>> 0;
        break;
      }
      case '--status':
        if (v !== 'auto' && v !== 'tty' && v !== 'lines' && v !== 'off') return fail('--status must be auto, tty, lines or off');
        o.status = v;
        break;
      case '--status-interval': {
        const ms = Number(v);
        if (!(ms >= 100 && ms <= 3600000)) return fail('--status-interval wants 100..3600000 ms');
        o.statusIntervalMs = ms;
        break;
      }
      default:
        return fail('unknown option "' + argv[i] + '" (see --help)');
    }
  }
  if (o.dhcp) {
    if (ipGiven) return fail('--dhcp and --ip exclude each other');
    if (o.link.kind !== 'tap') return fail('--dhcp needs a real network with a DHCP server: use it with --link tap:NAME');
    o.ip = null;
  }
  let defaults = noDefaultForwards ? [] : o.forwards;
  defaults = defaults.filter((d) => !added.some((a) => a.hostPort === d.hostPort));
  o.forwards = defaults.concat(added);
  if (o.link.kind === 'tap' && !added.length) o.forwards = []; // the kernel reaches the device directly
  if (o.link.kind === 'tap' && o.forwards.length) return fail('--forward works with --link virtual only (on a TAP, connect to the device address directly)');
  if (o.link.kind === 'virtual' && o.ip) {
    const mask = o.ip.prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - o.ip.prefix)) >>> 0;
    if (!peerIpGiven) {
      // The forwarder's stack goes in the device's subnet: its first address, or its second if that is the device's.
      const first = (((o.ip.address & mask) >>> 0) + 1) >>> 0;
      o.peerIp = first === o.ip.address ? first + 1 : first;
    }
    if (((o.ip.address & mask) >>> 0) !== ((o.peerIp & mask) >>> 0)) return fail('--peer-ip must lie in the device subnet');
    if (o.ip.address === o.peerIp) return fail('--peer-ip must differ from the device address');
  }
  const ports = o.forwards.map((f) => f.hostPort).filter((p) => p !== 0);
  for (let i = 0; i < ports.length; i++) {
    if (ports.indexOf(ports[i]) !== i) return fail('host port ' + ports[i] + ' is forwarded twice');
  }
  return { ok: true, options: o, help };
}
