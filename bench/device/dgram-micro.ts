// Espruino's own work in sending a frame over the `dgram` link: built and run by bench/espruino-dgram.ts.
// Frames of 1,418 bytes (a 1,364-byte segment, as the `linux` preset sends them) go out in bursts of k
// a turn (a turn is a setTimeout(…, 0), so Espruino's idle loop runs between turns), a burst every k + 3
// turns, to a UDP port on 127.0.0.1 that nothing reads. DGRAM_MICRO (prepended by the runner) sets:
// - mode 'link': through DgramFrameDevice, as the firmware sends;
// - mode 'queued': each frame straight to the socket with an offset and a length, every frame of a burst
//   queued on it at once (how the link sent before 2026-12-07's change);
// - mode 'none': the same turns and socket, nothing sent (the runner subtracts it);
// - k, and n frames in all. Prints "P key value" lines.
import { DgramFrameDevice } from '../../hal/espruino/dgram-frame-device';
declare function print(...a: unknown[]): void;
declare function require(name: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const E: { toString(b: ArrayBufferLike): string };
declare const DGRAM_MICRO: { mode: string; k: number; n: number; turns: number };

function main(): void {
  const FRAME = 1418;
  const mode = DGRAM_MICRO.mode;
  const k = DGRAM_MICRO.k;
  const n = DGRAM_MICRO.n;
  const dev = new DgramFrameDevice({ mac: new Uint8Array([2, 0, 0, 0, 0, 2]), relayHost: '127.0.0.1', relayPort: 5792, localPort: 5791 });
  // The socket itself, for 'queued' (the link's own is private; a second one sends the same way).
  const raw = mode === 'queued' ? require('dgram').createSocket({ type: 'udp4' }) : null;
  const buf = new Uint8Array(1514);
  for (let i = 0; i < 1514; i++) buf[i] = i & 255;
  const frame = buf.subarray(0, FRAME);
  let sent = 0;
  let turn = 0;
  const step = function (): void {
    turn++;
    if (sent < n && turn % (k + 3) === 0) {
      for (let j = 0; j < k && sent < n; j++) {
        sent++;
        if (mode === 'link') dev.send(frame);
        else if (mode === 'queued') raw.send(E.toString(buf.buffer), 0, FRAME, 5792, '127.0.0.1');
      }
    }
    if (turn < DGRAM_MICRO.turns) setTimeout(step, 0);
    else {
      print(''); // after the prompt's escape codes
      print('P sent ' + (mode === 'none' ? 0 : sent));
      print('P txFrames ' + dev.counters.txFrames);
      print('P txErrors ' + dev.counters.txErrors);
      print('P done 1');
      dev.close();
      if (raw) raw.close();
    }
  };
  setTimeout(step, 0);
}

main();
