// tools/flash.ts end to end: the real `espruino` CLI (npm package) against a fake board that answers
// like Espruino's REPL (tools/flash/fake-board.ts). Asserts what the CLI actually delivered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { FakeBoard, FakeBoardOptions } from '../../tools/flash/fake-board';
import { flash, FlashArgs, FlashError, parseArgs } from '../../tools/flash';
import { pretokenise, storageBytes } from '../../tools/build/storage-size';

const FW = path.join(os.tmpdir(), 'etcpip-flash-test-' + process.pid + '.js');
// A small program with the shapes a bundle has: quotes, backslashes, a regex, escapes.
const PROGRAM = '(function(){\nvar s = "a\\"b\\\\c";\nvar r = /x+\\/y/g;\nfunction f(a) {\n  return a + 1;\n}\n' +
  'var t = "\\u00e9\\xff\\0";\nprint(s + f(1) + t);\n' + '/* padding */\nvar pad = 0;\n'.repeat(120) + '})();\n';
fs.writeFileSync(FW, PROGRAM, 'latin1');
// What EspruinoTools' pretokenise plugin makes of it for a 2v29 board (keywords, operators, strings and
// integers as tokens) and for a 2v19 one (keywords and operators only).
const TOK29 = pretokenise(PROGRAM, '2v29');
const TOK19 = pretokenise(PROGRAM, '2v19');

async function withBoard(opts: FakeBoardOptions, fn: (b: FakeBoard, port: string) => Promise<void>): Promise<void> {
  const b = new FakeBoard(opts);
  const port = await b.listen();
  try {
    await fn(b, 'tcp://127.0.0.1:' + port);
  } finally {
    await b.close();
  }
}

function args(port: string, extra: Partial<FlashArgs> = {}): FlashArgs {
  return Object.assign({ port, board: 'pico', save: false, baud: 115200, file: FW, storageName: '.bootcde', verbose: false, buildOptions: [] as string[] }, extra) as FlashArgs;
}

/** What a flash that is expected to fail said (kept, not printed: shown only if the test fails). */
const heard: string[] = [];
const keep = (s: string): void => { heard.push(s); };

async function expectFail(p: Promise<unknown>, code: number, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    const said = '\nthe flash said:\n' + heard.splice(0, heard.length).join('\n');
    assert.ok(e instanceof FlashError, String(e) + said);
    assert.is((e as FlashError).exitCode, code, (e as Error).message + said);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('flash should have failed');
}

const fmt = (n: number): string => n.toLocaleString('en-US');

test('--save on a 2v29 board stores the pretokenised firmware byte for byte, verifies it, and says so', async () => {
  await withBoard({ version: '2v29' }, async (b, port) => {
    const lines: string[] = [];
    const r = await flash(args(port, { save: true }), (s) => lines.push(s));
    const stored = b.storage['.bootcde'];
    assert.is(stored, TOK29, 'exactly what the pretokenise plugin makes of the file for 2v29');
    assert.is(stored.length, storageBytes(PROGRAM, '2v29'));
    assert.ok(stored.length < PROGRAM.length, 'smaller than the source');
    assert.ok(stored.indexOf('\xaa') >= 0 && stored.indexOf('function') < 0, '`function` is one byte (0xAA)');
    assert.ok(stored.indexOf('\xd1\x05a"b\\c') >= 0, 'a string is a raw token (0xD1, length, bytes)');
    assert.ok(stored.indexOf('\xd1\x03\xe9\xff\x00') >= 0, 'bytes above 0x7F and NUL inside a raw string arrive intact');
    assert.ok(b.received.indexOf('\xaa') >= 0 && b.received.indexOf('\xc2\xaa') < 0, 'tokens crossed tcp:// as single bytes, not UTF-8');
    assert.is(r.bytes, stored.length);
    assert.ok(b.received.indexOf('require("Storage").write(".bootcde"') >= 0, 'the CLI used Storage.write');
    assert.equal(b.loads, ['.bootcde'], 'and loaded it after writing');
    assert.ok(lines.some((l) => l.indexOf('firmware is ' + fmt(PROGRAM.length) + ' bytes, ' + fmt(TOK29.length) + ' pretokenised') >= 0), lines.join('\n'));
    assert.ok(lines.some((l) => /^flashed [\d,]+ bytes \(pretokenised\) .*verified/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.indexOf('[3/4]') === 0) && lines.some((l) => l.indexOf('[4/4]') === 0), 'progress shown');
  });
});

