// Watching a connection's state changes (transitions.ts setState): for tests and debugging on the host.
// A device never builds this file but state-watch.off.ts (tools/build/profile.ts), where WATCH_STATES is
// 0: setState's call here is dead code there, and the minifier drops it.
import { HasState } from './state';

/** 1: state changes can be watched in this build (0 in state-watch.off.ts). */
export const WATCH_STATES = 1;

/** Told of every state change while set. */
export type StateWatcher = (sock: HasState, from: number, to: number) => void;

let watcher: StateWatcher | null = null;

/** Sets (or with null, clears) the one watcher of state changes; returns the one it replaces. */
export function watchStates(w: StateWatcher | null): StateWatcher | null {
  const was = watcher;
  watcher = w;
  return was;
}

/** `sock` is about to change to state `to` (setState). */
export function stateChanging(sock: HasState, to: number): void {
  if (watcher !== null) watcher(sock, sock.state, to);
}
