#!/usr/bin/env bash
# Builds the token-profiling Espruino interpreter that bench/espruino-tokens.ts runs: Espruino 2v29's Linux
# build with token-profile.c compiled into its lexer.
#
#   bench/espruino-tokens/build.sh SRC_DIR [OUT_DIR]
#     SRC_DIR  an Espruino source tree at RELEASE_2V29 (e.g. `git clone -b RELEASE_2V29
#              https://github.com/espruino/Espruino`); only read: the build runs in a copy
#     OUT_DIR  default ~/.cache/espruino-tokens; the interpreter is OUT_DIR/espruino-tokens
# Then: ESPRUINO_TOKENS_BIN=OUT_DIR/espruino-tokens npx ts-node --transpile-only bench/espruino-tokens.ts
# Needs gcc, make, python3 and git (Espruino's scripts read the version from a git tag). x86-64 only.
set -euo pipefail
SRC=$(realpath "${1:?usage: build.sh SRC_DIR [OUT_DIR]}")
OUT=$(realpath -m "${2:-$HOME/.cache/espruino-tokens}")
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$SRC/src/jslex.c" ] && [ -f "$SRC/targets/linux/main.c" ] || { echo "not an Espruino source tree: $SRC" >&2; exit 1; }
grep -q '#define JS_VERSION "2v29"' "$SRC/src/jsutils.h" || echo "warning: not 2v29; the edits below may not apply" >&2
WORK="$OUT/work"
rm -rf "$WORK"; mkdir -p "$OUT"; cp -a "$SRC" "$WORK"; rm -rf "$WORK/.git"
git -C "$WORK" init -q
git -C "$WORK" -c user.name=build -c user.email=build@localhost commit -q --allow-empty -m "Espruino source"
git -C "$WORK" tag RELEASE_2V29
# The lexer's token function is renamed and wrapped by token-profile.c; quit() writes the profile.
python3 - "$WORK" "$HERE/token-profile.c" <<'PY'
import sys
work, prof = sys.argv[1], sys.argv[2]
def edit(rel, anchor, replacement):
    p = work + '/' + rel
    s = open(p).read()
    if s.count(anchor) != 1: sys.exit(rel + ': ' + anchor.strip() + ' not found once')
    open(p, 'w').write(s.replace(anchor, replacement))
edit('src/jslex.c', '\nvoid jslGetNextToken() {\n', '\n#include "' + prof + '"\nstatic void jslGetNextTokenUncounted(void) {\n')
edit('targets/linux/main.c', 'void nativeQuit() {', 'void tokProfDump(void);\nvoid nativeQuit() { tokProfDump();')
PY
( cd "$WORK" && make -j"${JOBS:-2}" PYTHON=python3 ) > "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
install -m 755 "$WORK/bin/espruino" "$OUT/espruino-tokens"
echo "built $OUT/espruino-tokens"