test('--save on a 2v19 board: keywords tokenised, strings stay quoted (that firmware has no raw strings), verified', async () => {
  await withBoard({ version: '2v19' }, async (b, port) => {
    const lines: string[] = [];
    await flash(args(port, { save: true }), (s) => lines.push(s));
    const stored = b.storage['.bootcde'];
    assert.is(stored, TOK19);
    assert.is.not(TOK19, TOK29);
    assert.ok(stored.indexOf('"a\\"b\\\\c"') >= 0, 'the string literal as written in the source');
    assert.ok(stored.indexOf('\xd1') < 0 && stored.indexOf('\xd4') < 0, 'no raw string or int tokens');
    assert.ok(stored.indexOf('\xaa') >= 0, 'but keywords are tokens');
    assert.ok(lines.some((l) => /^flashed [\d,]+ bytes .*verified/.test(l)), lines.join('\n'));
  });
});

test('a board whose version cannot be read gets keywords-only tokens (safe on any firmware), verified', async () => {
  await withBoard({ version: 'custom-build' }, async (b, port) => {
    const lines: string[] = [];
    await flash(args(port, { save: true }), (s) => lines.push(s));
    assert.is(b.storage['.bootcde'], pretokenise(PROGRAM, null));
    assert.ok(lines.some((l) => /pretokenised \(keywords only: unknown firmware version\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^flashed [\d,]+ bytes .*verified/.test(l)), lines.join('\n'));
  });
});

test('--no-pretokenise stores the plain file', async () => {
  assert.is(parseArgs(['-p', 'tcp://x:1', '--no-pretokenise']).pretokenise, false);
  assert.is(parseArgs(['-p', 'tcp://x:1']).pretokenise, undefined, 'on unless turned off');
  await withBoard({}, async (b, port) => {
    const lines: string[] = [];
    const r = await flash(args(port, { save: true, pretokenise: false }), (s) => lines.push(s));
    assert.is(b.storage['.bootcde'], PROGRAM, 'exactly the file');
    assert.is(r.bytes, PROGRAM.length);
    assert.not.ok(lines.some((l) => /pretokenised/.test(l)), lines.join('\n'));
  });
});

test('without --save the code goes to RAM after a reset, nothing is written to Storage', async () => {
  await withBoard({}, async (b, port) => {
    const lines: string[] = [];
    await flash(args(port), (s) => lines.push(s));
    assert.equal(Object.keys(b.storage), []);
    assert.is(b.resets, 1);
    assert.ok(b.statements.some((s) => s.indexOf('function f(a)') >= 0), 'the program reached the REPL');
    assert.not.ok(lines.some((l) => /^flashed/.test(l)), 'never claims a flash');
    assert.ok(lines.some((l) => /RAM/.test(l)));
  });
});

test('a silent port is "no board answering"; nothing is claimed', async () => {
  await withBoard({ silent: true }, async (b, port) => {
    await expectFail(flash(args(port, { save: true }), keep), 3, /no board answering/);
    assert.equal(Object.keys(b.storage), []);
  });
});

test('out of memory on the board is reported plainly', async () => {
  await withBoard({ ramBytes: 500 }, async (_b, port) => {
    await expectFail(flash(args(port), keep), 4, /ran out of memory/);
  });
});

test('a firmware larger than the free Storage is refused before writing anything', async () => {
  assert.ok(TOK29.length + 64 < 1000 && PROGRAM.length > 1000, 'the sizes this test relies on');
  await withBoard({ flashBytes: 1000 }, async (b, port) => {
    await expectFail(flash(args(port, { save: true, pretokenise: false }), keep), 4, /does not fit in the board's free Storage.*Nothing was written/);
    assert.equal(Object.keys(b.storage), []);
    assert.is(b.storageWrites, 0);
  });
  // Pretokenised, the same firmware fits that board: the check uses the size that will be stored.
  await withBoard({ flashBytes: 1000 }, async (b, port) => {
    await flash(args(port, { save: true }), () => {});
    assert.is(b.storage['.bootcde'], TOK29);
  });
  // A board too small for even the pretokenised size.
  await withBoard({ flashBytes: TOK29.length + 63 }, async (b, port) => {
    await expectFail(flash(args(port, { save: true }), keep), 4, new RegExp('the firmware \\(' + fmt(TOK29.length) +
      ' bytes pretokenised\\) does not fit in the board\'s free Storage.*Nothing was written'));
    assert.equal(Object.keys(b.storage), []);
    assert.is(b.storageWrites, 0);
  });
});

test('a lost Storage write is caught by verification, not reported as flashed', async () => {
  await withBoard({ dropStorageWritesAfter: 1 }, async (b, port) => {
    const big = path.join(os.tmpdir(), 'etcpip-flash-big-' + process.pid + '.js');
    // A long string: still ~3 KB once pretokenised (a comment would be dropped), so several writes.
    fs.writeFileSync(big, PROGRAM + 'var big = "' + 'x'.repeat(3000) + '";\n');
    try {
      await expectFail(flash(args(port, { save: true, file: big }), keep), 6, /verification failed.*NOT flashed/);
      assert.ok(b.storageWrites >= 3);
    } finally {
      fs.unlinkSync(big);
    }
  });
});

test('a read-back answer lost on the link is asked for again; three lost answers are an error, not a flash', async () => {
  await withBoard({ loseReplies: { containing: 'etcpip-verify:', count: 2 } }, async (b) => {
    const lines: string[] = [];
    await flash(args('tcp://127.0.0.1:' + b.port, { save: true }), (l) => lines.push(l));
    assert.is(b.storage['.bootcde'], TOK29);
    assert.is(lines.filter((l) => /asking again/.test(l)).length, 2);
    assert.ok(lines.some((l) => /^flashed [\d,]+ bytes .*verified/.test(l)), lines.join('\n'));
  });
  await withBoard({ loseReplies: { containing: 'etcpip-verify:', count: 3 } }, async (_b, port) => {
    await expectFail(flash(args(port, { save: true }), keep), 6, /could not read the firmware back/);
  });
});

test('a bundle with non-ASCII bytes is refused before anything is sent', async () => {
  await withBoard({}, async (b, port) => {
    const f = path.join(os.tmpdir(), 'etcpip-flash-utf-' + process.pid + '.js');
    fs.writeFileSync(f, 'print("\u00e9");\n', 'latin1');
    try {
      await expectFail(flash(args(port, { save: true, file: f }), keep), 1, /non-ASCII byte at offset 7/);
      assert.is(b.received, '');
    } finally {
      fs.unlinkSync(f);
    }
  });
});

test('no such port: a plain message and exit code 2', async () => {
  await expectFail(flash(args('/dev/ttyACM-etcpip-none'), keep), 2, /no port \/dev\/ttyACM-etcpip-none: is the board plugged in/);
  assert.throws(() => parseArgs([]), /no port given/);
});

test('flash --help explains every option; --ip, --gateway and --dhcp go on to the build', () => {
  let help = '';
  try { parseArgs(['--help']); } catch (e) { help = (e as FlashError).message; assert.is((e as FlashError).exitCode, 0); }
  for (const o of ['--port', '--board', '--ip', '--gateway', '--dhcp', '--save', '--no-pretokenise', '--baud', '--file', '--verbose', 'Exit codes']) {
    assert.ok(help.indexOf(o) >= 0, 'help mentions ' + o);
  }
  assert.equal(parseArgs(['-p', 'tcp://x:1', '--ip', '10.0.0.9/24', '--gateway', '10.0.0.1']).buildOptions, ['--ip', '10.0.0.9/24', '--gateway', '10.0.0.1']);
  assert.equal(parseArgs(['-p', 'tcp://x:1', '--dhcp']).buildOptions, ['--dhcp']);
});

const haveSocat = spawnSync('which', ['socat']).status === 0;
test('a pseudo-terminal port is bridged to TCP with socat (the CLI rejects PTY paths)', async () => {
  if (!haveSocat) {
    console.log('SKIP: socat not installed');
    return;
  }
  await withBoard({}, async (b, port) => {
    const link = path.join(os.tmpdir(), 'etcpip-pty-' + process.pid);
    // ignoreeof: the PTY outlives each time the flasher's bridge closes its end.
    const s = spawn('socat', ['PTY,link=' + link + ',raw,echo=0,ignoreeof', 'TCP:' + port.substring(6)], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !fs.existsSync(link); i++) await new Promise((r) => setTimeout(r, 50));
      const lines: string[] = [];
      await flash(args(link, { save: true }), (l) => lines.push(l));
      assert.is(b.storage['.bootcde'], TOK29, 'tokens crossed the PTY bridge intact');
      assert.ok(lines.some((l) => /bridged pseudo-terminal/.test(l)));
    } finally {
      s.kill();
    }
  });
});

test.after(() => { try { fs.unlinkSync(FW); } catch (e) { /* gone */ } });

test.run();
