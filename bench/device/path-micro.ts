// The whole per-segment path of a download inside the real interpreter, without a TAP: built and run by
// bench/espruino-path.ts. The device is the firmware's Device with the `linux` preset's buffers and its
// HTTP app, over the real dgram link (DgramFrameDevice), whose dgram socket hands datagrams to a scripted
// peer in the same interpreter. The peer is a few lines of its own (nothing of the stack): it answers
// ARP, opens the connection, asks for GET /bytes/N, checks every body segment against the /bytes pattern
// and ACKs every second segment, as Linux does in a bulk transfer (and what is left at the end of a
// round). Time is virtual (1 ms a round), so a run does the
// same work every time: bench/espruino-path.ts counts the interpreter's machine instructions under
// valgrind, which a busy machine does not move. Prints "P key value" lines. PATH_BYTES (prepended by the
// runner) sets N; PATH_PEER_ONLY runs only the peer's part, as many times as a download would, to subtract.
// PATH_REORDER = k (test/espruino-real/dsack-real.test.ts, not the bench) makes the peer hold every k-th body
// segment back as reordering would: it SACKs the segments after it, takes the held one when the device
// retransmits it, then reports the retransmission a duplicate (a DSACK, RFC 2883), as Linux does.
import { Device } from '../../firmware/device';
import { resolveConfig } from '../../firmware/config';
import { PRESETS } from '../../firmware/boards';
import { DgramFrameDevice, DgramSocketLike } from '../../hal/espruino/dgram-frame-device';
import { BYTES_PATTERN } from '../../firmware/apps/http-app';
declare const E: any;
declare function getTime(): number;
declare function print(...a: any[]): void;
declare const PATH_BYTES: number | undefined;
declare const PATH_PEER_ONLY: number | undefined;
declare const PATH_ACK_EVERY: number | undefined;
declare const PATH_REORDER: number | undefined;

