// Window scaling against the Linux kernel (RFC 7323 §2): with 128 KB buffers our SYN|ACK answers the
// kernel's window-scale offer with shift 2, so both directions run scaled (the kernel's shift on what
// we send, ours on what we advertise). The kernel's client sends 4 MB through a slightly lossy TAP
// link to our echo server and checks the echo byte for byte. Root only; bounded; own namespace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import { needRoot, cleanup } from '../helpers/netns';
import { startStackRig, StackRig, TCP2_MAC } from '../helpers/kernel-rig';
import { TcpSocket } from '../../tcp/tcp/socket';

const KERNEL = '10.78.4.1';
const OURS = '10.78.4.2';
const PEER_PY = path.join(__dirname, '..', 'tcp', 'fixtures', 'kernel-peer.py');
const BYTES = 4 * 1024 * 1024;

test('kernel client ↔ our echo server with 128 KB buffers: window scaling in force both ways, 4 MB byte-exact', async () => {
  if (!needRoot('window scaling against the kernel over a TAP')) return;
  let rig: StackRig | null = null;
  try {
    rig = await startStackRig({ nsPrefix: 'tcp2', kernelIp: KERNEL, ourIp: OURS, mac: TCP2_MAC, seed: 11,
      impairments: { loss: 0.005, reorder: 0.01, reorderMs: 2, delayMs: 1, seed: 31 },
      tcp: { rxBytes: 131072, txBytes: 131072 } });
    const shifts: Array<[number, number]> = [];
    let maxSndWnd = 0;
    let closed = 0;
    rig.stack.createServer(5003, (s: TcpSocket) => {
      shifts.push([s.sndShift, s.rcvShift]);
      s.on('data', (d: Uint8Array) => {
        if (s.sndWnd > maxSndWnd) maxSndWnd = s.sndWnd;
        if (!s.write(new Uint8Array(d))) s.pause();
      });
      s.on('drain', () => s.resume());
      s.on('end', () => s.end());
      s.on('close', () => { closed++; });
    });
    const r = await rig.ns.exec('python3', [PEER_PY, 'client', OURS, '5003', String(BYTES)], 120000);
    assert.is(r.stdout.trim(), 'OK', r.stdout + r.stderr + (r.timedOut ? ' (timed out)' : ''));
    await rig.until(() => closed === 1, 10000, 'our side to close');
    assert.is(shifts.length, 1);
    const [snd, rcv] = shifts[0];
    assert.ok(snd > 0, 'the kernel offered a shift and we use it: ' + snd);
    assert.is(rcv, 2, 'our shift for a 128 KB buffer (RFC 7323 §2.3: the smallest that covers it; 65535 << 1 < 131072)');
    assert.ok(maxSndWnd > 65535, 'the kernel\'s scaled window exceeded 64 KB: ' + maxSndWnd);
    console.log('  shifts snd=' + snd + ' rcv=' + rcv + ', largest peer window ' + maxSndWnd + '; wire ' + JSON.stringify(rig.wire.counters));
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test.run();
