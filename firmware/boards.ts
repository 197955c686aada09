// Board presets. Pin names are Espruino's (B3, D18, …). Wiring tables: README "Boards".
import { BoardConfig, BoardPreset, resolveConfig } from './config';

export const PRESETS: { [name: string]: BoardPreset } = {
  // Espruino Pico (STM32F401, 5,100 variables, 48 KB of Storage) + a W5500 module (e.g. WIZ850io /
  // W5500 "Lite"). SPI2 is on the Pico's B13/B14/B15 (STM32F401 alternate functions); the rest are free
  // GPIOs. What fits a Pico (README "Memory"): the stack with the echo server on a static address — the
  // HTTP server and the DHCP client make the firmware larger than the Pico's Storage. Set `ipv4` to your
  // network before you build.
  pico: {
    name: 'pico',
    description: 'Espruino Pico + W5500 module (echo server, static address)',
    chip: 'w5500',
    spi: { bus: 'SPI2', sck: 'B13', miso: 'B14', mosi: 'B15', baud: 8000000 },
    pins: { cs: 'B10', reset: 'B1', int: 'A8' },
    ipv4: { address: '192.168.1.50', prefixLength: 24, gateway: '192.168.1.1', dns: [] },
    apps: { httpPort: 0 },
    // 1 KB + 1 KB, two connections: measured in the Pico-sized interpreter (README "Memory"). Three at
    // their fullest left 16–19 % of the pool free, and with that the Pico ran OUT OF MEMORY in two full
    // test runs (a frame's send needs a 1.5 KB contiguous block); four would leave about 11 %.
    buffers: { rxBytes: 1024, txBytes: 1024, httpHead: 1024, maxConnections: 2, backlog: 1 },
  },
  // ESP32 (Espruino ESP32 build, up to 16,383 variables) + an ENC28J60 module, on the VSPI pins.
  esp32: {
    name: 'esp32',
    description: 'ESP32 + ENC28J60 module',
    chip: 'enc28j60',
    spi: { bus: 'SPI2', sck: 'D18', miso: 'D19', mosi: 'D23', baud: 8000000 },
    pins: { cs: 'D5', reset: 'D26', int: 'D4' },
    // A /bytes block as large as the send buffer (one write an ACK): 3 KB more than the default, ~220 of
    // the 4,400-odd blocks this preset has free at its fullest.
    buffers: { rxBytes: 4096, txBytes: 4096, httpHead: 2048, maxConnections: 8, backlog: 4, bytesBlock: 4096 },
  },
  // Espruino WiFi (STM32F411, 8,190 variables in Espruino's boards/ESPRUINOWIFI.py, 64 KB of Storage) +
  // a W5500 module; its ESP8266 is left alone. The full firmware (DHCP, echo, HTTP).
  wifi: {
    name: 'wifi',
    description: 'Espruino WiFi + W5500 module',
    chip: 'w5500',
    spi: { bus: 'SPI2', sck: 'B13', miso: 'B14', mosi: 'B15', baud: 8000000 },
    pins: { cs: 'B10', reset: 'B1', int: 'A8' },
    // 2 KB + 2 KB per connection: measured in the WiFi-sized interpreter (README "Memory"), four at their
    // fullest leave 20–21 % of the pool free (runs differ).
    buffers: { rxBytes: 2048, txBytes: 2048, httpHead: 1536, maxConnections: 4, backlog: 2 },
  },
  // Espruino's Linux build: frames go over UDP to tools/dgram-tap-relay.ts, which bridges a TAP.
  // Its peers are hosts behind the relay, so no chip's small ring needs pacing: maxBurst 32 lets the
  // whole 8 KB window out at the poll that takes an ACK, not 4 segments and a deadline poll for the
  // rest (0.75 polls a segment sent became 0.5: BENCHMARKS.md §3d, 706 -> 685 iterations a segment).
  linux: {
    name: 'linux',
    description: 'Espruino Linux build, frames over UDP to a TAP relay',
    chip: 'w5500',
    link: 'dgram',
    buffers: { rxBytes: 8192, txBytes: 8192, httpHead: 4096, maxConnections: 32, backlog: 16, maxBurst: 32, bytesBlock: 8192 },
  },
  // The host simulator (tools/sim.ts) supplies the frame device; larger buffers for speed.
  sim: {
    name: 'sim',
    description: 'Host simulator (chip model on a virtual wire)',
    chip: 'w5500',
    link: 'sim',
    ipv4: { address: '10.0.2.15', prefixLength: 24, gateway: '10.0.2.2', dns: ['10.0.2.3'] },
    // The contract (issue 7) has 20 concurrent echo clients: room for them plus HTTP.
    // Its peers are hosts (the kernel on a TAP, the port forwarder's stack): no pacing for a small ring
    // needed; 4 segments per 2 ms held a download to ~2 MB/s, and 16 would cap it at 11.7 MB/s
    // (BENCHMARKS.md §1b). A 16 KB send buffer: the W5500 model's 100 Mbit/s line takes 0.67 ms to
    // serialise 8 KB, so an 8 KB window could not pass 12 MB/s even if every ACK came back at once
    // (32 KB measured no faster than 16 KB and allocates twice as much per connection).
    // The receive buffer stays 8 KB: what the device receives (requests, echo) needs no more.
    buffers: { rxBytes: 8192, txBytes: 16384, httpHead: 4096, maxConnections: 32, backlog: 16, maxBurst: 32, bytesBlock: 8192 },
  },
};

/** The preset used when none is named (a build without `--board`): the smallest board that runs the whole firmware. */
/**
 * What the preset boards have for the firmware: the variable pool (blocks × bytes) and the flash Storage
 * the code is saved in (`saved_code` pages × page size in Espruino's boards/*.py). Pico: 5,100 variables
 * (boards/PICO_R1_3.py; measured: espruino-pico's process.memory().total), Storage 3 × 16 KB. Espruino WiFi:
 * boards/ESPRUINOWIFI.py says 8,190 variables (measured: espruino-wifi's process.memory().total), Storage
 * 1 × 64 KB. ESP32: up to 16,383 variables of 14 bytes, Storage 224 × 4 KB = 896 KB (boards/ESP32.py at 2v29).
 */
export const BOARD_LIMITS: { [board: string]: { blocks: number; blockBytes: number; storageBytes: number } } = {
  pico: { blocks: 5100, blockBytes: 13, storageBytes: 3 * 16384 },
  wifi: { blocks: 8190, blockBytes: 13, storageBytes: 65536 },
  esp32: { blocks: 16383, blockBytes: 14, storageBytes: 224 * 4096 },
};

export const DEFAULT_BOARD = 'wifi';

export function boardNames(): string[] {
  return Object.keys(PRESETS);
}

/** The full configuration of a named board ('default' → DEFAULT_BOARD), or null if unknown. */
export function boardConfig(name: string): BoardConfig | null {
  const p = PRESETS[name === 'default' || !name ? DEFAULT_BOARD : name];
  return p ? resolveConfig(p) : null;
}
