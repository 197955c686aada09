// hal/sim/tap-bridge.ts: frames both ways between a TAP (in a namespace) and a wire port, and plain
// errors when the TAP cannot be opened.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { needRoot, cleanup, createTap, Netns, uniqueSuffix } from '../helpers/netns';
import { TapBridge } from '../../hal/sim/tap-bridge';
import { VirtualWire } from '../../hal/sim/virtual-wire';
import { RealClock } from '../../hal/sim/virtual-clock';
import { arpFrame, OUR_MAC } from './rig';
import { ARP_OP_REPLY } from '../../tcp/wire/arp';
import { parseIpv4Address } from '../../tcp/wire/ipv4-address';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a missing TAP and a TUN are refused with a plain message', async () => {
  const wire = new VirtualWire(new RealClock());
  const err = await TapBridge.open({ name: 'etcpip-none', port: wire.b }).then(() => null, (e: Error) => e.message);
  assert.match(err as string, /TAP etcpip-none does not exist: create it first, as root: ip tuntap add etcpip-none mode tap user/);
  if (!needRoot('TUN refusal')) return;
  const tun = 'etcpip-u' + uniqueSuffix().slice(0, 6);
  try {
    execFileSync('ip', ['tuntap', 'add', tun, 'mode', 'tun']);
    const e2 = await TapBridge.open({ name: tun, port: wire.b }).then(() => null, (e: Error) => e.message);
    assert.match(e2 as string, /is a TUN device, not a TAP/);
  } finally {
    try { execFileSync('ip', ['link', 'del', tun]); } catch { /* gone */ }
  }
});

for (const via of ['direct', 'socat'] as const) {
  test('without the right to open the TAP (' + via + '), the error says root or a TAP created for the user is needed', async () => {
    if (!needRoot('permission error path')) return;
    const tap = 'etcpip-' + uniqueSuffix();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcpip-tap-'));
    try {
      createTap(tap);
      // A TAP with no owner may be attached by anyone (the kernel's tun_not_capable); this one belongs to root.
      execFileSync('ip', ['link', 'del', tap]);
      execFileSync('ip', ['tuntap', 'add', tap, 'mode', 'tap', 'user', '0']);
      // The helper that opens the TAP (perl for the ioctl, or socat) run as nobody: what an unprivileged user gets.
      const wrapper = path.join(dir, via + '-nobody');
      fs.writeFileSync(wrapper, '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups ' + (via === 'direct' ? 'perl' : 'socat') + ' "$@"\n', { mode: 0o755 });
      const wire = new VirtualWire(new RealClock());
      const o = via === 'direct' ? { perl: wrapper } : { socat: wrapper, startTimeoutMs: 3000 };
      const err = await TapBridge.open(Object.assign({ name: tap, port: wire.b }, o)).then(() => null, (e: Error) => e.message);
      assert.match(err as string, new RegExp('opening TAP ' + tap + ' needs root, or a TAP created for your user'));
    } finally {
      cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const via of ['direct', 'socat'] as const) {
  test('frames flow both ways (' + via + '): the kernel ARPs, our reply reaches it (neighbour entry), counters move', async () => {
    if (!needRoot('TAP bridge frames')) return;
    const sfx = uniqueSuffix();
    const tap = 'etcpip-' + sfx;
    let bridge: TapBridge | null = null;
    try {
      const ns = Netns.create('tb-' + sfx);
      createTap(tap);
      const wire = new VirtualWire(new RealClock());
      let kicks = 0;
      bridge = await TapBridge.open({ name: tap, port: wire.b, onFrame: () => kicks++, socat: via === 'socat' ? 'socat' : undefined });
      assert.is(bridge.via(), via);
      ns.adoptTap(tap, '10.77.3.1/24');
      // The kernel resolves 10.77.3.2: its ARP request arrives on wire.a.
      const ping = ns.exec('ping', ['-c', '1', '-W', '2', '10.77.3.2'], 5000);
      let req: Uint8Array | null = null;
      for (let i = 0; i < 200 && !req; i++) {
        await wait(10);
        for (let f = wire.a.take(); f; f = wire.a.take()) if (f[12] === 8 && f[13] === 6) req = f;
      }
      assert.ok(req, 'ARP request from the kernel reached the wire');
      assert.ok(kicks >= 1);
      const kernelMac = req!.subarray(6, 12);
      wire.a.send(arpFrame(ARP_OP_REPLY, OUR_MAC, parseIpv4Address('10.77.3.2') as number, kernelMac, parseIpv4Address('10.77.3.1') as number, kernelMac));
      for (let i = 0; i < 50; i++) { wire.deliverDue(); await wait(10); }
      await ping; // no echo reply (nobody answers ICMP here), but the neighbour entry must be there
      const neigh = await ns.exec('ip', ['neigh', 'show', '10.77.3.2'], 3000);
      assert.match(neigh.stdout, /02:00:00:00:00:01/);
      assert.ok(bridge.counters.toTap >= 1 && bridge.counters.toWire >= 1);
      assert.ok(bridge.alive());
    } finally {
      if (bridge) await bridge.stop();
      cleanup();
    }
    assert.not.ok(bridge!.alive(), 'the TAP is released');
  });
}

test.run();
