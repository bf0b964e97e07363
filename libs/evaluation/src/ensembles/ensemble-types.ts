import type { ConfidenceInterval } from '../bootstrap/bootstrap-ci.ts';
import type { BinaryMetrics, MetricName } from '../metrics/binary-metrics.ts';
import type { PrCurve, RocCurve } from '../metrics/curves.ts';

/** One patient's test prediction of one trial. */
export interface TrialPrediction {
  patientId: string;
  label: number;
  /** Already the mean over the trial's Gumbel samples (level 1 of §8). */
  probability: number;
  /** How many Gumbel samples that mean is over. */
  samples: number;
}

/** The test-set predictions of one trained trial (network × derivative × fold). */
export interface TrialPredictions {
  trialId: string;
  network: string;
  /** The single-channel derivative the trial was trained on (e.g. 'ap-rCBV', 'FA', 'T1GD'). */
  modality: string;
  fold: number;
  predictions: TrialPrediction[];
}

export interface PlannedTrial {
  network: string;
  modality: string;
  fold: number;
}

export type EnsembleLevel = 'fold' | 'group' | 'combination';

export interface EnsembleOptions {
  /** Group name → derivatives, e.g. { DSC: ['ap-rCBV', 'PH', 'PSR'], DTI: [...], Struct: [...] }. */
  groups: Record<string, string[]>;
  /** Unions of groups, 'DSC+DTI', 'DSC+DTI+Struct', ... (each part a key of `groups`). */
  combinations: string[];
  /** Patients every ensemble is scored on. Default: the intersection of the test patients of all present trials. */
  commonPatients?: string[];
  /** The planned trials; those without predictions are listed in `missing` of the ensembles they belong to. */
  expected?: PlannedTrial[];
  /**
   * How a combination averages its derivatives. 'flat' (default, the reference notebook): the plain mean
   * over all derivatives of the union, so in DSC+DTI+Struct the groups weigh 3/11, 4/11, 4/11.
   * 'per-group': the mean of the group means, each group weighing equally.
   */
  weighting?: 'flat' | 'per-group';
  /** Threshold for SEN/SPE/ACC (default 0.5, strict >). */
  threshold?: number;
  /** Percentile-bootstrap CIs: default { samples: 2000, alpha: 0.05, seed: 42 }; false skips them. */
  bootstrap?: { samples?: number; alpha?: number; seed?: number | string } | false;
}

export interface EnsemblePrediction {
  patientId: string;
  label: number;
  probability: number;
  /** Gumbel samples behind this probability, summed over every member trial. */
  samples: number;
}

export interface EnsembleMetrics extends BinaryMetrics {
  /** Bootstrap CIs per metric; absent when bootstrap is off. */
  ci?: Record<MetricName, ConfidenceInterval>;
}

export interface Ensemble {
  network: string;
  level: EnsembleLevel;
  /** The derivative (fold level), the group name, or the combination ('DSC+DTI'). */
  name: string;
  /** Fold level: the trial ids averaged; group/combination level: the derivatives averaged. */
  members: string[];
  /**
   * What was planned or named but absent: a whole derivative as 'FA', one planned trial as 'FA/fold3'.
   * A group or combination lists its absent derivatives and the missing folds of its members.
   */
  missing: string[];
  /** Sorted by patientId; exactly the common patients. */
  predictions: EnsemblePrediction[];
  metrics: EnsembleMetrics;
  curves: { roc: RocCurve; pr: PrCurve };
}
