// `npx ts-node --transpile-only tools/memory-table.ts` — the README's memory table: for each device
// preset, the firmware bundle's size and the memory estimate of the size report (tools/build.ts).
import { buildBundle } from './build/bundle';
import { memoryReport } from './build';

const rows: string[] = ['| board | bundle (min.) | code from Storage | idle | per TCP conn. | per HTTP conn. | pool | verdict |', '|---|---:|---:|---:|---:|---:|---:|---|'];
for (const board of ['pico', 'wifi', 'esp32']) {
  const b = buildBundle({ entry: 'firmware/main.ts', board });
  const r = memoryReport(board, b.code.length, b.propertyNames).json as {
    board: { idleBlocks: number; perTcpConnectionBlocks: number; perHttpConnectionBlocks: number; maxConnections: number };
    codeBlocksFromStorage: number; boardPool: { blocks: number }; fit: { connectionsThatFit: number; idlePlusCode: number };
  };
  const m = r.board;
  const per = Math.max(m.perTcpConnectionBlocks, m.perHttpConnectionBlocks);
  const verdict = r.fit.connectionsThatFit >= 1
    ? 'fits, room for ' + r.fit.connectionsThatFit + ' of ' + m.maxConnections + ' connections'
    : '**does not fit**: ' + (r.fit.idlePlusCode + per - r.boardPool.blocks).toLocaleString('en-US') + ' blocks over with one connection';
  rows.push('| ' + board + ' | ' + b.code.length.toLocaleString('en-US') + ' B | ~' + r.codeBlocksFromStorage.toLocaleString('en-US') +
    ' | ' + m.idleBlocks + ' | +' + m.perTcpConnectionBlocks + ' | +' + m.perHttpConnectionBlocks + ' | ' + r.boardPool.blocks.toLocaleString('en-US') + ' | ' + verdict + ' |');
}
console.log(rows.join('\n'));
