// The protocol-quality table (bench/quality.ts) is deterministic: virtual clock, seeded wire. Its
// snapshot bench/snapshots/quality.json is rewritten by `npm run bench -- --update-snapshot`; here a
// subset is recomputed and compared: more than REGRESSION_TOLERANCE worse goodput on any case fails,
// smaller changes (and improvements) pass and are printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  allCases, caseId, runQualityCase, compareWithSnapshot, formatDiffs, TEST_SUBSET, REGRESSION_TOLERANCE,
  LINK_BPS, DURATION_MS, SEEDS, QualityResult,
} from '../../bench/quality';

const SNAPSHOT = path.join(__dirname, '..', '..', 'bench', 'snapshots', 'quality.json');

function loadSnapshot(): { params: { linkBps: number; durationMs: number; seeds: number[] }; results: QualityResult[] } {
  return JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8'));
}

test('the snapshot covers every case of the table and was made with the current parameters', () => {
  const snap = loadSnapshot();
  assert.equal(snap.params, { linkBps: LINK_BPS, durationMs: DURATION_MS, seeds: SEEDS },
    'parameters changed: run `npm run bench -- --update-snapshot`');
  assert.equal(snap.results.map((r) => r.id).sort(), allCases().map(caseId).sort());
  for (const r of snap.results) assert.ok(r.goodputBps > 0, r.id + ' moved no data in the snapshot');
});

test('the same case gives the same numbers twice (deterministic)', () => {
  const c = { loss: 0.02, rttMs: 20, window: 2048 };
  assert.equal(runQualityCase(c), runQualityCase(c));
});

test('comparison: a drop beyond the tolerance is a regression, a small change or a gain is not', () => {
  const base = [{ id: 'x', goodputBps: 1000 }, { id: 'y', goodputBps: 1000 }, { id: 'z', goodputBps: 1000 }] as QualityResult[];
  const now = [{ id: 'x', goodputBps: 1000 * (1 - REGRESSION_TOLERANCE) - 1 }, { id: 'y', goodputBps: 950 }, { id: 'z', goodputBps: 1300 }] as QualityResult[];
  const d = compareWithSnapshot(base, now);
  assert.equal(d.filter((x) => x.regression).map((x) => x.id), ['x']);
  assert.is(d.length, 3);
});

test('goodput of a subset of the table against the snapshot (fails on a > 15 % regression)', () => {
  const snap = loadSnapshot();
  const cases = allCases().filter((c) => TEST_SUBSET.includes(caseId(c)));
  assert.ok(cases.length >= 10, 'subset too small');
  const now = cases.map((c) => runQualityCase(c));
  const diffs = compareWithSnapshot(snap.results, now);
  console.log('quality snapshot (' + cases.length + ' cases):\n' + formatDiffs(diffs) +
    (diffs.length ? '\n(after an intended change: npm run bench -- --update-snapshot, and commit bench/snapshots/quality.json)' : ''));
  const bad = diffs.filter((d) => d.regression);
  assert.is(bad.length, 0, 'goodput regressions:\n' + formatDiffs(bad));
});

test.run();
