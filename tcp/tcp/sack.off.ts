// Built in place of sack.ts on a board whose receive buffer is too small for SACK to matter
// (tools/build/profile.ts): SACK = 0 turns every `if (SACK && …)` into dead code the minifier drops,
// so the stack behaves as a peer without RFC 2018 — it never offers SACK-permitted, ignores the option
// and SACK blocks when offered (RFC 2018 §4), and never sends SACK blocks. The functions are never
// called with SACK = 0; they exist for the same exports.
export const SACK = 0;

export function sackOnAck(): void {}

export function fillSackBlocks(): void {}

export function sackRetransmit(): void {}

export function rackArm(): void {}

export function rexmitTimerArm(): void {}

export function episodeBegin(): void {}

export function episodeRexmit(): void {}

export function undoRecovery(): void {}

export function probeWasDuplicate(): boolean { return false; }

export function duplicateReceived(): void {}
