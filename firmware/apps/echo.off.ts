// Built in place of echo.ts when the board's configuration has no echo port (tools/build/profile.ts).
const NOT_IN_BUILD = 'the echo app is not in this firmware build (apps.echoPort is 0)';

export function echoConnection(_sock: unknown, _counters: unknown): never {
  throw new Error(NOT_IN_BUILD);
}

export function startEcho(_host: unknown, _port?: number, _buffers?: unknown): never {
  throw new Error(NOT_IN_BUILD);
}
