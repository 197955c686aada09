// A fake Espruino board on a TCP port that answers like Espruino's REPL, well enough for the
// EspruinoTools CLI: echo of typed characters, `\x10` (echo off for one line), `\x1b\n` (newline
// without executing), Ctrl-C, the `>` prompt, `=value` results, and an in-memory Storage, so a test
// can check exactly what the CLI wrote. Statements are evaluated in a Node `vm` sandbox holding only
// the few Espruino APIs the CLI and a freshly uploaded program touch at load time.
//
// Modes: `silent` (accepts the connection, never answers: "no board answering"), `ramBytes` (code
// run in RAM beyond this prints "ERROR: Out of Memory!" like Espruino does), `flashBytes` (Storage
// size), `version` (what process.env.VERSION answers, default "2v29": it decides what the CLI
// pretokenises). Run alone:
// `npx ts-node tools/flash/fake-board.ts [--port N] [--silent] [--ram BYTES] [--flash BYTES] [--version 2v19]`.
//
// Bytes: the link is read as latin1, one char per byte, and Storage keeps strings of char codes 0..255,
// so Storage holds exactly the bytes the CLI meant. Pretokenised uploads put bytes >= 0x80 in the string
// literals of their Storage.write commands: the CLI (core/utils.js toJSONishString) escapes control
// bytes, `"`, `\`, 0x7F, 0xAD and 0xC2..0xF4 (UTF-8 lead bytes) as \xNN and sends the other bytes
// raw; evaluating the literal in the vm turns both back into the same char codes.
import * as net from 'net';
import * as vm from 'vm';
import { crc32OfText } from '../../hal/sim/crc32';

export interface FakeBoardOptions {
  port?: number;
  silent?: boolean;
  ramBytes?: number;
  flashBytes?: number;
  version?: string;
  board?: string;
  /** Whether uploaded code is executed (false: only Storage/REPL plumbing is evaluated). */
  runPrograms?: boolean;
  /** Simulates a flaky link: Storage writes after the first N are lost silently. */
  dropStorageWritesAfter?: number;
  /** Simulates replies lost on the way back: the first N printed lines containing this text vanish. */
  loseReplies?: { containing: string; count: number };
}

export class FakeBoard {
  readonly storage: { [name: string]: string } = {};
  /** Everything the board received, in order. */
  received = '';
  /** Statements it executed (after line editing). */
  statements: string[] = [];
  resets = 0;
  loads: string[] = [];
  oom = false;
  port = 0;
  storageWrites = 0;
  private server: net.Server;
  private sockets: net.Socket[] = [];
  private ramUsed = 0;

