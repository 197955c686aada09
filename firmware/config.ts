// The firmware's configuration: everything a board needs, in one place, with documented defaults.
// Board presets live in firmware/boards.ts; `resolveConfig` fills defaults and `validateConfig` says
// plainly what is wrong before anything touches the hardware.
import { parseIpv4Address } from '../tcp/wire/ipv4-address';

// The MAC helpers live in firmware/mac.ts (the device bundle needs them; it does not need validation).
export { macFromSerial, parseMacText, macText, configMac } from './mac';

/** "02:12:34:56:78:9a"? (no {n} quantifiers: Espruino's regex engine is small). */
function isMacText(s: string): boolean {
  const parts = s.split(':');
  if (parts.length !== 6) return false;
  for (let i = 0; i < 6; i++) if (parts[i].length !== 2 || !/^[0-9a-fA-F]+$/.test(parts[i])) return false;
  return true;
}

export type ChipKind = 'w5500' | 'enc28j60';

/**
 * How frames reach the stack: 'spi' = the Ethernet chip on an SPI bus (a real board); 'dgram' = one UDP
 * datagram per frame to a relay on the host (Espruino's Linux build, see tools/dgram-tap-relay.ts);
 * 'serial' = length-prefixed records on a serial port (Espruino's Linux build opens a pty from
 * tools/serial-tap-relay.ts as Serial1; it leaves Espruino's network alone, so NetworkJS can run);
 * 'sim' = supplied by the host simulator (no pins used).
 */
export type LinkKind = 'spi' | 'dgram' | 'serial' | 'sim';

export interface SpiConfig {
  /** 'SPI1' | 'SPI2' | 'SPI3' (hardware) or 'soft' (new SPI(): bit-banged, slow). */
  bus: string;
  sck: string;
  mosi: string;
  miso: string;
  /** Clock rate in Hz. W5500 takes up to 33 MHz (80 MHz theoretical), ENC28J60 up to 20 MHz. */
  baud: number;
}

export interface PinConfig {
  cs: string;
  /** Active-low reset, or '' if not wired (a soft reset is used then). */
  reset: string;
  /** Active-low interrupt, or '' if not wired (the stack polls on a timer then). */
  int: string;
}

export interface StaticIpv4 {
  address: string;      // "192.168.1.50"
  prefixLength: number; // 24
  gateway: string;      // "" for none
  dns: string[];
}

export interface BufferConfig {
  /** TCP receive / send buffer per connection (bytes). */
  rxBytes: number;
  txBytes: number;
  /** HTTP request head limit (bytes); larger requests get 431. */
  httpHead: number;
  /** TCP connections at once (each holds rxBytes + txBytes bytes), and half-open/unaccepted per listener. */
  maxConnections: number;
  backlog: number;
  /**
   * TCP segments a connection sends back to back before a 2 ms pause (tcp/tcp/config.ts maxBurst; 4
   * when left out): pacing for peers with a small receive ring, such as an ENC28J60 (docs/tcp-part2.md).
   * A host-side peer needs none of it.
   */
  maxBurst?: number;
  /**
   * Bytes of the HTTP app's /bytes pattern block, kept for the app's life (1,024 when left out). Each
   * write of it costs the interpreter ~70 empty-loop iterations besides its bytes (BENCHMARKS.md §3d):
   * a block the size of the send buffer refills what an ACK frees in one write. A board with RAM to
   * spare sets it; the WiFi, within ~100 blocks of its 15 % line at its fullest (README "Memory"), keeps 1 KB.
   */
  bytesBlock?: number;
}

export interface AppConfig {
  /** Echo server port, 0 = off. */
  echoPort: number;
  /** HTTP server port, 0 = off. */
  httpPort: number;
  /** Make Espruino's own require("net")/require("http") run over this stack (NetworkJS). */
  networkJs: boolean;
  /** HTTP idle timeout (ms): idle keep-alive connections close; half-received requests get 408. */
  httpIdleMs: number;
}

export interface DgramLinkConfig {
  /** The relay's address and port (tools/dgram-tap-relay.ts), and our local port. */
  relayHost: string;
  relayPort: number;
  localPort: number;
  /**
   * Received frames held until the stack polls. A chip keeps waiting frames in its own memory; this link
   * keeps them in the interpreter's, so a board's preset run over it (`--link dgram`) holds few.
   */
  frames: number;
}

export interface SerialLinkConfig {
  /** The serial device's path: on Espruino's Linux build a pty made by tools/serial-tap-relay.ts. */
  path: string;
  /** Line rate (a pty ignores it, but Espruino's Linux build wants a standard one). */
  baud: number;
  /** Received frames held until the stack polls. */
  frames: number;
}

