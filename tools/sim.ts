// `npm start` / `npm run sim -- [options]`: the default firmware on a simulated board, on the real clock.
// See tools/sim/options.ts for the options and README.md ("Simulator") for how to use it.
import { formatIpv4 } from '../tcp/wire/ipv4-address';
import { parseSimArgs, USAGE } from './sim/options';
import { SimHandle, startSimulator } from './sim/simulator';
import { StatusPrinter } from './sim/status';

function macText(mac: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < mac.length; i++) out.push((mac[i] < 16 ? '0' : '') + mac[i].toString(16));
  return out.join(':');
}

async function main(): Promise<void> {
  const parsed = parseSimArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write('sim: ' + parsed.error + '\n\n' + USAGE);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const o = parsed.options;
  const out = process.stdout;
  const mode = o.status === 'auto' ? (out.isTTY ? 'tty' : 'lines') : o.status;
  let printer: StatusPrinter | null = null;
  let handle: SimHandle | null = null;
  let stopping = false;
  const log = (line: string): void => {
    // Keep log lines from running into the in-place status line.
    out.write((mode === 'tty' ? '\r\x1b[K' : '') + line + '\n');
  };
  const shutdown = async (code: number, why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (printer) printer.stop();
    log(why);
    if (handle) await handle.stop();
    if (o.pcap) log('pcap written to ' + o.pcap);
    log('stopped');
    process.exitCode = code;
    // Everything is closed, so Node exits by itself; if a stray handle kept it alive, do not hang.
    setTimeout(() => process.exit(code), 2000).unref();
  };
  const onSignal = (sig: string): void => {
    // A second Ctrl-C while stopping means "now".
    if (stopping) process.exit(130);
    void shutdown(0, sig + ': stopping');
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    handle = await startSimulator(o, {
      log,
      onFatal: () => void shutdown(1, 'the simulation hit an error (above) and stopped'),
    });
  } catch (err) {
    process.stderr.write('sim: ' + (err as Error).message + '\n');
    process.exitCode = 1;
    return;
  }
  const h = handle;
  const chipName = o.chip === 'w5500' ? 'W5500 (MACRAW)' : 'ENC28J60';
  const link = o.link.kind === 'virtual' ? 'an in-process virtual wire' : 'TAP device ' + o.link.name;
  log('espruino-tcpip simulator: ' + chipName + ' board on ' + link + ', real clock');
  if (o.impairments.loss || o.impairments.delayMs || o.impairments.jitterMs || o.impairments.reorder || o.impairments.duplicate) {
    const i = o.impairments;
    log('  wire impairments: loss ' + i.loss + ', delay ' + i.delayMs + ' ms, jitter ' + i.jitterMs + ' ms, reorder ' +
      i.reorder + ', duplicate ' + i.duplicate + ' (seed ' + i.seed + ')');
  }
  let address = h.deviceAddress();
  if (!address) {
    log('  device mac ' + macText(o.mac) + ': waiting for a DHCP lease...');
    try {
      address = await h.waitForAddress(30000);
    } catch (err) {
      log('sim: ' + (err as Error).message);
      await shutdown(1, 'giving up');
      return;
    }
  }
  const prefix = o.ip ? '/' + o.ip.prefix : ' (DHCP)';
  log('  device ' + address + prefix + (o.gateway ? ' gw ' + formatIpv4(o.gateway) : '') + '  mac ' + macText(o.mac));
  if (o.link.kind === 'virtual') {
    log('  host-side peer ' + formatIpv4(o.peerIp) + ' on the virtual wire (nothing leaves this process)');
    for (const f of h.forwards) {
      const what = f.rule.devicePort === 80 ? 'open in a browser' : f.rule.devicePort === 7 ? 'echo: nc ' + f.url.replace(':', ' ') : 'tcp';
      log('  ' + f.url + '  -> device port ' + f.rule.devicePort + '   (' + what + ')');
    }
  } else {
    log('  http://' + address + '/  (from the network the TAP is on; echo on port 7)');
  }
  if (o.pcap) log('  recording the wire to ' + o.pcap);
  log('  Ctrl-C to stop');
  if (!stopping) {
    printer = new StatusPrinter(out, mode, () => h.stats(), o.statusIntervalMs);
    printer.start();
  }
}

main().catch((err) => {
  process.stderr.write('sim: ' + ((err as Error).stack || String(err)) + '\n');
  process.exit(1);
});
