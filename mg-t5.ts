import { buildBundle, minifyEs5Detailed } from './tools/build/bundle';
import { inlineCrossModuleConstants } from './tools/build/inline-constants';
for (const board of ['pico','sim']) {
const b = buildBundle({ entry: 'firmware/main.ts', board, minify: false });
const r = inlineCrossModuleConstants(b.es5Code);
console.log(board, 'inlined', r.inlined, 'dropped', r.dropped, 'min', minifyEs5Detailed(b.es5Code).code.length);
}
