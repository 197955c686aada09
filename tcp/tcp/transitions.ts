// A connection's state changes, in one place: setState() is the only writer of TcpSocket.state, and
// TRANSITIONS lists every change it may make — RFC 9293's state diagram (§3.3.2, Figure 5) with its
// notes, and what this stack does besides (marked "here"). Tests watch every change (watchStates) and
// check it against the table: test/tcp/state-transitions.test.ts.
//
// A connection (TcpSocket) is never in LISTEN: a listener is its own object (listener.ts), and a SYN to
// it makes a new connection in SYN_RECEIVED (Figure 5's LISTEN → SYN-RECEIVED); a RST there ends that
// connection while the listener goes on (SYN-RECEIVED → LISTEN, note 1). TIME_WAIT is left in the compact
// table (time-wait.ts): a socket is finished as it enters TIME_WAIT.
//
// On a device nothing but setState's assignment remains: the table is never referenced there, and the
// watching is built as state-watch.off.ts (tools/build/profile.ts), so the minifier drops both.
import {
  CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, HasState,
} from './state';
import { WATCH_STATES, stateChanging } from './state-watch';

/** The states each state may change to, indexed by state (state.ts). */
export const TRANSITIONS: number[][] = [
  // CLOSED: active OPEN; a SYN to a listener (here: a new connection, Figure 5's LISTEN → SYN-RECEIVED);
  // finish() of a socket that never opened (connect refused locally, or fail()): here.
  [SYN_SENT, SYN_RECEIVED, CLOSED],
  // LISTEN: never a connection's state (listener.ts).
  [],
  // SYN_SENT: rcv SYN (simultaneous open); rcv SYN,ACK (to FIN_WAIT_1 here when end() came first: the
  // queued CLOSE takes effect at once); CLOSE, RST, timeout, ICMP error: CLOSED (note 3).
  [SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, CLOSED],
  // SYN_RECEIVED: rcv ACK of SYN; CLOSE (FIN_WAIT_1, on the ACK of our SYN here); rcv FIN (§3.10.7.4
  // eighth step); RST (back to LISTEN: the listener stays, this connection goes), timeout, abort.
  [ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, CLOSED],
  // ESTABLISHED: CLOSE; rcv FIN; RST, abort, timeout.
  [FIN_WAIT_1, CLOSE_WAIT, CLOSED],
  // FIN_WAIT_1: rcv ACK of FIN; rcv FIN; rcv FIN with the ACK of ours (note 2; here the fifth step has
  // moved to FIN_WAIT_2 before the eighth sees the FIN); RST, abort, timeout.
  [FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSED],
  // FIN_WAIT_2: rcv FIN; RST, abort, the FIN_WAIT_2 limit (config finWait2TimeoutMs).
  [TIME_WAIT, CLOSED],
  // CLOSE_WAIT: CLOSE; RST, abort, timeout.
  [LAST_ACK, CLOSED],
  // CLOSING: rcv ACK of FIN; RST, abort, timeout.
  [TIME_WAIT, CLOSED],
  // LAST_ACK: rcv ACK of FIN; RST, abort, timeout.
  [CLOSED],
  // TIME_WAIT: 2 MSL (in time-wait.ts, not on a socket).
  [CLOSED],
];

/** Whether TRANSITIONS allows `from` → `to`. */
export function transitionAllowed(from: number, to: number): boolean {
  const next = TRANSITIONS[from];
  return next !== undefined && next.indexOf(to) >= 0;
}

/** The one way a connection's state changes (see TRANSITIONS). */
export function setState(sock: HasState, next: number): void {
  if (WATCH_STATES) stateChanging(sock, next);
  sock.state = next;
}
