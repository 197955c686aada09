// Connects a Linux TAP device to one port of a VirtualWire, so a simulated device talks to the real
// kernel: frames the kernel sends into the TAP are put on the wire, frames arriving at the port are
// written to the TAP.
//
// Two ways to hold the TAP. By default this process opens it (hal/sim/tap-fd.ts: a Perl one-liner makes
// the TUNSETIFF ioctl Node cannot make, on a descriptor Node opened and keeps). Where that cannot work
// (no Perl, a Node without libuv's pipe binding), or when `socat` is given, socat opens the TAP and
// relays each frame as one UDP datagram on 127.0.0.1 to and from a socket of ours:
//
//   socat TUN,tun-type=tap,iff-no-pi,tun-name=NAME  UDP-DATAGRAM:127.0.0.1:<ours>,bind=127.0.0.1:<its>
//
// Opening an existing TAP needs root, or a TAP created for this user (`ip tuntap add NAME mode tap user
// $USER`). As root, both ways would silently CREATE a missing TAP, so a missing one is refused here first.
//
// With network namespaces (tests): create the TAP in the root namespace, open it here, then move it with
// `ip link set NAME netns NS`: the open file descriptor stays attached, and the kernel side is configured
// inside NS.
import { spawn, ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import { WirePort } from './virtual-wire';
import { openTapFd, TapFd } from './tap-fd';

export interface TapBridgeOptions {
  /** The TAP interface name (1-15 characters). */
  name: string;
  port: WirePort;
  /** Called after a frame from the kernel was put on the wire (the simulation loop should run). */
  onFrame?: () => void;
  log?: (line: string) => void;
  /** Relay through this socat executable instead of opening the TAP in this process. */
  socat?: string;
  /** The Perl that attaches this process's descriptor to the TAP (default "perl" on PATH). */
  perl?: string;
  /** How long to wait for socat to open the TAP (ms). */
  startTimeoutMs?: number;
}

export interface TapBridgeCounters {
  toWire: number;
  toTap: number;
  tooLarge: number;
  sendErrors: number;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Waits until socat (started with `-d -d` and its stderr piped) reports its data loop running. Resolves
 * with null then, or with why it did not (could not run, exited, silent for `timeoutMs`), and with its
 * log so far either way (at most 20,000 characters). Afterwards its log keeps being drained.
 */
export function socatReady(child: ChildProcess, timeoutMs: number): Promise<{ problem: string | null; log: string }> {
  let log = '';
  return new Promise((resolve) => {
    const done = (problem: string | null): void => {
      clearTimeout(timer);
      child.stderr!.removeAllListeners('data');
      child.stderr!.on('data', () => undefined); // keep draining so socat never blocks on a full pipe
      resolve({ problem, log });
    };
    const timer = setTimeout(() => done('socat did not report ready within ' + timeoutMs + ' ms'), timeoutMs);
    child.once('error', (e) => done('cannot run socat (' + e.message + '): install it (Debian package "socat")'));
    child.once('exit', (code) => done('socat exited (' + code + ')'));
    child.stderr!.on('data', (b: Buffer) => {
      if (log.length < 20000) log += b.toString();
      if (/starting data transfer loop/.test(log)) done(null);
    });
  });
}

/** Why `name` cannot be opened, in plain words, or null if it looks openable. */
export function tapProblem(name: string): string | null {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) return 'bad TAP name "' + name + '" (1-15 letters, digits, _ . -)';
  if (!fs.existsSync('/dev/net/tun')) return 'cannot open TAP ' + name + ': /dev/net/tun does not exist (no TUN/TAP support here)';
  const sys = '/sys/class/net/' + name;
  if (!fs.existsSync(sys)) {
    return 'TAP ' + name + ' does not exist: create it first, as root: ip tuntap add ' + name + ' mode tap user ' +
      (process.env.USER || 'YOURUSER');
  }
  let flags = -1;
  try { flags = parseInt(fs.readFileSync(sys + '/tun_flags', 'utf8'), 16); } catch { /* not a tun device */ }
  if (flags < 0) return name + ' is not a TUN/TAP device';
  if (!(flags & 0x0002)) return name + ' is a TUN device, not a TAP (Ethernet) device';
  if (!isRoot()) {
    let owner = -1;
    try { owner = Number(fs.readFileSync(sys + '/owner', 'utf8')); } catch { /* unknown */ }
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    if (owner !== uid) {
      return 'opening TAP ' + name + ' needs root, or a TAP created for your user (as root: ip tuntap del ' + name +
        ' mode tap; ip tuntap add ' + name + ' mode tap user ' + (process.env.USER || 'YOURUSER') + ')';
    }
  }
  return null;
}

/** How frames cross between the TAP and this process: directly (hal/sim/tap-fd.ts) or through socat. */
interface TapLink {
  readonly via: 'direct' | 'socat';
  send(frame: Uint8Array, done: (ok: boolean) => void): void;
  onFrame: ((frame: Uint8Array) => void) | null;
  alive(): boolean;
  pid(): number | undefined;
  stop(): Promise<void>;
}

function permissionMessage(name: string): string {
  return 'opening TAP ' + name + ' needs root, or a TAP created for your user (as root: ip tuntap add ' + name +
    ' mode tap user ' + (process.env.USER || 'YOURUSER') + ')';
}

function directLink(tap: TapFd): TapLink {
  const link: TapLink = {
    via: 'direct',
    send: (frame, done) => done(tap.write(frame)),
    onFrame: null,
    alive: () => tap.alive(),
    pid: () => undefined,
    stop: () => tap.close(),
  };
  tap.onFrame = (frame) => { if (link.onFrame) link.onFrame(frame); };
  return link;
}

async function socatLink(o: TapBridgeOptions): Promise<TapLink> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => { sock.removeListener('error', reject); resolve(); });
  });
  const ours = sock.address().port;
  const theirs = await freeUdpPort();
  const args = ['-d', '-d', '-b', '65536',
    'TUN,tun-type=tap,iff-no-pi,iff-up,tun-name=' + o.name,
    'UDP-DATAGRAM:127.0.0.1:' + ours + ',bind=127.0.0.1:' + theirs];
  const child = spawn(o.socat || 'socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const { problem: ready, log: stderr } = await socatReady(child, o.startTimeoutMs || 5000);
  if (ready !== null) {
    if (child.exitCode === null) child.kill('SIGKILL');
    sock.close();
    let msg = 'cannot open TAP ' + o.name + ': ' + ready;
    if (/Operation not permitted|Permission denied|EPERM|EACCES/.test(stderr)) msg = permissionMessage(o.name);
    throw new Error(msg + '\n' + stderr.split('\n').filter((l) => / [EW] /.test(l)).join('\n'));
  }
  if (o.log) o.log('TAP ' + o.name + ' bridged (socat pid ' + child.pid + ', udp 127.0.0.1:' + ours + ' <-> ' + theirs + ')');
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { exited = true; resolve(); return; }
    child.once('exit', () => { exited = true; resolve(); });
  });
  const link: TapLink = {
    via: 'socat',
    send: (frame, done) => sock.send(frame, theirs, '127.0.0.1', (err) => done(!err)),
    onFrame: null,
    alive: () => !exited,
    pid: () => child.pid,
    async stop(): Promise<void> {
      if (!exited) child.kill('SIGTERM');
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 1000);
      await exitedPromise;
      clearTimeout(t);
      await new Promise<void>((resolve) => sock.close(() => resolve()));
    },
  };
  sock.on('message', (frame: Buffer) => { if (link.onFrame) link.onFrame(new Uint8Array(frame.buffer, frame.byteOffset, frame.length)); });
  return link;
}

