// Built in place of w5500.ts when the board uses another chip or link (tools/build/profile.ts).
export class W5500 {
  constructor(_o: unknown) {
    throw new Error('W5500: not in this firmware build');
  }
}
