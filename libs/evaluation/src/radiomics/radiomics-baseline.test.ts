import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spottune/random';
import { RADIOMICS_FEATURE_NAMES } from './extract-features.ts';
import { radiomicsFeatureMatrix, runRadiomicsBaseline } from './radiomics-baseline.ts';
import type { RadiomicsPatient } from './radiomics-baseline.ts';

function cohort(n: number, seed: string): RadiomicsPatient[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const features = Object.fromEntries(
      RADIOMICS_FEATURE_NAMES.map((name, j) => [name, rng.normal(j === 3 ? 2.5 * label : 0)]),
    );
    return { patientId: `${seed}-${i}`, label, features };
  });
}

test('feature matrix keeps the feature order and lists patients lacking a region', () => {
  const patients = cohort(3, 'm');
  patients[1]!.features.FLAIR_necrotic_glcm_Contrast = NaN;
  const m = radiomicsFeatureMatrix(patients);
  assert.deepEqual(m.patientIds, ['m-0', 'm-2']);
  assert.deepEqual(m.excluded, [{ patientId: 'm-1', feature: 'FLAIR_necrotic_glcm_Contrast' }]);
  assert.deepEqual(
    m.rows[1],
    RADIOMICS_FEATURE_NAMES.map((n) => patients[2]!.features[n]),
  );
});

test('the baseline trains on the training patients and scores the test patients', () => {
  const train = cohort(160, 'train');
  const test_ = cohort(60, 'test');
  test_[0]!.features.T1_core_firstorder_Skewness = NaN;
  const r = runRadiomicsBaseline(train, test_, { nEstimators: 200, seed: 3 });
  assert.equal(r.model.nTrees, 200);
  assert.equal(r.predictions.length, 59);
  assert.equal(r.metrics.n, 59);
  assert.ok(r.metrics.auc > 0.85, `AUC ${r.metrics.auc}`);
});
