// Built in place of http-app.ts when the board's configuration has no HTTP port (tools/build/profile.ts).
const NOT_IN_BUILD = 'the HTTP app is not in this firmware build (apps.httpPort is 0)';

export const BYTES_PATTERN = '';

export function statusRouter(_router: unknown, _status: unknown, _opts: unknown): never {
  throw new Error(NOT_IN_BUILD);
}

export function startHttp(_host: unknown, _status: unknown, _opts?: unknown): never {
  throw new Error(NOT_IN_BUILD);
}
