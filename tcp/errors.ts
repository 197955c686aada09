// How the stack reports an exception it caught (its own, counted as an internal error, or an
// application callback's, counted as an app error): one line of text, handed to a reporter if there is
// one. Neither ever throws back into the stack.

/** "where: message" for an exception. */
export function describeError(where: string, e: unknown): string {
  const err = e as { message?: string } | null;
  return where + ': ' + String(err && err.message ? err.message : e);
}

/** Hands `description` to `report`, if any; a reporter that throws is ignored. */
export function tell(report: ((description: string) => void) | null, description: string): void {
  if (!report) return;
  try { report(description); } catch (ignored) { /* a reporter must not stop the stack */ }
}
