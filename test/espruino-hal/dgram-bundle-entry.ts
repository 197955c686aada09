// Test-only bundle entry (test/espruino-real/dgram-link-real.test.ts): the dgram link in the real
// interpreter. DgramFrameDevice sends two bursts of 12 frames, each burst in one turn, to a second dgram
// socket of the same interpreter on 127.0.0.1 (the test runs it in a private network namespace). Frame k
// is 60 + k bytes, every byte k, all built in one reused buffer: a frame held for the socket's 'drain'
// must be a copy, and the frames must arrive whole and in order.
import { DgramFrameDevice } from '../../hal/espruino/dgram-frame-device';

declare const print: (s: string) => void;
declare function require(name: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any

const RELAY_PORT = 5771;
const DEVICE_PORT = 5772;
const got: number[] = [];
let bad = 0;
const relay = require('dgram').createSocket({ type: 'udp4', recvBufferSize: 4096 });
relay.on('message', function (m: string) {
  const k = m.charCodeAt(0);
  if (m.length !== 60 + k || m.charCodeAt(m.length - 1) !== k) bad++;
  got.push(k);
});
relay.bind(RELAY_PORT);
const dev = new DgramFrameDevice({ mac: new Uint8Array([2, 0, 0, 0, 0, 2]), relayHost: '127.0.0.1', relayPort: RELAY_PORT, localPort: DEVICE_PORT });
const buf = new Uint8Array(1514);
const burst = function (from: number, n: number): void {
  for (let k = from; k < from + n; k++) {
    buf.fill(k, 0, 60 + k);
    dev.send(buf.subarray(0, 60 + k));
  }
};
setTimeout(function () { burst(1, 12); }, 50);
setTimeout(function () { burst(13, 12); }, 400);
setTimeout(function () {
  const c = dev.counters;
  print('DGRAM RESULT ' + got.join(',') + ' bad ' + bad + ' tx ' + c.txFrames + ' resyncs ' + c.resyncs + ' errors ' + c.txErrors);
  dev.close();
  relay.close();
}, 1200);
