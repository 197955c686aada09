// The real Espruino interpreter as a device under test: a bundle booted from Storage the way a board
// runs code saved with `--save` (function bodies stay in flash), its frames carried over UDP (the
// `dgram` link, hal/espruino/dgram-frame-device.ts) by socat to a TAP inside a network namespace this
// rig makes, where the kernel's own clients (ping, curl, dnsmasq, node) talk to it. The tests
// (test/espruino-real/, with their skip rules in test/helpers/espruino-real.ts) and the bench
// (bench/espruino-device.ts) share it.
//
//   kernel (namespace) ⇄ TAP ⇄ socat ⇄ UDP 127.0.0.1:relayPort ⇄ UDP :localPort ⇄ Espruino (our stack)
//
// Interpreters come from tools/espruino-bin.ts (ESPRUINO_BIN or ../shared/espruino/bin/), found with
// tools/gate/espruino.ts. Everything started here is released by `stop()` and, whatever happens, by the
// exit hook of tools/netns.ts.
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Runnable } from './espruino-bin';
import { Netns, createTap, uniqueSuffix, stopChild, cleanup } from './netns';
import { socatReady } from '../hal/sim/tap-bridge';

/** Strips the REPL's 0xF7 filler bytes. */
function clean(s: string): string {
  return s.replace(/\xf7/g, '');
}

export interface EspruinoProcess {
  /** Everything it printed so far (latin1, 0xF7 filler removed). */
  output(): string;
  /** Resolves with the output once `re` matches it; rejects after `ms` or when the interpreter exits. */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Types a line at the REPL. */
  send(line: string): void;
  /** Evaluates `expr` at the REPL and resolves with the JSON of its value. */
  evalJson(expr: string, ms?: number): Promise<unknown>;
  exited(): boolean;
  stop(): Promise<void>;
}

let evalSeq = 0;

/**
 * Boots `code` from the emulated Storage of `interp`: a first run in file mode writes it as `.bootcde`
 * into `espruino.flash` in a fresh working directory (1 KB at a time, as the espruino CLI's save does);
 * then the interpreter starts in interactive mode and, like a board at power-on, runs `.bootcde`.
 * Standard input stays open (at its end the REPL would spin); `stop()` kills it.
 */
export async function bootFromStorage(interp: Runnable, code: string | Buffer, label: string): Promise<EspruinoProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-espruino-' + label + '-'));
  const codeFile = path.join(dir, 'code.js');
  fs.writeFileSync(codeFile, code);
  const writer = path.join(dir, 'writer.js');
  fs.writeFileSync(writer,
    'var S=require("Storage"),p=' + JSON.stringify(codeFile) + ',n=require("fs").statSync(p).size;S.erase(".bootcde");' +
    'var f=E.openFile(p,"r"),o=0,s;while((s=f.read(1024))&&s.length){S.write(".bootcde",s,o,n);o+=s.length;}f.close();' +
    'print("WROTE "+o+" OF "+n+" READ "+S.read(".bootcde").length);\n');
  const w = spawnSync(interp.command, interp.prefix.concat([writer]), { cwd: dir, input: '', timeout: 60000, encoding: 'latin1' });
  const wout = clean((w.stdout || '') + (w.stderr || ''));
  const m = /WROTE (\d+) OF (\d+) READ (\d+)/.exec(wout);
  if (!m || m[1] !== m[2] || m[2] !== m[3]) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error('could not write the bundle to the interpreter\'s Storage: ' + wout.slice(-1500));
  }
  const child = spawn(interp.command, interp.prefix, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  return wrapProcess(child, dir);
}

