// The Storage size of a pretokenised bundle (tools/build/storage-size.ts), computed by EspruinoTools'
// own pretokenise plugin: token bytes pinned on small sources, the firmware-version switch for raw
// strings, a round trip through the plugin's untokenise on the real bundle, and agreement with what the
// `espruino` CLI itself writes (through tools/flash.ts's staging run).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as acorn from 'acorn';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pretokenise, storageBytes, untokenise } from '../../tools/build/storage-size';
import { buildBundle } from '../../tools/build/bundle';
import { expectedStorage } from '../../tools/flash';

// Token codes: 138 + the index in jslex.h's order (== is 138, === 139, ... if 163, ..., function 170).
const FUNCTION = '\xaa';
const RETURN = '\xab';
const TYPEEQUAL = '\x8b';
const VAR = '\xac';

let bundle = '';
const firmware = (): string => bundle || (bundle = buildBundle({ entry: 'firmware/main.ts', board: 'pico' }).code);

test('keywords and operators become one byte each; whitespace and comments go', () => {
  const src = 'function f(a) {\n  // comment\n  return a === b;\n}\n';
  for (const v of ['2v19', '2v29']) {
    assert.is(pretokenise(src, v), FUNCTION + 'f(a){' + RETURN + 'a' + TYPEEQUAL + 'b;}', v);
  }
  assert.is(storageBytes('var x = a !== b;', '2v19'), 'Vx=a?b;'.length);
  assert.is(pretokenise('var x = a !== b;', '2v19'), VAR + 'x=a\x8db;', '!== is 141');
  // Names that merely contain a keyword stay names; two names keep one space between them.
  assert.is(pretokenise('var format = typeof x', '2v19'), VAR + 'format=\xbfx', 'typeof is 191');
});

test('strings become raw tokens (0xD1, length, bytes) on 2v29 but stay quoted on 2v19', () => {
  const src = 'x = "a\\"b" + \'\\xff\\n\';';
  assert.is(pretokenise(src, '2v29'), 'x=\xd1\x03a"b+\xd1\x02\xff\n;');
  assert.is(pretokenise(src, '2v19'), 'x="a\\"b"+\'\\xff\\n\';');
  // 2v20.48 is the first version with raw strings (the plugin's "auto" rule); 2v26 adds raw ints.
  assert.is(pretokenise('x="ab"', '2v20.47'), 'x="ab"');
  assert.is(pretokenise('x="ab"', '2v20.48'), 'x=\xd1\x02ab');
  assert.is(pretokenise('x=300', '2v25'), 'x=300');
  assert.is(pretokenise('x=300', '2v26'), 'x=\xd5\x2c\x01', 'int16 little-endian');
  // Unknown version (the CLI given --board FILE without our wrapper): keywords only.
  assert.is(pretokenise('var x="ab"', null), VAR + 'x="ab"');
});

test('the firmware bundle: smaller pretokenised, on every firmware generation', () => {
  const code = firmware();
  for (const v of ['2v19', '2v25', '2v29']) {
    const n = storageBytes(code, v);
    assert.ok(n > 0 && n < code.length, v + ': ' + n + ' of ' + code.length);
  }
});

interface Tok { type: string; value: unknown }

function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  for (const t of acorn.tokenizer(src, { ecmaVersion: 2020 })) {
    const value = (t as unknown as { value: unknown }).value; // acorn's Token type omits it
    const re = value as { pattern?: string; flags?: string } | undefined;
    out.push({ type: t.type.label, value: t.type.label === 'regexp' && re ? '/' + re.pattern + '/' + re.flags : value });
  }
  return out;
}

/**
 * The original token stream as the 2v26+ tokeniser folds it: a `-` before an integer literal, where it
 * cannot be a subtraction (after `, ( : ? =`), becomes part of a negative raw int.
 */
function foldNegativeInts(ts: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < ts.length; i++) {
    const prev = out.length ? out[out.length - 1].type : '';
    const n = ts[i + 1];
    if (ts[i].type === '+/-' && ts[i].value === '-' && n && n.type === 'num' && Math.round(n.value as number) === n.value &&
        (n.value as number) <= 32768 && [',', '(', ':', '?', '='].indexOf(prev) >= 0) {
      out.push({ type: 'num', value: -(n.value as number) });
      i++;
    } else out.push(ts[i]);
  }
  return out;
}

test('round trip on the bundle: untokenise (the plugin\'s own) gives the same token stream', () => {
  const code = firmware();
  const orig = tokens(code);
  for (const v of [null, '2v19', '2v25']) {
    const back = untokenise(pretokenise(code, v));
    assert.equal(tokens(back), orig, String(v)); // it parses, and token for token the same
  }
  // 2v29 also makes integers raw tokens. The plugin's untokenise reads raw int8/int16 back unsigned
  // (-1 comes back as 255), so a negative one matches its two's-complement value.
  const back = tokens(untokenise(pretokenise(code, '2v29')));
  const want = foldNegativeInts(orig);
  assert.is(back.length, want.length);
  let negatives = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const b = back[i];
    if (w.type === 'num' && (w.value as number) < 0 && b.type === 'num') {
      const m = (w.value as number) >= -128 ? 0xff : 0xffff;
      assert.is(b.value, (w.value as number) & m, 'token ' + i);
      negatives++;
    } else {
      assert.is(b.type, w.type, 'token ' + i);
      assert.is(b.value, w.value, 'token ' + i);
    }
  }
  assert.ok(negatives > 0, 'the bundle has negative literals, so this case was exercised');
});

test('storageBytes is what the espruino CLI writes to Storage (its -n -o staging run)', async () => {
  const file = path.join(os.tmpdir(), 'etcpip-storage-size-' + process.pid + '.js');
  fs.writeFileSync(file, firmware(), 'latin1');
  try {
    const a = { port: '', board: 'pico', save: true, baud: 115200, file, storageName: '.bootcde', verbose: false, buildOptions: [] };
    for (const v of ['2v19', '2v29']) {
      const stored = await expectedStorage(a, v);
      assert.is(stored.length, storageBytes(firmware(), v), v);
      assert.ok(stored === pretokenise(firmware(), v), v + ': same bytes');
    }
    assert.is(await expectedStorage(Object.assign({}, a, { pretokenise: false }), '2v29'), firmware(), 'off: the file as is');
  } finally {
    fs.unlinkSync(file);
  }
});

test.run();
