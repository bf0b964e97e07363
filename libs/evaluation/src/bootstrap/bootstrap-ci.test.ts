import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spottune/random';
import { ValidationError } from '@spottune/errors';
import {
  accuracy,
  auc,
  averagePrecision,
  bootstrapCi,
  bootstrapMetrics,
  sensitivity,
  specificity,
} from '../index.ts';
import { percentile } from './bootstrap-ci.ts';

const labels = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0];
const scores = [
  0.9, 0.2, 0.6, 0.4, 0.5, 0.1, 0.8, 0.7, 0.3, 0.55, 0.45, 0.2, 0.35, 0.6, 0.75, 0.05, 0.4, 0.65, 0.5, 0.3,
];

test('same seed → identical interval; another seed → another interval', () => {
  const a = bootstrapCi(labels, scores, 'auc', { seed: 11, samples: 500 });
  const b = bootstrapCi(labels, scores, 'auc', { seed: 11, samples: 500 });
  const c = bootstrapCi(labels, scores, 'auc', { seed: 12, samples: 500 });
  assert.deepEqual(a, b);
  assert.notDeepEqual([a.low, a.high], [c.low, c.high]);
  assert.equal(a.estimate, auc(labels, scores));
  assert.ok(a.low < a.estimate && a.estimate < a.high, JSON.stringify(a));
  assert.equal(a.valid, 500);
});

test('resampling is stratified: every resample keeps the class counts', () => {
  const seen = new Set<string>();
  bootstrapCi(
    labels,
    scores,
    (y) => {
      let p = 0;
      for (let i = 0; i < y.length; i++) p += y[i]!;
      seen.add(`${p}/${y.length}`);
      return p;
    },
    { seed: 'strata', samples: 200 },
  );
  assert.deepEqual([...seen], ['8/20']);
});

test('the fast weighted path equals recomputing each metric on the materialised resample', () => {
  // Ties and p = 0.5 exactly are included, so grouping and the strict threshold are exercised.
  const all = bootstrapMetrics(labels, scores, { seed: 5, samples: 300 });
  const fns = { auc, ap: averagePrecision, sen: sensitivity, spe: specificity, acc: accuracy } as const;
  for (const [name, fn] of Object.entries(fns)) {
    const slow = bootstrapCi(labels, scores, fn, { seed: 5, samples: 300 });
    const fast = all[name as keyof typeof fns];
    for (const key of ['estimate', 'low', 'high'] as const)
      assert.ok(Math.abs(fast[key] - slow[key]) < 1e-12, `${name}.${key}: ${fast[key]} vs ${slow[key]}`);
    assert.equal(fast.valid, slow.valid);
  }
  assert.deepEqual(all.auc, bootstrapCi(labels, scores, 'auc', { seed: 5, samples: 300 }));
  for (const ci of Object.values(all)) assert.ok(ci.low <= ci.high);
});

test('percentile interpolates like numpy', () => {
  // np.percentile([1, 2, 3, 4, 10], [2.5, 97.5]) -> [1.1, 9.4]
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 10], 0.025) - 1.1) < 1e-12);
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 10], 0.975) - 9.4) < 1e-12);
});

test('coverage sanity: the 95% AUC interval covers the true binormal AUC most of the time', () => {
  // Positives ~ N(1, 1), negatives ~ N(0, 1): true AUC = Φ(1/√2) = 0.7602499389065233 (scipy norm.cdf).
  const trueAuc = 0.7602499389065233;
  const rng = new Rng('coverage');
  const datasets = 200;
  let covered = 0;
  for (let d = 0; d < datasets; d++) {
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < 60; i++) {
      const label = i < 25 ? 1 : 0;
      y.push(label);
      s.push(rng.normal(label));
    }
    const ci = bootstrapCi(y, s, 'auc', { seed: rng.fork('boot', d), samples: 500 });
    if (ci.low <= trueAuc && trueAuc <= ci.high) covered++;
  }
  // Percentile bootstrap slightly under-covers at n = 60; far outside [0.85, 0.99] means a bug
  // (e.g. resampling scores without their labels collapses AUC towards 0.5 and coverage towards 0).
  const rate = covered / datasets;
  assert.ok(rate >= 0.85 && rate <= 0.99, `coverage ${rate}`);
});

test('invalid options raise ValidationError', () => {
  assert.throws(() => bootstrapCi(labels, scores, 'auc', { seed: 1, samples: 0 }), ValidationError);
  assert.throws(() => bootstrapCi(labels, scores, 'auc', { seed: 1, alpha: 1 }), ValidationError);
  assert.throws(() => bootstrapCi([0, 1], [0.5], 'auc', { seed: 1 }), ValidationError);
});
