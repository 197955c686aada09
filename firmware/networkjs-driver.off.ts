// Built in place of networkjs-driver.ts when `apps.networkJs` is off (tools/build/profile.ts).
export class NetworkJsDriver {
  constructor(_stack: unknown, _o: unknown) {
    throw new Error('the NetworkJS driver is not in this firmware build (apps.networkJs is off)');
  }
}

export function udpOverInterface(_udp: unknown): never {
  throw new Error('the NetworkJS driver is not in this firmware build (apps.networkJs is off)');
}
