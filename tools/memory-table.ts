// `npx ts-node --transpile-only tools/memory-table.ts` — the README's memory table: for each device
// preset, the firmware's Storage and RAM verdicts from the size report (tools/build.ts memoryReport).
import { buildBundle } from './build/bundle';
import { memoryReport, codeCost } from './build';

interface Report {
  board: { idleBlocks: number; perTcpConnectionBlocks: number; perHttpConnectionBlocks: number; worstConnectionBlocks: number; maxConnections: number };
  code: { bytes: number; storageBytes: number; loadBlocks: number };
  boardPool: { blocks: number; storageBytes: number };
  fit: { needBlocks: number; reserveBlocks: number; storageNeedBytes: number; storageFits: boolean; ramFits: boolean };
}

const n = (x: number): string => x.toLocaleString('en-US');
const rows: string[] = [
  '| board | bundle | stored (pretokenised) | Storage | code in RAM | idle | per connection: idle / at its fullest | connections | RAM need | pool (15 % kept free) | verdict |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const board of ['pico', 'wifi', 'esp32']) {
  const b = buildBundle({ entry: 'firmware/main.ts', board });
  const r = memoryReport(board, codeCost(b.code), b.propertyNames).json as Report;
  const m = r.board;
  const ramSpare = r.boardPool.blocks - r.fit.reserveBlocks - r.fit.needBlocks;
  const storageSpare = r.boardPool.storageBytes - r.fit.storageNeedBytes;
  const verdict = (r.fit.storageFits ? 'Storage fits (' + n(storageSpare) + ' B spare)' : '**Storage over by ' + n(-storageSpare) + ' B**') + ', ' +
    (r.fit.ramFits ? 'RAM fits (' + n(ramSpare) + ' blocks spare)' : '**RAM over by ' + n(-ramSpare) + ' blocks**');
  const idlePer = Math.max(m.perTcpConnectionBlocks, m.perHttpConnectionBlocks);
  rows.push('| ' + board + ' | ' + n(b.code.length) + ' B | ' + n(r.code.storageBytes) + ' B | ' + n(r.boardPool.storageBytes) + ' B | ~' +
    n(r.code.loadBlocks) + ' | ' + m.idleBlocks + ' | +' + idlePer + ' / +' + m.worstConnectionBlocks + ' | ' + m.maxConnections + ' | ' +
    n(r.fit.needBlocks) + ' | ' + n(r.boardPool.blocks) + ' (' + r.fit.reserveBlocks + ') | ' + verdict + ' |');
}
console.log(rows.join('\n'));
