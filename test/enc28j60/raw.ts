// Bare SPI access to the ENC28J60 for the "wrong driver" tests: every instruction spelled out from the
// fact sheet §2 (opcode in the top 3 bits, 5-bit address), bank selected explicitly each time.
import { SpiDevice } from '../../hal/interfaces';

export class Raw {
  constructor(private readonly spi: SpiDevice) {}

  /** One SPI frame as given. */
  x(...bytes: number[]): Uint8Array {
    return this.spi.transfer(new Uint8Array(bytes));
  }

  bank(b: number): void {
    this.x(0xa0 | 0x1f, 0x03); // BFC ECON1 BSEL1:0
    if (b) this.x(0x80 | 0x1f, b); // BFS ECON1
  }

  /** RCR of an ETH register: value in the first byte after the opcode. */
  rcr(bank: number, a: number): number {
    if (a < 0x1b) this.bank(bank);
    return this.x(a, 0)[1];
  }

  /** RCR of a MAC/MII register done right: the dummy byte first. */
  rcrMac(bank: number, a: number): number {
    this.bank(bank);
    return this.x(a, 0, 0)[2];
  }

  /** RCR of a MAC/MII register done wrong: takes the dummy byte as the value. */
  rcrMacNoDummy(bank: number, a: number): number {
    this.bank(bank);
    return this.x(a, 0)[1];
  }

  wcr(bank: number, a: number, v: number): void {
    if (a < 0x1b) this.bank(bank);
    this.x(0x40 | a, v);
  }

  bfs(a: number, m: number): void { this.x(0x80 | a, m); }
  bfc(a: number, m: number): void { this.x(0xa0 | a, m); }

  rbm(n: number): Uint8Array {
    const tx = new Uint8Array(n + 1);
    tx[0] = 0x3a;
    return this.spi.transfer(tx).subarray(1);
  }

  wbm(data: Uint8Array): void {
    const tx = new Uint8Array(data.length + 1);
    tx[0] = 0x7a;
    tx.set(data, 1);
    this.spi.transfer(tx);
  }

  src(): void { this.x(0xff); }

  /** §5.1 read: MIREGADR, MICMD.MIIRD, poll MISTAT.BUSY, clear MICMD, MIRDL/H. */
  phyRead(a: number): number {
    this.wcr(2, 0x14, a);
    this.wcr(2, 0x12, 0x01);
    for (let i = 0; i < 10 && (this.rcrMac(3, 0x0a) & 1); i++) { /* BUSY */ }
    this.wcr(2, 0x12, 0x00);
    return this.rcrMac(2, 0x18) | (this.rcrMac(2, 0x19) << 8);
  }

  /** §5.1 write: MIREGADR, MIWRL, MIWRH (starts it), poll BUSY. */
  phyWrite(a: number, v: number): void {
    this.wcr(2, 0x14, a);
    this.wcr(2, 0x16, v & 0xff);
    this.wcr(2, 0x17, v >> 8);
    for (let i = 0; i < 10 && (this.rcrMac(3, 0x0a) & 1); i++) { /* BUSY */ }
  }
}
