// Built in place of state-watch.ts on every device (tools/build/profile.ts): state changes are watched
// only on the host. WATCH_STATES = 0 makes setState's call dead code, which the minifier drops.

export const WATCH_STATES = 0;

export function watchStates(): void {
  throw new Error('state watch: not in this firmware build');
}

/** Never called with WATCH_STATES = 0; the same export as state-watch.ts. */
export function stateChanging(): void {}
