import { runHostSpeed } from './host-speed';
console.log(JSON.stringify(runHostSpeed(true), null, 1));
