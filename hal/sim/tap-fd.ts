// Opens a Linux TAP device in this Node process, without a relay process in between.
//
// Node has no ioctl(), and attaching a file on /dev/net/tun to an interface takes one: TUNSETIFF
// (linux/if_tun.h: _IOW('T', 202, int) = 0x400454ca, with a struct ifreq of the name in 16 bytes and
// the flags IFF_TAP 0x0002 | IFF_NO_PI 0x1000). So Node opens /dev/net/tun itself and lends the file to
// a one-line Perl (perl-base is Essential in Debian: always installed), which makes the ioctl on its
// inherited copy and exits. The attachment belongs to the open file, not to the process, so Node's
// descriptor is now the TAP.
//
// Reading must not block a thread: the descriptor is non-blocking and handed to libuv as a pipe (libuv
// polls any descriptor it is given that way; `net.Socket` only refuses it by type, so the handle is
// made first). A read of a TAP returns exactly one frame, so each 'data' chunk of the flowing stream is
// one frame. Writes go out with one write() each (fs.writeSync): a TAP takes a frame per write and
// never blocks, so no write queue can merge two frames.
//
// What this saves over the socat relay: per frame, a second process waking up, and a UDP datagram on
// the loopback each way (BENCHMARKS.md §1b). Without Perl or libuv's pipe binding, the caller falls
// back to socat.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

const TUNSETIFF = 0x400454ca;
const IFF_TAP_NO_PI = 0x0002 | 0x1000;

const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;

/**
 * Makes the TUNSETIFF ioctl on descriptor 3 for the interface named by the first argument (a struct
 * ifreq is 40 bytes: the name, then a union whose first member is the short flags). Then it sets the
 * interface up where it may (root), as socat's `iff-up` did; a user's own TAP stays as its owner left it.
 */
const ATTACH_SCRIPT =
  'open(my $f, "+<&=3") or die "descriptor: $!\\n"; ' +
  'ioctl($f, ' + TUNSETIFF + ', pack("Z16 s x22", $ARGV[0], ' + IFF_TAP_NO_PI + ')) or die "TUNSETIFF: $!\\n"; ' +
  'socket(my $s, 2, 2, 0) or exit 0; my $r = pack("Z16 x24", $ARGV[0]); ' +
  'ioctl($s, ' + SIOCGIFFLAGS + ', $r) or exit 0; my $fl = unpack("x16 s", $r) | ' + IFF_UP + '; ' +
  'ioctl($s, ' + SIOCSIFFLAGS + ', pack("Z16 s x22", $ARGV[0], $fl)); exit 0;';

export interface TapFd {
  /** Writes one frame to the kernel; false when the write failed. */
  write(frame: Uint8Array): boolean;
  /** Frames from the kernel, one per call. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** False once closed or after a read error. */
  alive(): boolean;
  close(): Promise<void>;
}

interface PipeBinding {
  Pipe: new (type: number) => { open(fd: number): number };
  constants: { SOCKET: number };
}

function pipeBinding(): PipeBinding | null {
  try {
    // process.binding is Node's older door to its internals; pipe_wrap is on its allow-list (Node 18-24).
    const b = (process as unknown as { binding(name: string): PipeBinding }).binding('pipe_wrap');
    return b && typeof b.Pipe === 'function' ? b : null;
  } catch {
    return null;
  }
}

export type TapFdResult =
  | { tap: TapFd }
  /** This machine cannot do it (no Perl, no pipe binding): use the relay. */
  | { unavailable: string }
  /** The TAP cannot be opened at all (permission, not a TAP): a plain message. */
  | { problem: string; permission: boolean };

/** Attaches a new descriptor to TAP `name` and starts reading it. */
export function openTapFd(name: string, perl = 'perl'): TapFdResult {
  const binding = pipeBinding();
  if (!binding) return { unavailable: "this Node has no process.binding('pipe_wrap')" };
  let fd = -1;
  try {
    fd = fs.openSync('/dev/net/tun', fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  } catch (e) {
    return { problem: 'cannot open /dev/net/tun: ' + (e as Error).message, permission: /EACCES|EPERM/.test(String(e)) };
  }
  const r = spawnSync(perl, ['-e', ATTACH_SCRIPT, name], { stdio: ['ignore', 'ignore', 'pipe', fd], timeout: 5000 });
  if (r.error || r.status !== 0) {
    fs.closeSync(fd);
    const why = r.error ? r.error.message : String(r.stderr || '').trim() || 'perl exited ' + r.status;
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { unavailable: 'no perl (' + why + ')' };
    return { problem: why, permission: /not permitted|Permission denied/.test(why) };
  }
  const pipe = new binding.Pipe(binding.constants.SOCKET);
  const err = pipe.open(fd);
  if (err !== 0) {
    fs.closeSync(fd);
    return { unavailable: 'libuv refused the descriptor (' + err + ')' };
  }
  // From here the socket owns the descriptor: destroying it closes the file.
  const sock = new net.Socket({ handle: pipe, readable: true, writable: false } as net.SocketConstructorOpts);
  let open = true;
  const closed = new Promise<void>((resolve) => sock.once('close', () => { open = false; resolve(); }));
  const tap: TapFd = {
    onFrame: null,
    write(frame: Uint8Array): boolean {
      if (!open) return false;
      try {
        return fs.writeSync(fd, frame) === frame.length;
      } catch {
        return false;
      }
    },
    alive: () => open,
    close(): Promise<void> {
      if (open) sock.destroy();
      return closed;
    },
  };
  sock.on('data', (chunk: Buffer) => {
    if (tap.onFrame) tap.onFrame(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
  });
  sock.on('error', () => { open = false; sock.destroy(); });
  return { tap };
}
