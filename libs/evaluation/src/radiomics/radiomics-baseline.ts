import { ValidationError } from '@spottune/errors';
import { binaryMetrics } from '../metrics/binary-metrics.ts';
import type { BinaryMetrics } from '../metrics/binary-metrics.ts';
import { RADIOMICS_FEATURE_NAMES } from './extract-features.ts';
import { trainRadiomicsForest } from './random-forest.ts';
import type { RandomForestModel, RandomForestOptions } from './random-forest.ts';

export interface RadiomicsPatient {
  patientId: string;
  label: number;
  /** From extractRadiomicsFeatures; NaN where the patient lacks the feature's region. */
  features: Record<string, number>;
}

export interface FeatureMatrix {
  patientIds: string[];
  labels: number[];
  rows: number[][];
  /** Patients left out because a feature is NaN/missing, with the first offending feature. */
  excluded: { patientId: string; feature: string }[];
}

/**
 * Rows in `names` order (default the 6 Li et al. features). Patients with a non-finite feature are
 * left out and listed — pyradiomics cannot compute a feature on an empty region, and the paper's
 * radiomics test set (54 patients, not the networks' 57) suggests the authors dropped such patients.
 */
export function radiomicsFeatureMatrix(
  patients: readonly RadiomicsPatient[],
  names: readonly string[] = RADIOMICS_FEATURE_NAMES,
): FeatureMatrix {
  const out: FeatureMatrix = { patientIds: [], labels: [], rows: [], excluded: [] };
  for (const p of patients) {
    const bad = names.find((n) => !Number.isFinite(p.features[n]));
    if (bad !== undefined) {
      out.excluded.push({ patientId: p.patientId, feature: bad });
      continue;
    }
    out.patientIds.push(p.patientId);
    out.labels.push(p.label);
    out.rows.push(names.map((n) => p.features[n]!));
  }
  return out;
}

export interface RadiomicsBaselineResult {
  model: RandomForestModel;
  train: FeatureMatrix;
  test: FeatureMatrix;
  predictions: { patientId: string; label: number; probability: number }[];
  metrics: BinaryMetrics;
}

/**
 * The `radiomics-rf` baseline of §10: a random forest (paper: 10,000 trees, depth 5, ≥ 10 per leaf) on
 * the training patients of the split, scored on the test patients. Options default to the paper's.
 */
export function runRadiomicsBaseline(
  train: readonly RadiomicsPatient[],
  test: readonly RadiomicsPatient[],
  options: RandomForestOptions & { threshold?: number },
): RadiomicsBaselineResult {
  const tr = radiomicsFeatureMatrix(train);
  const te = radiomicsFeatureMatrix(test);
  if (tr.rows.length === 0)
    throw new ValidationError('radiomics baseline: no training patient has all 6 features');
  if (te.rows.length === 0)
    throw new ValidationError('radiomics baseline: no test patient has all 6 features');
  const model = trainRadiomicsForest(tr.rows, tr.labels, {
    nEstimators: 10000,
    maxDepth: 5,
    minSamplesLeaf: 10,
    ...options,
  });
  const probs = model.predictProba(te.rows);
  return {
    model,
    train: tr,
    test: te,
    predictions: te.patientIds.map((patientId, i) => ({
      patientId,
      label: te.labels[i]!,
      probability: probs[i]!,
    })),
    metrics: binaryMetrics(te.labels, probs, options.threshold ?? 0.5),
  };
}
