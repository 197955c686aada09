// `npx ts-node --transpile-only bench/espruino-dgram.ts`: Espruino's own work per frame the `dgram` link
// sends (the `linux` preset's link), counted as bench/espruino-path.ts counts: machine instructions of
// espruino-linux under valgrind, in empty-loop iterations. bench/espruino-path.ts leaves this work out
// (its dgram socket is a stand-in); this bench measures it with the real socket and the real idle loop.
// The entry is bench/device/dgram-micro.ts. Per frame = (I(frames sent) − I(the same turns, nothing sent))
// ÷ frames, for bursts of 1, 2 and 6 frames a turn: through the link ('link'), and each frame queued on
// the socket at once with an offset and a length ('queued': the link before 2026-12-07).
import { buildBundle } from '../tools/build/bundle';
import { countingInterpreter, instructions, loopIterationInstructions, values } from './espruino-path';

const FRAMES = 60;

export function runDgram(): { [key: string]: number } | { skipped: string } {
  const bin = countingInterpreter();
  if (typeof bin !== 'string') return bin;
  const code = buildBundle({ entry: 'bench/device/dgram-micro.ts' }).code;
  const run = (mode: string, k: number) => {
    const turns = Math.ceil(FRAMES / k) * (k + 3) + 20;
    const r = instructions(bin, 'var DGRAM_MICRO = { mode: ' + JSON.stringify(mode) + ', k: ' + k + ', n: ' + FRAMES + ', turns: ' + turns + ' };\n' + code);
    const v = values(r.output);
    if (mode !== 'none' && v.sent !== FRAMES) throw new Error(mode + ' ' + k + ': sent ' + v.sent + ' of ' + FRAMES);
    if (mode === 'link' && (v.txFrames !== FRAMES || v.txErrors !== 0)) throw new Error('link ' + k + ': ' + v.txFrames + ' frames, ' + v.txErrors + ' refused');
    return r.refs;
  };
  const unit = loopIterationInstructions(bin);
  const out: { [key: string]: number } = { instructionsPerLoopIteration: Math.round(unit) };
  for (const k of [1, 2, 6]) {
    const none = run('none', k);
    for (const mode of ['link', 'queued']) out[mode + 'Burst' + k + 'IterationsPerFrame'] = Math.round((run(mode, k) - none) / FRAMES / unit);
  }
  return out;
}

if (require.main === module) {
  const r = runDgram();
  if ('skipped' in r) { console.log('skipped: ' + r.skipped); process.exit(0); }
  for (const k of Object.keys(r)) console.log((k + '                                  ').slice(0, 34) + r[k]);
}
