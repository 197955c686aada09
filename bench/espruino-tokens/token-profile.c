// Token profile for Espruino 2v29's Linux build (bench/espruino-tokens/build.sh includes this file in
// src/jslex.c, just before jslGetNextToken, which it renames jslGetNextTokenUncounted; targets/linux/main.c
// calls tokProfDump() from quit()). x86 only (__rdtsc). Used by bench/espruino-tokens.ts.
//
// With ESPR_PROF=FILE set, every token the lexer reads is counted by (code string, position in it), and
// the processor cycles until the next token is read (__rdtsc) are added to it: the token's own work,
// including any native call it makes. A token is read whether it runs or is skipped (a branch not taken,
// the rest of a function after its `return`). quit() writes the table to FILE, one line a token:
// count|first 48 characters of its code string|position|40 characters from the token|cycles.
// Without ESPR_PROF the cost is one test a token.
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>
#define TOKPROF_SLOTS (1 << 20)
typedef struct { void *code; unsigned int pos; unsigned long long count, cycles; } TokProfSlot;
static TokProfSlot *tokProf = 0, *tokProfLast = 0;
static unsigned long long tokProfSince = 0;
static int tokProfOn = -1;
static void tokProfRecord(void *code, unsigned int pos) {
  if (!tokProf) tokProf = calloc(TOKPROF_SLOTS, sizeof(TokProfSlot));
  if (!tokProf) { tokProfOn = 0; return; }
  size_t h = ((((size_t)code >> 3) * 2654435761u) ^ (pos * 40503u)) & (TOKPROF_SLOTS - 1);
  size_t probes = 0;
  while (tokProf[h].count && (tokProf[h].code != code || tokProf[h].pos != pos)) {
    h = (h + 1) & (TOKPROF_SLOTS - 1);
    if (++probes == TOKPROF_SLOTS) { tokProfOn = 0; return; } // full: stop counting rather than loop
  }
  TokProfSlot *s = &tokProf[h];
  s->code = code; s->pos = pos; s->count++;
  unsigned long long now = __rdtsc();
  if (tokProfLast) tokProfLast->cycles += now - tokProfSince;
  tokProfLast = s;
  tokProfSince = __rdtsc();
}
static void tokProfText(JsVar *v, size_t from, int n, char *out) {
  JsvStringIterator it;
  jsvStringIteratorNew(&it, v, from);
  int k = 0;
  while (k < n && jsvStringIteratorHasChar(&it)) {
    char c = jsvStringIteratorGetChar(&it);
    out[k++] = (c == '\n' || c == '\r' || c == '\t' || c == '|') ? ' ' : c;
    jsvStringIteratorNext(&it);
  }
  out[k] = 0;
  jsvStringIteratorFree(&it);
}
void tokProfDump(void) {
  const char *file = getenv("ESPR_PROF");
  if (!file || !tokProf) return;
  FILE *f = fopen(file, "w");
  if (!f) return;
  char head[64], at[64];
  for (size_t i = 0; i < TOKPROF_SLOTS; i++) if (tokProf[i].count) {
    tokProfText((JsVar *)tokProf[i].code, 0, 48, head);
    tokProfText((JsVar *)tokProf[i].code, tokProf[i].pos, 40, at);
    fprintf(f, "%llu|%s|%u|%s|%llu\n", tokProf[i].count, head, tokProf[i].pos, at, tokProf[i].cycles);
  }
  fclose(f);
}
static void jslGetNextTokenUncounted(void);
void jslGetNextToken() {
  jslGetNextTokenUncounted();
  if (tokProfOn < 0) tokProfOn = getenv("ESPR_PROF") != 0;
  if (tokProfOn) tokProfRecord(lex->sourceVar, (unsigned int)lex->tokenStart);
}
