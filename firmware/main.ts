// The default firmware on Espruino: the board's configured apps (echo, HTTP status page, NetworkJS),
// brought up and kept running by firmware/boot.ts. Build: `npm run build -- --board NAME`.
import { boot } from './boot';

boot();
