// Checks, before anything is started, that a Linux TAP device can be opened, so the user gets a plain
// reason instead of a relay that dies. Needed because, as root, opening a missing name through
// /dev/net/tun would silently CREATE a fresh, unconfigured TAP instead of failing.
import * as fs from 'fs';
import * as os from 'os';

// linux/if_tun.h: IFF_TUN 0x0001, IFF_TAP 0x0002 (as shown in /sys/class/net/NAME/tun_flags).
const IFF_TAP = 0x0002;

function readSys(name: string, file: string): string | null {
  try {
    return fs.readFileSync('/sys/class/net/' + name + '/' + file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Returns null when `name` looks openable by this process, or a message saying plainly why not. */
export function checkTapDevice(name: string): string | null {
  const user = (() => {
    try {
      return os.userInfo().username;
    } catch {
      return 'YOURUSER';
    }
  })();
  const create = 'create it first, as root: ip tuntap add ' + name + ' mode tap user ' + user;
  if (!fs.existsSync('/dev/net/tun')) return 'cannot open TAP ' + name + ': /dev/net/tun does not exist (no TUN/TAP support in this kernel or container)';
  if (!fs.existsSync('/sys/class/net/' + name)) return 'TAP device ' + name + ' does not exist: ' + create;
  const flags = readSys(name, 'tun_flags');
  if (flags === null) return 'network interface ' + name + ' is not a TUN/TAP device: ' + create;
  if (!(parseInt(flags, 16) & IFF_TAP)) return name + ' is a TUN (IP) device; the simulator needs a TAP (Ethernet) device: ' + create;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  if (uid !== 0) {
    const owner = Number(readSys(name, 'owner'));
    const group = Number(readSys(name, 'group'));
    const groups = typeof process.getgroups === 'function' ? process.getgroups() : [];
    const mine = owner === uid || (group >= 0 && groups.indexOf(group) >= 0);
    if (!mine) {
      return 'opening TAP ' + name + ' needs root, or a TAP created for your user (as root: ip tuntap del ' + name +
        ' mode tap; ip tuntap add ' + name + ' mode tap user ' + user + ')';
    }
    try {
      fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    } catch {
      return 'opening TAP ' + name + ' needs read/write access to /dev/net/tun (root, or a udev rule giving it to your user)';
    }
  }
  return null;
}
