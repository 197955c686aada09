// An exception from application code (any callback the stack makes) is counted and reported, never
// passed into the stack: each received byte is delivered exactly once, and the stack carries on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Harness, ACK, SYN, text } from './harness';
import { TcpSocket } from '../../tcp/tcp/socket';
import { Rig, ipFrame, udpSegment } from '../iface/rig';
import { IP_PROTO_UDP } from '../../tcp/wire/reprs';

test('a \'data\' handler that throws does not get the same bytes again', () => {
  const h = new Harness();
  const reports: string[] = [];
  h.tcp.onAppError = (d: string) => reports.push(d);
  const chunks: string[] = [];
  let sock: TcpSocket | null = null;
  h.tcp.listen(80, (s: TcpSocket) => {
    sock = s;
    s.on('data', (d: Uint8Array) => {
      const t = text(d);
      chunks.push(t);
      if (t === 'hello') throw new Error('app bug on ' + t);
    });
  });
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, data: 'hello' });
  h.send({ flags: ACK, seq: 1006, ack: sa.seq + 1, data: 'world' });
  assert.equal(chunks, ['hello', 'world'], 'each byte once');
  assert.is(h.tcp.counters.appErrors, 1);
  assert.equal(reports, ['data: app bug on hello']);
  assert.is(h.tcp.lastAppError, 'data: app bug on hello');
  // The connection still works both ways.
  const out = h.poll();
  assert.is(out[out.length - 1].ack, 1011, 'everything acknowledged');
  assert.ok(sock !== null && (sock as TcpSocket).write('still here'));
  assert.is(text(h.poll()[0].data), 'still here');
});

test('a throwing \'connection\' listener, and a throwing second \'data\' listener, leave the connection and the other listeners working', () => {
  const h = new Harness();
  const got: string[] = [];
  h.tcp.listen(80, (s: TcpSocket) => {
    s.on('data', (d: Uint8Array) => { got.push('a:' + text(d)); });
    s.on('data', () => { throw new Error('second listener'); });
    s.on('data', (d: Uint8Array) => { got.push('c:' + text(d)); });
    throw new Error('in connection');
  });
  h.send({ flags: SYN, seq: 1000 });
  const sa = h.one();
  h.send({ flags: ACK, seq: 1001, ack: sa.seq + 1, data: 'x' });
  assert.equal(got, ['a:x', 'c:x']);
  assert.is(h.tcp.counters.appErrors, 2);
  assert.is(h.tcp.sockets[0].stateName, 'ESTABLISHED');
});

test('a throwing \'connect\' handler does not cut the handshake short', () => {
  const h = new Harness();
  const c = h.tcp.connect(0x0a000002, 8080);
  c.on('connect', () => { throw new Error('in connect'); });
  const syn = h.one();
  h.ourPort = syn.srcPort;
  h.peerPort = 8080;
  h.send({ flags: SYN | ACK, seq: 5000, ack: syn.seq + 1, mss: 1460 });
  const out = h.poll();
  assert.is(c.stateName, 'ESTABLISHED');
  assert.equal(out.map((x) => x.flags), [ACK], 'the handshake\'s ACK went out');
  assert.is(h.tcp.counters.appErrors, 1);
});

test('a UDP handler and a \'config\' listener that throw are counted as app errors of the interface', () => {
  const reports: string[] = [];
  const rig = new Rig({ onAppError: (d: string) => reports.push(d) });
  rig.iface.on('config', () => { throw new Error('config listener'); });
  rig.iface.emit('config', null);
  let n = 0;
  rig.iface.udp.bind(4000, () => { n++; throw new Error('udp handler'); });
  rig.introduce();
  rig.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(5000, 4000, new Uint8Array([1, 2, 3]))));
  rig.peer.send(ipFrame(IP_PROTO_UDP, udpSegment(5000, 4000, new Uint8Array([4]))));
  rig.run(10);
  assert.is(n, 2);
  assert.is(rig.iface.counters['app-errors'], 3);
  assert.is(rig.iface.counters['internal-errors'], 0);
  assert.equal(reports, ['config: config listener', 'udp :4000: udp handler', 'udp :4000: udp handler']);
});

test.run();
