import { bundleSizes, memoryEstimate } from './device-cost';
console.log(JSON.stringify(bundleSizes(), null, 1));
console.log(JSON.stringify(memoryEstimate(), null, 1));
