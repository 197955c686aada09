// `npx ts-node --transpile-only bench/espruino-spi.ts`: the interpreter's work in the W5500 and ENC28J60 drivers, over the
// Espruino HAL, per full-size frame sent and received, counted as bench/espruino-path.ts counts: machine
// instructions of espruino-linux under valgrind (deterministic), given in empty-loop iterations.
// The entry is bench/device/spi-micro.ts: the driver against a register responder in JavaScript.
//
// Driver instructions per frame = (I(n2 frames) − I(n1 frames)) ÷ (n2 − n1), less the responder's calls
// (reads and writes per frame, as the run counted them, times the cost of one call of each, counted
// alone). What is not in it: Espruino's own SPI.send and SPI.write (the clocking, and the array `send`
// allocates for what it reads back). The cost of allocating that array for a frame-sized transfer is
// printed apart, as `allocation of 1,517 bytes`.
import { buildBundle } from '../tools/build/bundle';
import { countingInterpreter, instructions, loopIterationInstructions, values } from './espruino-path';

const N1 = 200;
const N2 = 1200;

export function runSpi(): { [key: string]: number } | { skipped: string } {
  const bin = countingInterpreter();
  if (typeof bin !== 'string') return bin;
  const code = buildBundle({ entry: 'bench/device/spi-micro.ts' }).code;
  const run = (chip: string, mode: string, n: number) => {
    const r = instructions(bin, 'var SPI_MICRO = { chip: ' + JSON.stringify(chip) + ', mode: ' + JSON.stringify(mode) + ', n: ' + n + ' };\n' + code);
    return { refs: r.refs, v: values(r.output) };
  };
  const unit = loopIterationInstructions(bin);
  const per = (chip: string, mode: string) => {
    const a = run(chip, mode, N1);
    const b = run(chip, mode, N2);
    const d = (key: string) => (b.v[key] - a.v[key]) / (N2 - N1);
    return { refs: (b.refs - a.refs) / (N2 - N1), a: a.v, b: b.v, d };
  };
  const readCall = per('w5500', 'read').refs;
  const writeCall = per('w5500', 'write').refs;
  const alloc = per('w5500', 'alloc').refs;
  // The ENC28J60 responder answers three kinds of read at different costs: counted apart.
  const encRegister = per('enc28j60', 'enc-register').refs;
  const encHeader = per('enc28j60', 'enc-header').refs;
  const encRest = per('enc28j60', 'enc-rest').refs;
  const it = (refs: number) => Number((refs / unit).toFixed(2));
  const out: { [key: string]: number } = {
    instructionsPerLoopIteration: Math.round(unit),
    responderReadIterations: it(readCall),
    responderWriteIterations: it(writeCall),
    allocation1517Iterations: it(alloc),
    encResponderRegisterIterations: it(encRegister),
    encResponderHeaderIterations: it(encHeader),
    encResponderRestIterations: it(encRest),
  };
  for (const chip of ['w5500', 'enc28j60']) {
    for (const mode of ['send', 'receive']) {
      const r = per(chip, mode);
      if (r.b.frames !== N2 || r.a.frames !== N1) throw new Error(chip + ' ' + mode + ': ' + r.b.frames + ' of ' + N2 + ' frames');
      const reads = r.d('reads');
      const writes = r.d('writes');
      const headers = r.d('headerReads');
      const rests = r.d('restReads');
      const responder = chip === 'w5500' ? reads * readCall + writes * writeCall
        : (reads - headers - rests) * encRegister + headers * encHeader + rests * encRest + writes * writeCall;
      const key = chip === 'w5500' ? mode : 'enc' + mode[0].toUpperCase() + mode.slice(1);
      out[key + 'SpiReadsPerFrame'] = Number(reads.toFixed(2));
      out[key + 'SpiWritesPerFrame'] = Number(writes.toFixed(2));
      out[key + 'DriverIterationsPerFrame'] = Math.round((r.refs - responder) / unit);
    }
  }
  return out;
}

if (require.main === module) {
  const r = runSpi();
  if ('skipped' in r) { console.log('skipped: ' + r.skipped); process.exit(0); }
  for (const k of Object.keys(r)) console.log((k + '                                  ').slice(0, 34) + r[k]);
}
