import { bulk, referenceLoopNs } from './host-speed';
const r = referenceLoopNs();
for (let k = 0; k < 2; k++) for (const c of ['wire', 'w5500', 'enc28j60'] as const) console.log(JSON.stringify(bulk(5_000_000, 16384, r, c)));
