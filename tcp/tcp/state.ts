// The eleven connection states of RFC 9293 §3.3.2.
export const CLOSED = 0;
export const LISTEN = 1;
export const SYN_SENT = 2;
export const SYN_RECEIVED = 3;
export const ESTABLISHED = 4;
export const FIN_WAIT_1 = 5;
export const FIN_WAIT_2 = 6;
export const CLOSE_WAIT = 7;
export const CLOSING = 8;
export const LAST_ACK = 9;
export const TIME_WAIT = 10;

export const STATE_NAMES = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
];

/** Something with a connection state: a TcpSocket (structural, so that transitions.ts needs no socket). */
export interface HasState {
  state: number;
}

/** States in which received text is accepted (RFC 9293 §3.10.7.4, seventh step). */
export function canReceiveData(state: number): boolean {
  return state >= ESTABLISHED && state <= FIN_WAIT_2; // and FIN_WAIT_1 between them
}
