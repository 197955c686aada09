// `npx ts-node --transpile-only tools/memory-table.ts` — the README's memory table: for each device
// preset, the firmware bundle's size and the memory estimate of the size report (tools/build.ts).
import { buildBundle } from './build/bundle';
import { memoryReport, codeCost } from './build';

interface Report {
  board: { idleBlocks: number; perTcpConnectionBlocks: number; perHttpConnectionBlocks: number; worstConnectionBlocks: number; maxConnections: number };
  code: { bytes: number; loadBlocks: number };
  boardPool: { blocks: number };
  fit: { needBlocks: number; reserveBlocks: number; connectionsThatFit: number; fits: boolean };
}

const n = (x: number): string => x.toLocaleString('en-US');
const rows: string[] = [
  '| board | bundle (min.) | code from Storage | idle | per TCP conn. (idle / fullest) | per HTTP conn. (idle) | connections | need | pool (5% reserve) | verdict |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const board of ['pico', 'wifi', 'esp32']) {
  const b = buildBundle({ entry: 'firmware/main.ts', board });
  const r = memoryReport(board, codeCost(b.code), b.propertyNames).json as Report;
  const m = r.board;
  const spare = r.boardPool.blocks - r.fit.reserveBlocks - r.fit.needBlocks;
  const verdict = r.fit.fits ? 'fits, ' + n(spare) + ' spare' : '**does not fit**: ' + n(-spare) + ' over';
  rows.push('| ' + board + ' | ' + n(b.code.length) + ' B | ~' + n(r.code.loadBlocks) + ' | ' + m.idleBlocks + ' | +' + m.perTcpConnectionBlocks +
    ' / +' + m.worstConnectionBlocks + ' | +' + m.perHttpConnectionBlocks + ' | ' + m.maxConnections + ' | ' + n(r.fit.needBlocks) +
    ' | ' + n(r.boardPool.blocks) + ' (' + r.fit.reserveBlocks + ') | ' + verdict + ' |');
}
console.log(rows.join('\n'));