/** Rates Espruino's Linux build maps to termios (another value prints "No baud rate defined for device"). */
export const SERIAL_BAUDS = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
  1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000];

export interface BoardConfig {
  name: string;
  description: string;
  chip: ChipKind;
  link: LinkKind;
  spi: SpiConfig;
  pins: PinConfig;
  /** "auto": derived from the board's unique id (getSerial()); else "02:xx:xx:xx:xx:xx". */
  mac: string;
  /** "dhcp" or a static configuration. */
  ipv4: 'dhcp' | StaticIpv4;
  hostname: string;
  buffers: BufferConfig;
  apps: AppConfig;
  dgram: DgramLinkConfig;
  /** Only with link 'serial' (left out otherwise: the configuration is a literal in every board's bundle). */
  serial?: SerialLinkConfig;
}

/** What a preset may leave out. */
export interface BoardPreset {
  name: string;
  description: string;
  chip: ChipKind;
  link?: LinkKind;
  spi?: Partial<SpiConfig>;
  pins?: Partial<PinConfig>;
  mac?: string;
  ipv4?: 'dhcp' | StaticIpv4;
  hostname?: string;
  buffers?: Partial<BufferConfig>;
  apps?: Partial<AppConfig>;
  dgram?: Partial<DgramLinkConfig>;
  serial?: Partial<SerialLinkConfig>;
}

export const DEFAULTS = {
  spi: { bus: 'SPI1', sck: '', mosi: '', miso: '', baud: 8000000 } as SpiConfig,
  pins: { cs: '', reset: '', int: '' } as PinConfig,
  // 2 KB per direction per connection: about 160 Espruino blocks each; see the README's memory table.
  buffers: { rxBytes: 2048, txBytes: 2048, httpHead: 1024, maxConnections: 4, backlog: 2 } as BufferConfig,
  apps: { echoPort: 7, httpPort: 80, networkJs: false, httpIdleMs: 15000 } as AppConfig,
  dgram: { relayHost: '127.0.0.1', relayPort: 5555, localPort: 5556, frames: 8 } as DgramLinkConfig,
  serial: { path: '', baud: 115200, frames: 8 } as SerialLinkConfig,
};

function merge<T>(base: T, over: Partial<T> | undefined): T {
  return Object.assign({}, base, over || {}) as T;
}

export function resolveConfig(p: BoardPreset): BoardConfig {
  const c: BoardConfig = {
    name: p.name,
    description: p.description,
    chip: p.chip,
    link: p.link || 'spi',
    spi: merge(DEFAULTS.spi, p.spi),
    pins: merge(DEFAULTS.pins, p.pins),
    mac: p.mac || 'auto',
    ipv4: p.ipv4 || 'dhcp',
    hostname: p.hostname || 'espruino',
    buffers: merge(DEFAULTS.buffers, p.buffers),
    apps: merge(DEFAULTS.apps, p.apps),
    dgram: merge(DEFAULTS.dgram, p.dgram),
  };
  if (c.link === 'serial' || p.serial) c.serial = merge(DEFAULTS.serial, p.serial);
  return c;
}

