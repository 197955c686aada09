// Built in place of networkjs-driver.ts when `apps.networkJs` is off (tools/build/profile.ts).
function notInBuild(): never {
  throw new Error('NetworkJS: not in this firmware build');
}

export class NetworkJsDriver {
  constructor(_stack: unknown, _o: unknown) {
    notInBuild();
  }
}

export function udpOverInterface(_udp: unknown): never {
  return notInBuild();
}
