import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { auc } from '../metrics/binary-metrics.ts';
import { RandomForestModel, trainRadiomicsForest } from './random-forest.ts';
import type { SerializedForest } from './random-forest.ts';

/** 6 features, only feature 2 informative (shifted by 3 SD for label 1): nearly separable. */
function synthetic(n: number, seed: string): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3 === 0 ? 1 : 0;
    y.push(label);
    x.push(Array.from({ length: 6 }, (_, j) => rng.normal(j === 2 ? 3 * label : 0)));
  }
  return { x, y };
}

function depth(f: SerializedForest, node: number): number {
  return f.feature[node]! < 0 ? 0 : 1 + Math.max(depth(f, f.left[node]!), depth(f, f.right[node]!));
}

test('learns a separable synthetic problem and generalises to held-out patients', () => {
  const train = synthetic(200, 'train');
  const test_ = synthetic(100, 'test');
  const model = trainRadiomicsForest(train.x, train.y, { nEstimators: 300, seed: 1 });
  const p = model.predictProba(test_.x);
  assert.ok(p.every((v) => v >= 0 && v <= 1));
  const score = auc(test_.y, p);
  assert.ok(score > 0.95, `held-out AUC ${score}`);
  // Trees respect max depth 5 and every leaf holds ≥ 10 distinct in-bag patients.
  const f = model.toJSON();
  assert.ok(f.roots.every((r) => depth(f, r) <= 5));
  assert.ok(f.roots.some((r) => depth(f, r) === 5));
  assert.ok(f.feature.every((feat, node) => feat >= 0 || f.nodeSamples[node]! >= 10));
});

test('deterministic for a seed, different for another', () => {
  const { x, y } = synthetic(120, 'det');
  const a = trainRadiomicsForest(x, y, { nEstimators: 50, seed: 'forest' });
  const b = trainRadiomicsForest(x, y, { nEstimators: 50, seed: 'forest' });
  const c = trainRadiomicsForest(x, y, { nEstimators: 50, seed: 'other' });
  assert.deepEqual(a.toJSON(), b.toJSON());
  assert.deepEqual(a.predictProba(x), b.predictProba(x));
  assert.notDeepEqual(a.predictProba(x), c.predictProba(x));
  // Serialisation round-trips.
  assert.deepEqual(
    RandomForestModel.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))).predictProba(x),
    a.predictProba(x),
  );
});

test('hand-checked stump: the midpoint threshold and leaf class fractions', () => {
  // No bootstrap, all features, depth 1, leaves of ≥ 1: x = 0, 1, 2, 3 with y = 0, 0, 1, 1.
  // Weighted Gini cost of the cut after 1 sample: 1·0 + 3·(1 − (1/3)² − (2/3)²) = 4/3; after 2: 0 (best);
  // after 3: 4/3. Threshold = (1 + 2)/2 = 1.5; left leaf P(1) = 0, right leaf P(1) = 1.
  const model = trainRadiomicsForest([[0], [1], [2], [3]], [0, 0, 1, 1], {
    nEstimators: 1,
    maxDepth: 1,
    minSamplesLeaf: 1,
    maxFeatures: 'all',
    bootstrap: false,
    seed: 0,
  });
  const f = model.toJSON();
  assert.equal(f.feature[0], 0);
  assert.equal(f.threshold[0], 1.5);
  assert.deepEqual(model.predictProba([[1.4], [1.5], [1.6]]), [0, 0, 1]);
});

test('min_samples_leaf stops splits that would leave fewer patients on a side', () => {
  // 4 patients with min_samples_leaf 3: a split needs ≥ 2·3 = 6 → the root is a leaf with P(1) = 2/4.
  const model = trainRadiomicsForest([[0], [1], [2], [3]], [0, 0, 1, 1], {
    nEstimators: 1,
    minSamplesLeaf: 3,
    bootstrap: false,
    seed: 0,
  });
  assert.deepEqual(model.toJSON().feature, [-1]);
  assert.deepEqual(model.predictProba([[0], [3]]), [0.5, 0.5]);
  // With 6 patients and min 3 the only allowed cut is 3|3: x = 0..5, y = 0 0 1 0 1 1 → leaves 1/3 and 2/3.
  const six = trainRadiomicsForest([[0], [1], [2], [3], [4], [5]], [0, 0, 1, 0, 1, 1], {
    nEstimators: 1,
    minSamplesLeaf: 3,
    bootstrap: false,
    seed: 0,
  });
  assert.equal(six.toJSON().threshold[0], 2.5);
  assert.deepEqual(six.predictProba([[0], [5]]), [1 / 3, 2 / 3]);
});

test('invalid training data is rejected', () => {
  assert.throws(() => trainRadiomicsForest([[1, NaN]], [1], { seed: 1 }), ValidationError);
  assert.throws(() => trainRadiomicsForest([[1], [2]], [1], { seed: 1 }), ValidationError);
  assert.throws(() => trainRadiomicsForest([[1], [2]], [1, 2], { seed: 1 }), ValidationError);
  assert.throws(() => trainRadiomicsForest([[1], [2]], [1, 0], { seed: 1, maxFeatures: 3 }), ValidationError);
  assert.throws(
    () => trainRadiomicsForest([[1], [2]], [1, 0], { seed: 1, sampleWeight: [0, 0] }),
    ValidationError,
  );
  assert.throws(
    () => trainRadiomicsForest([[1], [2]], [1, 0], { seed: 1, sampleWeight: [1] }),
    ValidationError,
  );
  const m = trainRadiomicsForest([[1], [2]], [1, 0], { seed: 1, nEstimators: 2 });
  assert.throws(() => m.predictProba([[1, 2]]), ValidationError);
});