/** Every problem with a configuration, as plain sentences (empty: fine). */
export function validateConfig(c: BoardConfig): string[] {
  const e: string[] = [];
  if (c.chip !== 'w5500' && c.chip !== 'enc28j60') e.push('chip must be "w5500" or "enc28j60", not "' + c.chip + '"');
  if (c.link !== 'spi' && c.link !== 'dgram' && c.link !== 'serial' && c.link !== 'sim') e.push('link must be "spi", "dgram", "serial" or "sim"');
  if (c.link === 'spi') {
    if (['SPI1', 'SPI2', 'SPI3', 'soft'].indexOf(c.spi.bus) < 0) e.push('spi.bus must be SPI1, SPI2, SPI3 or soft');
    const names: Array<[string, string]> = [['spi.sck', c.spi.sck], ['spi.mosi', c.spi.mosi], ['spi.miso', c.spi.miso], ['pins.cs', c.pins.cs]];
    for (let i = 0; i < names.length; i++) if (!names[i][1]) e.push(names[i][0] + ' is not set');
    const used: { [pin: string]: string } = {};
    const all: Array<[string, string]> = names.concat([['pins.reset', c.pins.reset], ['pins.int', c.pins.int]]);
    for (let i = 0; i < all.length; i++) {
      const pin = all[i][1];
      if (!pin) continue;
      if (!/^[A-Z]?[0-9]+$/.test(pin)) e.push(all[i][0] + ' "' + pin + '" is not a pin name like B3 or D18');
      if (used[pin]) e.push(all[i][0] + ' and ' + used[pin] + ' are both ' + pin);
      used[pin] = all[i][0];
    }
    const maxBaud = c.chip === 'enc28j60' ? 20000000 : 33000000; // ENC28J60 DS §1.0, W5500 DS §1
    if (!(c.spi.baud >= 100000 && c.spi.baud <= maxBaud)) e.push('spi.baud must be 100000..' + maxBaud + ' for the ' + c.chip);
  }
  if (c.mac !== 'auto') {
    if (!isMacText(c.mac)) e.push('mac must be "auto" or like 02:12:34:56:78:9a');
    else if (parseInt(c.mac.substring(0, 2), 16) & 1) e.push('mac must be unicast (first byte even)');
  }
  if (c.ipv4 !== 'dhcp') {
    const s = c.ipv4;
    if (parseIpv4Address(s.address) === -1 || s.address === '0.0.0.0') e.push('ipv4.address "' + s.address + '" is not an address');
    if (!(s.prefixLength >= 1 && s.prefixLength <= 30)) e.push('ipv4.prefixLength must be 1..30');
    if (s.gateway && parseIpv4Address(s.gateway) === -1) e.push('ipv4.gateway "' + s.gateway + '" is not an address');
    for (let i = 0; i < s.dns.length; i++) if (parseIpv4Address(s.dns[i]) === -1) e.push('ipv4.dns "' + s.dns[i] + '" is not an address');
  }
  const b = c.buffers;
  // A buffer must hold at least one full-size segment (MSS 1460) and stay within the device's memory.
  if (!(b.rxBytes >= 536 && b.rxBytes <= 65535)) e.push('buffers.rxBytes must be 536..65535');
  if (!(b.txBytes >= 536 && b.txBytes <= 65535)) e.push('buffers.txBytes must be 536..65535');
  if (!(b.httpHead >= 256 && b.httpHead <= 16384)) e.push('buffers.httpHead must be 256..16384');
  if (!(b.maxConnections >= 1 && b.maxConnections <= 64)) e.push('buffers.maxConnections must be 1..64');
  if (!(b.backlog >= 1 && b.backlog <= 16)) e.push('buffers.backlog must be 1..16');
  if (b.maxBurst !== undefined && !(b.maxBurst >= 1 && b.maxBurst <= 64)) e.push('buffers.maxBurst must be 1..64');
  if (b.bytesBlock !== undefined && !(b.bytesBlock >= 64 && b.bytesBlock <= 16384)) e.push('buffers.bytesBlock must be 64..16384');
  const a = c.apps;
  if (!(a.echoPort >= 0 && a.echoPort <= 65535) || !(a.httpPort >= 0 && a.httpPort <= 65535)) e.push('app ports must be 0..65535');
  if (a.echoPort !== 0 && a.echoPort === a.httpPort) e.push('echo and HTTP cannot share port ' + a.echoPort);
  if (!(a.httpIdleMs >= 1000)) e.push('apps.httpIdleMs must be at least 1000');
  if (c.link === 'dgram' && !(c.dgram.relayPort > 0 && c.dgram.localPort > 0)) e.push('dgram ports must be set');
  if (c.link === 'dgram' && !(c.dgram.frames >= 1 && c.dgram.frames <= 64)) e.push('dgram.frames must be 1..64');
  // Espruino has one active network (libs/network/network.c networkSet): once NetworkJS is created, the
  // dgram link's own UDP socket is polled through the NetworkJS driver and never receives again
  // (measured in espruino-linux). So the two cannot share an interpreter.
  if (c.link === 'dgram' && c.apps.networkJs) e.push('apps.networkJs cannot run over the dgram link (Espruino has one active network: the link\'s own socket would stop receiving)');
  if (c.link === 'serial') {
    const sp = c.serial;
    if (!sp || typeof sp.path !== 'string' || sp.path.charAt(0) !== '/') e.push('serial.path must be an absolute path (e.g. the pty of tools/serial-tap-relay.ts), not "' + (sp ? sp.path : '') + '"');
    if (!sp || SERIAL_BAUDS.indexOf(sp.baud) < 0) e.push('serial.baud must be one of ' + SERIAL_BAUDS.join(', '));
    if (!sp || !(sp.frames >= 1 && sp.frames <= 64)) e.push('serial.frames must be 1..64');
  }
  if (!(c.hostname.length >= 1 && c.hostname.length <= 63 && /^[A-Za-z0-9-]+$/.test(c.hostname))) e.push('hostname must be 1..63 letters, digits or hyphens');
  return e;
}
