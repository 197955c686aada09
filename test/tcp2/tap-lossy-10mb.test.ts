// Interop at speed (issue 6): the kernel's `curl` fetches 10 MB from our server over a TAP link with
// the simulator's own impairments (this kernel has no netem): seeded loss, reordering and duplication.
// The bytes must arrive exactly (SHA-256 compared). Root only; bounded in time; inside its own namespace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'crypto';
import { needRoot, cleanup } from '../helpers/netns';
import { startStackRig, StackRig, TCP2_MAC } from '../helpers/kernel-rig';
import { TcpSocket } from '../../tcp/tcp/socket';

const KERNEL = '10.78.3.1';
const OURS = '10.78.3.2';
const BYTES = 10 * 1024 * 1024;

function body(): Uint8Array {
  const b = new Uint8Array(BYTES);
  let x = 987654321;
  for (let i = 0; i < BYTES; i += 4) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x & 255; b[i + 1] = (x >>> 8) & 255; b[i + 2] = (x >>> 16) & 255; b[i + 3] = x >>> 24;
  }
  return b;
}

test('curl fetches 10 MB from our server over a lossy, reordering, duplicating TAP link: byte-exact', async () => {
  if (!needRoot('10 MB over an impaired TAP link')) return;
  let rig: StackRig | null = null;
  try {
    rig = await startStackRig({ nsPrefix: 'tcp2', kernelIp: KERNEL, ourIp: OURS, mac: TCP2_MAC, seed: 11,
      impairments: { loss: 0.02, duplicate: 0.01, reorder: 0.02, reorderMs: 3, delayMs: 1, seed: 21 },
      tcp: { rxBytes: 16384, txBytes: 16384 } });
    const data = body();
    const want = createHash('sha256').update(data).digest('hex');
    let closed = 0;
    rig.stack.createServer(80, (s: TcpSocket) => {
      let sent = -1;
      const pump = (): void => {
        while (sent < BYTES) {
          const chunk = data.subarray(sent, Math.min(BYTES, sent + 8192));
          sent += chunk.length;
          if (!s.write(chunk)) return;
        }
        s.end();
      };
      s.on('data', () => {
        if (sent >= 0) return;
        sent = 0;
        s.write('HTTP/1.0 200 OK\r\nContent-Length: ' + BYTES + '\r\n\r\n');
        pump();
      });
      s.on('drain', pump);
      s.on('error', () => { /* reported by curl */ });
      s.on('close', () => { closed++; });
    });
    const started = Date.now();
    const r = await rig.ns.exec('sh', ['-c', 'curl -s -S -m 150 http://' + OURS + '/ | sha256sum'], 170000);
    const secs = (Date.now() - started) / 1000;
    assert.not.ok(r.timedOut, 'finished in time');
    assert.is(r.stdout.split(' ')[0], want, 'SHA-256 of what curl got: ' + r.stdout + r.stderr);
    await rig.until(() => closed === 1, 10000, 'our side to close');
    const w = rig.wire.counters;
    assert.ok(w.lost > 0 && w.reordered > 0 && w.duplicated > 0, 'the link really was impaired: ' + JSON.stringify(w));
    const c = rig.stack.tcp.counters;
    console.log('  10 MB over impaired TAP in ' + secs.toFixed(1) + ' s; wire ' + JSON.stringify(w) +
      '; retransmits ' + c.retransmits + ', fast ' + c.fastRetransmits);
  } finally {
    if (rig) await rig.stop();
    cleanup();
  }
});

test.run();
