// `npx ts-node --transpile-only bench/espruino-spi.ts`: the interpreter's work in the W5500 driver, over the
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
  const run = (mode: string, n: number) => {
    const r = instructions(bin, 'var SPI_MICRO = { mode: ' + JSON.stringify(mode) + ', n: ' + n + ' };\n' + code);
    return { refs: r.refs, v: values(r.output) };
  };
  const unit = loopIterationInstructions(bin);
  const per = (mode: string) => {
    const a = run(mode, N1);
    const b = run(mode, N2);
    return { refs: (b.refs - a.refs) / (N2 - N1), a: a.v, b: b.v };
  };
  const readCall = per('read').refs;
  const writeCall = per('write').refs;
  const alloc = per('alloc').refs;
  const out: { [key: string]: number } = {
    instructionsPerLoopIteration: Math.round(unit),
    responderReadIterations: Number((readCall / unit).toFixed(2)),
    responderWriteIterations: Number((writeCall / unit).toFixed(2)),
    allocation1517Iterations: Number((alloc / unit).toFixed(2)),
  };
  for (const mode of ['send', 'receive']) {
    const r = per(mode);
    if (r.b.frames !== N2 || r.a.frames !== N1) throw new Error(mode + ': ' + r.b.frames + ' of ' + N2 + ' frames');
    const reads = (r.b.reads - r.a.reads) / (N2 - N1);
    const writes = (r.b.writes - r.a.writes) / (N2 - N1);
    const driver = r.refs - reads * readCall - writes * writeCall;
    out[mode + 'SpiReadsPerFrame'] = Number(reads.toFixed(2));
    out[mode + 'SpiWritesPerFrame'] = Number(writes.toFixed(2));
    out[mode + 'DriverIterationsPerFrame'] = Math.round(driver / unit);
  }
  return out;
}

if (require.main === module) {
  const r = runSpi();
  if ('skipped' in r) { console.log('skipped: ' + r.skipped); process.exit(0); }
  for (const k of Object.keys(r)) console.log((k + '                                  ').slice(0, 34) + r[k]);
}
