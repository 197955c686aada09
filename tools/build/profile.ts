// What a board's firmware bundle contains. The configuration is resolved and validated here, at build
// time (a board never parses or checks its own configuration), and every optional part the board's
// configuration cannot reach is left out: the other chip's driver, the other frame links, the DHCP
// client on a static address, DNS and the NetworkJS driver when Espruino's own networking is off, UDP
// sockets when neither needs them.
//
// A part is left out by building its `NAME.off.ts` sibling in its place: the same exports, each saying
// plainly that the part is not in this build. The configuration is what makes them unreachable.
import * as fs from 'fs';
import * as path from 'path';
import { TCP_DEFAULTS } from '../../tcp/tcp/config';

export interface BoardProfile {
  /** The resolved configuration (firmware/config.ts BoardConfig), as the device sees it. */
  config: { [key: string]: unknown };
  /** Module ids built as their `.off` variant. */
  leftOut: string[];
}

/** The optional parts: module id → whether a configuration needs it. */
const OPTIONAL_PARTS: Array<{ id: string; needed: (c: any) => boolean }> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
  { id: 'hal/drivers/w5500', needed: (c) => c.link !== 'dgram' && c.link !== 'serial' && c.chip === 'w5500' },
  { id: 'hal/drivers/enc28j60', needed: (c) => c.link !== 'dgram' && c.link !== 'serial' && c.chip === 'enc28j60' },
  { id: 'hal/espruino/dgram-frame-device', needed: (c) => c.link === 'dgram' },
  { id: 'hal/espruino/serial-frame-device', needed: (c) => c.link === 'serial' },
  { id: 'tcp/iface/dhcp-client', needed: (c) => c.ipv4 === 'dhcp' },
  // UDP sockets serve the DHCP client, DNS and NetworkJS's dgram; without them every datagram is
  // answered with ICMP port unreachable (tcp/iface/udp.off.ts).
  { id: 'tcp/iface/udp', needed: (c) => c.ipv4 === 'dhcp' || !!c.apps.networkJs },
  // The firmware's own apps are servers and never resolve names; Espruino programs using
  // require("net"/"http") through NetworkJS do.
  { id: 'tcp/iface/dns-client', needed: (c) => !!c.apps.networkJs },
  { id: 'firmware/networkjs-driver', needed: (c) => !!c.apps.networkJs },
  // An app switched off (port 0) costs nothing.
  { id: 'firmware/apps/http-app', needed: (c) => c.apps.httpPort > 0 },
  { id: 'firmware/apps/echo', needed: (c) => c.apps.echoPort > 0 },
  // RFC 7323 window scaling only matters for a receive buffer above 64 KB, and validateConfig
  // (firmware/config.ts) keeps a board's at 65,535 at most: never in a board's firmware.
  { id: 'tcp/tcp/window-scale', needed: () => false },
  // SACK (RFC 2018) pays off with several segments in flight; with buffers below four full-sized
  // segments (4 × the TCP default MSS) either way there are one or two, and plain fast retransmit does.
  { id: 'tcp/tcp/sack', needed: (c) => Math.max(c.buffers.rxBytes, c.buffers.txBytes) >= 4 * TCP_DEFAULTS.mss },
  // Watching TCP state changes (tcp/tcp/transitions.ts) is for tests and debugging on the host.
  { id: 'tcp/tcp/state-watch', needed: () => false },
];

export function optionalPartIds(): string[] {
  return OPTIONAL_PARTS.map((p) => p.id);
}

/**
 * The profile of `board` ('default' = the default preset), or null when the repository has no
 * firmware/boards.ts. Throws with every problem of an invalid configuration.
 */
export function boardProfile(root: string, board: string): BoardProfile | null {
  const boardsFile = path.join(root, 'firmware', 'boards.ts');
  if (!fs.existsSync(boardsFile)) return null;
  /* eslint-disable @typescript-eslint/no-var-requires */
  const boards = require(boardsFile);
  const { validateConfig } = require(path.join(root, 'firmware', 'config.ts'));
  /* eslint-enable @typescript-eslint/no-var-requires */
  const config = boards.boardConfig(board);
  if (!config) throw new Error('unknown board "' + board + '" (known: ' + boards.boardNames().join(', ') + ')');
  return profileOf(root, config, validateConfig);
}

/** The profile of a configuration given whole (e.g. a preset with changes), validated as a preset is. */
export function configProfile(root: string, config: { [key: string]: unknown }): BoardProfile {
  const { validateConfig } = require(path.join(root, 'firmware', 'config.ts')); // eslint-disable-line @typescript-eslint/no-var-requires
  return profileOf(root, config, validateConfig);
}

/** The profile of a resolved configuration, checked with `validate` (firmware/config.ts validateConfig). */
export function profileOf(root: string, config: any, validate: (c: any) => string[]): BoardProfile { // eslint-disable-line @typescript-eslint/no-explicit-any
  const errors = validate(config);
  if (errors.length) throw new Error('configuration "' + config.name + '" is invalid: ' + errors.join('; '));
  const leftOut = OPTIONAL_PARTS.filter((p) => !p.needed(config)).map((p) => p.id);
  for (const id of leftOut) {
    if (!fs.existsSync(path.join(root, id + '.off.ts'))) throw new Error(id + ' has no ' + id + '.off.ts to build in its place');
  }
  return { config, leftOut };
}