  constructor(private readonly opts: FakeBoardOptions = {}) {
    this.server = net.createServer((s) => this.serve(s));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server.listen(this.opts.port || 0, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(sock: net.Socket): void {
    this.sockets.push(sock);
    sock.setNoDelay(true);
    let line = '';
    let echoLine = true;
    let echoOn = true;
    let escape = false;
    const out = (s: string): void => { if (!sock.destroyed) sock.write(Buffer.from(s, 'latin1')); };
    const ctx = this.context(out, (on) => { echoOn = on; });
    sock.on('data', (buf: Buffer) => {
      const data = buf.toString('latin1');
      this.received += data;
      if (this.opts.silent) return;
      for (let i = 0; i < data.length; i++) {
        const ch = data[i];
        if (escape) {
          escape = false;
          if (ch === '\n') { line += '\n'; continue; } // Alt-Enter: newline, don't execute
        }
        if (ch === '\x1b') { escape = true; continue; }
        if (ch === '\x03') { line = ''; echoLine = true; out('\r\n>'); continue; }
        if (ch === '\x10' && line === '') { echoLine = false; continue; }
        if (ch === '\r') continue;
        if (ch === '\n') {
          if (line.trim() === '') {
            if (echoOn && echoLine) out('\r\n=undefined\r\n>');
            echoLine = true;
            line = '';
            continue;
          }
          if (!this.complete(line)) { line += '\n'; continue; }
          const code = line;
          const echo = echoOn && echoLine;
          line = '';
          echoLine = true;
          this.execute(code, ctx, out, echo);
          continue;
        }
        line += ch;
        if (echoOn && echoLine) out(ch);
      }
    });
    sock.on('error', () => { /* ignore */ });
  }

  /** A statement is complete when it compiles (an unfinished one fails with "Unexpected end"). */
  private complete(code: string): boolean {
    try {
      new vm.Script(code);
      return true;
    } catch (e) {
      return !/Unexpected end of input|Unterminated template|missing \) after/.test(String(e));
    }
  }

  private execute(code: string, ctx: vm.Context, out: (s: string) => void, echo: boolean): void {
    this.statements.push(code);
    if (this.oom) return; // Espruino stops executing after running out of memory
    const isPlumbing = /^\s*(require\("Storage"\)|reset\(|print\(|load\(|echo\(|E\.|setTime\(|process\.)/.test(code);
    if (!isPlumbing) {
      this.ramUsed += code.length;
      if (this.opts.ramBytes && this.ramUsed > this.opts.ramBytes) {
        this.oom = true;
        out('\r\nERROR: Out of Memory!\r\n>');
        return;
      }
      if (!this.opts.runPrograms) {
        out(echo ? '\r\n=undefined\r\n>' : '>');
        return;
      }
    }
    try {
      const r = vm.runInContext(code, ctx, { timeout: 2000 });
      if (echo) out('\r\n=' + (r === undefined ? 'undefined' : JSON.stringify(r)) + '\r\n>');
      else out('>');
    } catch (e) {
      out('Uncaught ' + String(e) + '\r\n>');
    }
  }

  private context(out: (s: string) => void, setEcho: (on: boolean) => void): vm.Context {
    const self = this;
    const flash = this.opts.flashBytes || 120000;
    const used = (): number => Object.keys(self.storage).reduce((n, k) => n + self.storage[k].length + 32, 0);
    const Storage = {
      write(name: string, data: string, offset?: number, size?: number): boolean {
        data = String(data);
        self.storageWrites++;
        const drop = self.opts.dropStorageWritesAfter;
        if (drop !== undefined && self.storageWrites > drop) return true;
        if (offset === undefined || offset === 0 && size === undefined) {
          if (used() - (self.storage[name] ? self.storage[name].length + 32 : 0) + data.length + 32 > flash) {
            throw new Error('Not enough free space in Storage');
          }
          self.storage[name] = data;
          return true;
        }
        if (size !== undefined) {
          // A new file of `size` bytes, written in pieces (unwritten bytes read as 0xFF).
          if (used() - (self.storage[name] ? self.storage[name].length + 32 : 0) + size + 32 > flash) {
            throw new Error('Not enough free space in Storage');
          }
          self.storage[name] = '\xff'.repeat(size);
        }
        const f = self.storage[name];
        if (f === undefined || offset + data.length > f.length) throw new Error("Can't write past the end of the file");
        self.storage[name] = f.substring(0, offset) + data + f.substring(offset + data.length);
        return true;
      },
      read(name: string): string | undefined { return self.storage[name]; },
      erase(name: string): void { delete self.storage[name]; },
      list(): string[] { return Object.keys(self.storage); },
      getFree(): number { return flash - used(); },
    };
    const print = (...a: unknown[]): void => {
      const line = a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
      const lose = self.opts.loseReplies;
      if (lose && lose.count > 0 && line.indexOf(lose.containing) >= 0) { lose.count--; return; }
      out(line + '\r\n');
    };
    const sandbox: { [k: string]: unknown } = {
      print,
      console: { log: print },
      echo: (on: boolean) => setEcho(!!on),
      reset: () => { self.resets++; self.ramUsed = 0; self.oom = false; },
      load: (name?: string) => { self.loads.push(name || ''); },
      setTime: () => {},
      atob: (s: string) => Buffer.from(s, 'base64').toString('latin1'),
      btoa: (s: string) => Buffer.from(s, 'latin1').toString('base64'),
      require: (m: string) => {
        if (m === 'Storage') return Storage;
        throw new Error('Module ' + m + ' not found');
      },
      process: {
        env: { VERSION: this.opts.version || '2v29', BOARD: this.opts.board || 'PICO_R1_3', SERIAL: '33ffd605-41573033-15720843', CONSOLE: 'USB' },
        memory: () => ({ free: 4000, usage: 1100, total: 5100, history: 0, blocksize: 13 }),
      },
      E: { CRC32: crc32OfText, getSizeOf: () => 1, setBootCode: (c: string) => { self.storage['.bootcde'] = c; } },
      getSerial: () => '33ffd605-41573033-15720843',
      getTime: () => Date.now() / 1000,
      setTimeout, clearTimeout, setInterval, clearInterval,
    };
    return vm.createContext(sandbox);
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opt = (k: string): string | undefined => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : undefined; };
  const board = new FakeBoard({
    port: Number(opt('--port') || 0), silent: argv.indexOf('--silent') >= 0,
    ramBytes: opt('--ram') ? Number(opt('--ram')) : undefined,
    flashBytes: opt('--flash') ? Number(opt('--flash')) : undefined,
    version: opt('--version'),
  });
  board.listen().then((port) => console.log('fake Espruino board on tcp://127.0.0.1:' + port));
}
