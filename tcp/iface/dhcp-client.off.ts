// Built in place of dhcp-client.ts for a board with a static address (tools/build/profile.ts), which
// never constructs a DHCP client: reaching this constructor means the build and the configuration
// disagree, and it says so.
export class DhcpClient {
  constructor(_host: unknown, _hostname: string) {
    throw new Error('DHCP: not in this firmware build (static address)');
  }
}