function wrapProcess(child: ChildProcess, dir: string): EspruinoProcess {
  let out = '';
  let gone = false;
  const waiters: Array<() => void> = [];
  const wake = (): void => { for (const f of waiters.slice()) f(); };
  const take = (b: Buffer): void => {
    if (out.length > 4000000) out = out.slice(-2000000); // bounded
    out += clean(b.toString('latin1'));
    wake();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  child.stdin!.on('error', () => undefined);
  child.on('exit', () => { gone = true; wake(); });
  child.on('error', (e) => { out += '\n[spawn error] ' + e.message; gone = true; wake(); });
  const proc: EspruinoProcess = {
    output: () => out,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const r = re.exec(out);
          if (r) { done(); resolve(r); return; }
          if (gone) { done(); reject(new Error('the interpreter exited while waiting for ' + re + '; it printed:\n' + out.slice(-3000))); }
        };
        const timer = setTimeout(() => { done(); reject(new Error('timed out after ' + ms + ' ms waiting for ' + re + '; it printed:\n' + out.slice(-3000))); }, ms);
        const done = (): void => { clearTimeout(timer); const i = waiters.indexOf(check); if (i >= 0) waiters.splice(i, 1); };
        waiters.push(check);
        check();
      });
    },
    send(line) {
      if (!gone) child.stdin!.write(line + '\n');
    },
    async evalJson(expr, ms = 10000) {
      const tag = 'EJ' + (++evalSeq) + 'X';
      proc.send('print("' + tag + '"+JSON.stringify(' + expr + ')+"' + tag + '")');
      const r = await proc.waitFor(new RegExp('\\n' + tag + '(.*?)' + tag), ms);
      return JSON.parse(r[1]);
    },
    exited: () => gone,
    async stop() {
      await stopChild(child, 500);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return proc;
}

/** A namespace holding a TAP's kernel side, and the relay holding its other side. */
export interface TapRig<R> {
  ns: Netns;
  tap: string;
  relay: R;
  stop(): Promise<void>;
}

/**
 * A namespace and a TAP, the TAP's far side held by the relay `openRelay` starts (it releases what it
 * opened when it throws); the TAP then moves into the namespace with `kernelCidr`. On any failure the
 * relay, the namespace and the TAP are released before the error is passed on.
 */
export async function startTapRig<R>(label: string, kernelCidr: string, openRelay: (tap: string) => Promise<R>,
                                     stopRelay: (relay: R) => Promise<void>): Promise<TapRig<R>> {
  const sfx = uniqueSuffix();
  const tap = 'etcpip-' + sfx;
  const ns = Netns.create(label + '-' + sfx);
  let relay: R | null = null;
  try {
    createTap(tap);
    relay = await openRelay(tap);
    ns.adoptTap(tap, kernelCidr);
  } catch (e) {
    if (relay !== null) await stopRelay(relay);
    ns.destroy();
    cleanup();
    throw e;
  }
  const r = relay;
  return {
    ns, tap, relay: r,
    async stop() {
      await stopRelay(r);
      ns.destroy();
    },
  };
}

export type RelayRig = TapRig<ChildProcess>;

/**
 * A rig whose relay is socat joining the TAP to the device's UDP port (the `dgram` link's relay,
 * tools/dgram-tap-relay.ts, with its readiness awaited).
 */
export function startRelayRig(label: string, kernelCidr: string, relayPort: number, devicePort: number): Promise<RelayRig> {
  return startTapRig(label, kernelCidr, async (tap) => {
    const relay = spawn('socat', ['-d', '-d', '-b', '65536', 'TUN,tun-type=tap,iff-no-pi,iff-up,tun-name=' + tap,
      'UDP-DATAGRAM:127.0.0.1:' + devicePort + ',bind=127.0.0.1:' + relayPort], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ready = await socatReady(relay, 5000);
    if (ready.problem) {
      await stopChild(relay);
      throw new Error(ready.problem + ': ' + ready.log);
    }
    return relay;
  }, (relay) => stopChild(relay));
}

/** dnsmasq on the rig's TAP, handing out `range` (e.g. "10.0.9.50,10.0.9.60"); killed with the rig at the latest. */
export function startDnsmasq(rig: RelayRig, range: string, router: string): { child: ChildProcess; log(): string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-dnsmasq-'));
  const child = rig.ns.spawn('dnsmasq', [
    '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
    '--bind-interfaces', '--interface=' + rig.tap, '--except-interface=lo', '--user=root', '--pid-file=',
    '--dhcp-leasefile=' + path.join(dir, 'leases'), '--dhcp-range=' + range + ',255.255.255.0,2m',
    '--dhcp-option=option:router,' + router, '--log-dhcp',
  ]);
  let log = '';
  const take = (b: Buffer): void => { if (log.length < 50000) log += b.toString(); };
  child.stderr!.on('data', take);
  child.stdout!.on('data', take);
  child.on('error', (e) => { log += 'cannot run dnsmasq: ' + e.message + ' (apt-get install dnsmasq-base)'; });
  return { child, log: () => log, dir };
}