function main(): void {
  const BYTES = typeof PATH_BYTES !== 'undefined' ? PATH_BYTES : 300000;
  // The peer ACKs every second segment as Linux does in a bulk transfer; PATH_ACK_EVERY changes that (the
  // runner's ETCPIP_PATH_ACK_EVERY), so that a segment's cost and an ACK's can be told apart.
  const ackEvery = typeof PATH_ACK_EVERY !== 'undefined' ? PATH_ACK_EVERY : 2;
  const DEV_IP = 0x0a001d02;
  const PEER_IP = 0x0a001d01;
  const PEER_PORT = 40000;
  const PEER_ISS = 1000;
  const DEV_MAC = [2, 0, 0, 0, 0, 2];
  const PEER_MAC = [2, 0, 0, 0, 0, 1];
  const wordSum = E.sum; // as hal/espruino/platform.ts gives it
  let seed = 12345;
  const random = { nextU32: function (): number { seed = (seed * 1103515245 + 12345) >>> 0; return seed; } };

  // ---- the device, as boot.ts builds it for the linux preset
  const toPeer: string[] = [];
  const sink: { onMessage: ((msg: string) => void) | null; onDrain: (() => void) | null } = { onMessage: null, onDrain: null };
  const fakeSocket: DgramSocketLike = {
    bind: function () { return null; },
    on: function (ev: string, fn: (...a: any[]) => void) {
      if (ev === 'message') sink.onMessage = fn;
      if (ev === 'drain') sink.onDrain = fn;
      return null;
    },
    // The link hands over a string of its own (its copy of the frame). What Espruino's send does with it
    // (appends it to the socket's queue; the idle loop's copies and sendto) is Espruino's own work, not
    // counted here: bench/espruino-dgram.ts measures it. The socket drains when the peer takes the frame.
    send: function (msg: string) { toPeer.push(msg); return null; },
    close: function () { return null; },
  };
  const link = new DgramFrameDevice({
    mac: new Uint8Array(DEV_MAC), relayHost: '127.0.0.1', relayPort: 1, localPort: 2, slots: 8,
    dgram: { createSocket: function () { return fakeSocket; } },
  });
  const preset = PRESETS.linux;
  const config = resolveConfig({
    name: preset.name, description: preset.description, chip: preset.chip, link: preset.link, buffers: preset.buffers,
    ipv4: { address: '10.0.29.2', prefixLength: 24, gateway: '', dns: [] },
  });
  let now = 1000;
  const device = new Device({ config, device: link, random, wordSum, nowMs: function () { return now; } });
  // As the linux firmware is built (tools/build/profile.ts leaves window scaling out of every board's).
  (device.stack.tcp.config as { windowScaling: boolean }).windowScaling = false;

  // ---- the scripted peer
  const toDevice: string[] = [];
  const rx = new Uint8Array(1514);
  const rxv = new DataView(rx.buffer);
  const out = new Uint8Array(54 + 64);
  const outv = new DataView(out.buffer);
  out.set(DEV_MAC, 0);
  out.set(PEER_MAC, 6);
  let rcvNxt = 0;
  let sndNxt = PEER_ISS;
  let got = 0;
  let unacked = 0;
  let acks = 0;
  // PATH_REORDER: the segment held back ([heldSeq, heldEnd)), and how far the segments after it reach.
  const holdEvery = typeof PATH_REORDER !== 'undefined' ? PATH_REORDER : 0;
  let bodySegments = 0;
  let heldSeq = -1;
  let heldEnd = 0;
  let sackEnd = 0;
  let dsacks = 0;
  const u32 = function (v: number): number[] { return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]; };
  // Every segment of the body is checked against the /bytes pattern (its byte sum, native: no string is
  // made), so that a change that corrupts the download cannot count as a saving. `bodyAt`: where the body
  // starts in the stream, after the response head; `prefix[i]`: the sum of the pattern's first i bytes.
  let pattern = BYTES_PATTERN;
  while (pattern.length < 1600) pattern += BYTES_PATTERN;
  const prefix: number[] = [0];
  for (let i = 0; i < pattern.length; i++) prefix.push(prefix[i] + pattern.charCodeAt(i));
  let head = '';
  let bodyAt = -1;
  let corrupt = 0;
  /** rx[off, off+len) is the body from `at` on. */
  const checkBody = function (off: number, len: number, at: number): void {
    const o = at % BYTES_PATTERN.length;
    if (E.sum(rx.subarray(off, off + len)) !== prefix[o + len] - prefix[o]) corrupt++;
  };
  /** The folded ones'-complement sum of b[off, off+len) (off even) plus `init`, big-endian. */
  const csum = function (b: Uint8Array, off: number, len: number, init: number): number {
    let t = E.sum(new Uint16Array(b.buffer, off, len >> 1)) + ((len & 1) ? b[off + len - 1] : 0);
    t = (t >>> 16) + (t & 0xffff);
    t = (t >>> 16) + (t & 0xffff);
    t = (((t & 0xff) << 8) | (t >> 8)) + init;
    t = (t >>> 16) + (t & 0xffff);
    return (t >>> 16) + (t & 0xffff);
  };
  /** A TCP segment from the peer: `opts` option bytes, then `data` (a string). */
  const sendTcp = function (flags: number, opts: number[], data: string): void {
    const hl = 20 + opts.length;
    const tl = 20 + hl + data.length;
    outv.setUint16(12, 0x0800);
    outv.setUint32(14, 0x45000000 | tl);
    outv.setUint32(18, 0x4000);
    outv.setUint32(22, 0x40060000);
    outv.setUint32(26, PEER_IP);
    outv.setUint32(30, DEV_IP);
    outv.setUint16(24, ~csum(out, 14, 20, 0) & 0xffff);
    outv.setUint16(34, PEER_PORT);
    outv.setUint16(36, 80);
    outv.setUint32(38, sndNxt);
    outv.setUint32(42, rcvNxt);
    outv.setUint16(46, (hl << 10) | flags);
    outv.setUint32(48, 0xffff0000);
    outv.setUint16(52, 0);
    out.set(opts, 54);
    for (let i = 0; i < data.length; i++) out[34 + hl + i] = data.charCodeAt(i);
    const pseudo = (PEER_IP >>> 16) + (PEER_IP & 0xffff) + (DEV_IP >>> 16) + (DEV_IP & 0xffff) + 6 + tl - 20;
    outv.setUint16(50, ~csum(out, 34, tl - 20, pseudo) & 0xffff);
    toDevice.push(E.toString(out.subarray(0, 14 + tl)));
    sndNxt = (sndNxt + data.length + (flags & 2 ? 1 : 0)) >>> 0;
  };
  const ack = function (): void {
    sendTcp(0x10, [], '');
    unacked = 0;
    acks++;
  };
  /** A datagram from the device. */
  const peerReceive = function (m: string): void {
    rx.set(m as unknown as ArrayLike<number>, 0);
    if (rxv.getUint16(12) === 0x0806) {
      if (rx[21] !== 1 || rxv.getUint32(38) !== PEER_IP) return;
      const r = new Uint8Array(42);
      r.set(rx.subarray(6, 12), 0);
      r.set(PEER_MAC, 6);
      r.set([8, 6, 0, 1, 8, 0, 6, 4, 0, 2], 12);
      r.set(PEER_MAC, 22);
      r.set(rx.subarray(38, 42), 28);
      r.set(rx.subarray(22, 32), 32);
      toDevice.push(E.toString(r));
      return;
    }
    const flags = rx[47];
    const seq = rxv.getUint32(38);
    const plen = rxv.getUint16(16) - 20 - (rx[46] >> 4) * 4;
    // (Declared here, once: Espruino does not hoist `var`, and one declared in a block not run would leave
    // the name to the enclosing scope's variable of the minified bundle.)
    const p0 = 34 + (rx[46] >> 4) * 4;
    if ((flags & 0x12) === 0x12) {
      rcvNxt = (seq + 1) >>> 0;
      sendTcp(0x18, [], 'GET /bytes/' + BYTES + ' HTTP/1.1\r\nHost: d\r\n\r\n');
      return;
    }
    if (holdEvery > 0 && plen > 0 && bodyAt >= 0) {
      if (heldSeq < 0 && seq === rcvNxt && ++bodySegments % holdEvery === 0) {
        heldSeq = seq; // held back: not taken now
        heldEnd = sackEnd = (seq + plen) >>> 0;
        return;
      }
      if (heldSeq >= 0 && seq === sackEnd) {
        // Behind the held one: taken, and a duplicate ACK with its SACK block (RFC 2018).
        checkBody(p0, plen, got + ((seq - rcvNxt) >>> 0) - bodyAt);
        sackEnd = (sackEnd + plen) >>> 0;
        sendTcp(0x10, [1, 1, 5, 10].concat(u32(heldEnd), u32(sackEnd)), '');
        acks++;
        return;
      }
      if (heldSeq >= 0 && seq === heldSeq) {
        // The retransmission: the held original arrives first, so everything up to sackEnd is taken (an
        // ACK of it), and then the retransmission is a duplicate (an ACK with the DSACK block).
        checkBody(p0, plen, got - bodyAt);
        got += (sackEnd - rcvNxt) >>> 0;
        rcvNxt = sackEnd;
        heldSeq = -1;
        ack();
        sendTcp(0x10, [1, 1, 5, 10].concat(u32(seq), u32(heldEnd)), '');
        acks++;
        dsacks++;
        return;
      }
    }
    if (plen > 0 && seq === rcvNxt) {
      if (bodyAt >= 0) {
        checkBody(p0, plen, got - bodyAt);
      } else {
        head += m.substr(p0, plen);
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) {
          bodyAt = end + 4;
          if (bodyAt < got + plen) checkBody(p0 + bodyAt - got, got + plen - bodyAt, 0);
        }
      }
      rcvNxt = (rcvNxt + plen) >>> 0;
      got += plen;
      if (++unacked >= ackEvery) ack();
    } else if (plen > 0) {
      ack();
    }
  };

  if (typeof PATH_PEER_ONLY !== 'undefined') {
    // The peer's share alone: a data segment taken PATH_PEER_ONLY times, an ACK sent for every ackEvery-th.
    const seg = new Uint8Array(1514);
    seg.set([8, 0, 0x45, 0, 0x05, 0x7c], 12); // 1,404 bytes of IPv4: a 1,364-byte segment, as the device sends
    seg[46] = 0x50;
    seg[47] = 0x10;
    for (let i = 0; i < 1364; i++) seg[54 + i] = pattern.charCodeAt(i); // (set up once, not counted per segment)
    const segStr = E.toString(seg.subarray(0, 54 + 1364));
    bodyAt = 0;
    for (let k = 0; k < PATH_PEER_ONLY; k++) {
      rcvNxt = 0;
      got = 0;
      peerReceive(segStr);
      toDevice.splice(0, toDevice.length);
    }
    print('P acks ' + acks);
    print('P done');
    return;
  }

  // ---- the run: frames to the device each with the poll that follows (boot.ts polls on each arrival),
  // its deadline polls, then the peer takes what the device sent and ACKs what is left.
  let polls = 0;
  let deadline = 0;
  let deviceSec = 0;
  const t0 = getTime();
  // The handshake: SYN with MSS 1460 and SACK permitted (as Linux's).
  sendTcp(0x02, [2, 4, 5, 180, 1, 1, 4, 2], '');
  let rounds = 0;
  for (; rounds < 100000 && got < BYTES; rounds++) {
    now += 1;
    let polled = false;
    const d0 = getTime();
    while (toDevice.length > 0) {
      (sink.onMessage as (msg: string) => void)(toDevice.shift() as string);
      deadline = device.poll(now);
      polls++;
      polled = true;
    }
    if (!polled && now >= deadline) {
      deadline = device.poll(now);
      polls++;
    }
    deviceSec += getTime() - d0;
    while (toPeer.length > 0) {
      peerReceive(toPeer.shift() as string);
      if (sink.onDrain) sink.onDrain();
    }
    if (unacked > 0) ack();
  }
  print('P seconds ' + (getTime() - t0).toFixed(3));
  print('P deviceSeconds ' + deviceSec.toFixed(3));
  print('P rounds ' + rounds);
  print('P bytes ' + got);
  print('P segments ' + device.stack.tcp.counters.txSegments);
  print('P acks ' + acks);
  print('P polls ' + polls);
  print('P internalErrors ' + device.stack.iface.counters['internal-errors']);
  print('P corrupt ' + corrupt);
  print('P bodyFound ' + (bodyAt >= 0 ? 1 : 0));
  print('P retransmits ' + device.stack.tcp.counters.retransmits);
  print('P fastRetransmits ' + device.stack.tcp.counters.fastRetransmits);
  print('P dsacks ' + dsacks);
  print('P recoveriesUndone ' + device.stack.tcp.counters.recoveriesUndone);
  print('P done');
}
main();
