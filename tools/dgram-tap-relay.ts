// `npx ts-node tools/dgram-tap-relay.ts --tap NAME [--relay-port 5555] [--device-port 5556] [--host 127.0.0.1]`
//
// Relays Ethernet frames between a Linux TAP and the firmware running on Espruino's Linux build with
// the `linux` board preset (hal/espruino/dgram-frame-device.ts): one UDP datagram per frame.
//   kernel ⇄ TAP ⇄ socat ⇄ UDP 127.0.0.1:<relay-port> ⇄ UDP 127.0.0.1:<device-port> ⇄ Espruino (our stack)
// socat does the TAP side (Node cannot open a TAP); the same robust way as hal/sim/tap-bridge.ts, whose
// checks (tapProblem) say plainly when the TAP is missing or needs root.
//
// Typical session (as root, or with a TAP created for your user):
//   ip tuntap add etcpip0 mode tap user $USER && ip addr add 192.168.77.1/24 dev etcpip0 && ip link set etcpip0 up
//   npx ts-node tools/dgram-tap-relay.ts --tap etcpip0
//   npm run build -- --board linux && espruino dist/firmware.js     # the Espruino Linux binary
//   curl http://192.168.77.2/        (with the preset's static address set to 192.168.77.2/24, or DHCP)
import { spawn, ChildProcess } from 'child_process';
import { tapProblem } from '../hal/sim/tap-bridge';
import { DEFAULTS } from '../firmware/config';

export interface RelayOptions {
  tap: string;
  relayPort: number;
  devicePort: number;
  host: string;
  socat?: string;
}

export function parseRelayArgs(argv: string[]): RelayOptions {
  const o: RelayOptions = { tap: '', relayPort: DEFAULTS.dgram.relayPort, devicePort: DEFAULTS.dgram.localPort, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--tap') { o.tap = v; i++; }
    else if (k === '--relay-port') { o.relayPort = Number(v); i++; }
    else if (k === '--device-port') { o.devicePort = Number(v); i++; }
    else if (k === '--host') { o.host = v; i++; }
    else throw new Error('unknown argument ' + k + '\nusage: dgram-tap-relay --tap NAME [--relay-port N] [--device-port N] [--host ADDR]');
  }
  if (!o.tap) throw new Error('--tap NAME is required');
  if (!(o.relayPort > 0 && o.relayPort < 65536 && o.devicePort > 0 && o.devicePort < 65536)) throw new Error('bad port');
  return o;
}

/** The socat command line that joins the TAP to the device's UDP port. */
export function socatArgs(o: RelayOptions): string[] {
  return [
    'TUN,tun-type=tap,iff-no-pi,tun-name=' + o.tap,
    'UDP-DATAGRAM:' + o.host + ':' + o.devicePort + ',bind=' + o.host + ':' + o.relayPort,
  ];
}

/** Starts the relay; throws a plain message if the TAP cannot be opened. */
export function startRelay(o: RelayOptions, log: (s: string) => void = console.log): ChildProcess {
  const problem = tapProblem(o.tap);
  if (problem) throw new Error(problem);
  const child = spawn(o.socat || 'socat', socatArgs(o), { stdio: ['ignore', 'ignore', 'pipe'] });
  child.on('error', (e) => log('dgram-tap-relay: cannot run socat (' + e.message + '): install it (apt-get install socat)'));
  child.stderr!.on('data', (d: Buffer) => log('socat: ' + d.toString().trim()));
  log('relaying frames: TAP ' + o.tap + ' <-> udp ' + o.host + ':' + o.relayPort + ' <-> device at udp ' + o.host + ':' + o.devicePort);
  return child;
}

if (require.main === module) {
  try {
    const o = parseRelayArgs(process.argv.slice(2));
    const child = startRelay(o);
    const stop = (): void => { child.kill(); process.exit(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('exit', (code) => { console.log('socat exited (' + code + ')'); process.exit(code ? 1 : 0); });
  } catch (e) {
    console.error('dgram-tap-relay: ' + (e as Error).message);
    process.exit(1);
  }
}
