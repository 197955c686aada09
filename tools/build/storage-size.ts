// How many bytes of Storage the firmware takes once the `espruino` CLI (EspruinoTools 0.1.67) has
// pretokenised it for a Storage upload (`--storage NAME:-` with `--config PRETOKENISE=1`).
//
// The answer comes from EspruinoTools' own plugin (node_modules/espruino/plugins/pretokenise.js), run in
// a `vm` context holding only what it touches: `acorn` (its tokenizer), `Espruino.Core.Utils` (the CLI's
// own core/utils.js, for `atob` and `toJSONishString`), `Espruino.Config.PRETOKENISE` and
// `Espruino.Core.Env.getBoardData()` — whose VERSION decides, in "auto" mode (1), whether strings become
// raw tokens (from 2v20.48) and integers too (from 2v26). Keywords and operators always become one byte
// each (token codes from 138 upwards, the order of src/jslex.h in espruino/Espruino).
//
// What the CLI stores is exactly the plugin's output (saveOnSend.js writes it with Storage.write in
// 1,024-byte chunks, escaping bytes only inside the JS string literal it sends): its length is the file's
// size in Storage, not counting the 32-byte file header and rounding Storage adds per file.
import * as acorn from 'acorn';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

/** Bytes a Storage file takes beyond its contents (its 32-byte header and per-file rounding), with margin. */
export const STORAGE_FILE_OVERHEAD = 64;

const TOOLS = path.join(path.dirname(require.resolve('espruino/package.json')));

interface PretokenisePlugin {
  tokenise(code: string): string;
  untokenise(code: string): string;
  isTokenised(code: string): boolean;
}

interface Sandbox {
  Espruino: {
    Config: { PRETOKENISE: number };
    Core: { Env: { getBoardData(): { VERSION?: string } }; Utils?: unknown };
    Plugins: { Pretokenise?: PretokenisePlugin };
  };
  boardData: { VERSION?: string };
}

let loaded: Sandbox | null = null;

/** Loads core/utils.js and plugins/pretokenise.js once into one vm context. */
function plugin(version: string | null, mode: number): PretokenisePlugin {
  if (!loaded) {
    const boardData: { VERSION?: string } = {};
    const Espruino = {
      Config: { PRETOKENISE: 1 },
      Core: { Env: { getBoardData: () => boardData } },
      Plugins: {},
    };
    const ctx = vm.createContext({ Espruino, acorn, console, boardData });
    for (const f of ['core/utils.js', 'plugins/pretokenise.js']) {
      vm.runInContext(fs.readFileSync(path.join(TOOLS, f), 'utf8'), ctx, { filename: f });
    }
    loaded = ctx as unknown as Sandbox;
    if (!loaded.Espruino.Plugins.Pretokenise) throw new Error('EspruinoTools pretokenise plugin did not load');
  }
  loaded.Espruino.Config.PRETOKENISE = mode;
  if (version === null) delete loaded.boardData.VERSION;
  else loaded.boardData.VERSION = version;
  return loaded.Espruino.Plugins.Pretokenise!;
}

/**
 * The text the CLI stores for `code` on a board reporting `version` (e.g. "2v29"), PRETOKENISE=1 (auto).
 * `version` null = the CLI knows no version (it was given `--board FILE` and did not query the board):
 * then only keywords and operators are tokenised.
 */
export function pretokenise(code: string, version: string | null = '2v29'): string {
  return plugin(version, 1).tokenise(code);
}

/** The plugin's inverse (readable JS from tokenised text), for checks. */
export function untokenise(code: string): string {
  return plugin(null, 1).untokenise(code);
}

/** Bytes the CLI writes to Storage for `code` with PRETOKENISE=1 on a board reporting `version`. */
export function storageBytes(code: string, version: string = '2v29'): number {
  return pretokenise(code, version).length;
}

if (require.main === module) {
  const file = process.argv[2] || path.join(__dirname, '..', '..', 'dist', 'firmware.js');
  const version = process.argv[3] || '2v29';
  const code = fs.readFileSync(file, 'latin1');
  console.log(file + ': ' + code.length.toLocaleString('en-US') + ' bytes, ' +
    storageBytes(code, version).toLocaleString('en-US') + ' pretokenised for ' + version);
}
