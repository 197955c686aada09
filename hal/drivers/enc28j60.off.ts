// Built in place of enc28j60.ts when the board uses another chip or link (tools/build/profile.ts).
export class Enc28j60 {
  constructor(_o: unknown) {
    throw new Error('ENC28J60: not in this firmware build');
  }
}