export class TapBridge {
  readonly counters: TapBridgeCounters = { toWire: 0, toTap: 0, tooLarge: 0, sendErrors: 0 };
  private stopped = false;

  private constructor(readonly name: string, private readonly port: WirePort, private readonly link: TapLink,
                      o: TapBridgeOptions) {
    link.onFrame = (frame: Uint8Array) => {
      if (this.stopped) return;
      if (frame.length < 14 || frame.length > 1514) {
        // The kernel may send larger frames if the TAP's MTU is raised; the wire carries ≤ 1514.
        this.counters.tooLarge++;
        return;
      }
      this.counters.toWire++;
      port.send(frame);
      if (o.onFrame) o.onFrame();
    };
    const sent = (ok: boolean): void => { if (!ok) this.counters.sendErrors++; };
    port.onFrame = (frame: Uint8Array) => {
      if (this.stopped) return;
      this.counters.toTap++;
      link.send(frame, sent);
    };
  }

  /**
   * Opens the TAP: directly in this process where it can (Perl and libuv's pipe binding present, and no
   * `socat` asked for), else through socat. Rejects with a plain message when it cannot be opened.
   */
  static async open(o: TapBridgeOptions): Promise<TapBridge> {
    const problem = tapProblem(o.name);
    if (problem) throw new Error(problem);
    if (!o.socat) {
      const r = openTapFd(o.name, o.perl);
      if ('tap' in r) {
        if (o.log) o.log('TAP ' + o.name + ' opened in this process');
        return new TapBridge(o.name, o.port, directLink(r.tap), o);
      }
      if ('problem' in r) throw new Error(r.permission ? permissionMessage(o.name) : 'cannot open TAP ' + o.name + ': ' + r.problem);
      if (o.log) o.log('TAP ' + o.name + ': cannot open it in this process (' + r.unavailable + '), relaying through socat');
    }
    return new TapBridge(o.name, o.port, await socatLink(o), o);
  }

  /** Frames are forwarded as they come: nothing ever waits here. */
  busy(): boolean {
    return false;
  }

  /** 'direct' when this process holds the TAP, 'socat' when a relay does. */
  via(): 'direct' | 'socat' {
    return this.link.via;
  }

  /** Whether the TAP is still held (socat still running). */
  alive(): boolean {
    return this.link.alive();
  }

  /** The relay's process id (socat), undefined when direct. */
  pid(): number | undefined {
    return this.link.pid();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.port.onFrame) this.port.onFrame = null;
    await this.link.stop();
  }
}
