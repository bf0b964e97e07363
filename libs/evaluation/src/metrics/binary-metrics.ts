import { binaryClfCurve } from './curves.ts';
import { validateBinaryInputs, validateThreshold } from './validate-inputs.ts';

/**
 * Area under the ROC curve: the exact trapezoidal area over every distinct score, ties grouped into one
 * diagonal step (= sklearn `roc_auc_score`, torchmetrics `BinaryAUROC(thresholds=None)`, and the
 * Mann–Whitney U / (P·N) with ties counting 1/2).
 * Single-class input has no ROC curve: returns NaN (sklearn raises, torchmetrics warns and returns 0);
 * callers that must not see NaN check `positives` first (stratified bootstrap never produces it).
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { tps, fps } = binaryClfCurve(labels, scores);
  const p = tps[tps.length - 1]!;
  const n = fps[fps.length - 1]!;
  if (p === 0 || n === 0) return NaN;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < tps.length; i++) {
    area += (fps[i]! - prevFp) * (tps[i]! + prevTp);
    prevTp = tps[i]!;
    prevFp = fps[i]!;
  }
  return area / (2 * p * n);
}

/**
 * Average precision Σ_n (R_n − R_{n−1})·P_n over the distinct score thresholds, without interpolation
 * (sklearn `average_precision_score`, torchmetrics `BinaryAveragePrecision`). No positives → NaN
 * (sklearn 1.2 warns and returns 0 there; the value is undefined).
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { tps, fps } = binaryClfCurve(labels, scores);
  const p = tps[tps.length - 1]!;
  if (p === 0) return NaN;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < tps.length; i++) {
    const recall = tps[i]! / p;
    ap += (recall - prevRecall) * (tps[i]! / (tps[i]! + fps[i]!));
    prevRecall = recall;
  }
  return ap;
}

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Confusion counts with "predicted positive iff p > threshold" (strict, as torchmetrics' Binary*). */
export function confusionCounts(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): ConfusionCounts {
  validateBinaryInputs(labels, scores);
  validateThreshold(threshold);
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const pos = scores[i]! > threshold;
    if (labels[i] === 1) {
      if (pos) c.tp++;
      else c.fn++;
    } else if (pos) c.fp++;
    else c.tn++;
  }
  return c;
}

/** TP / (TP + FN); NaN without positives. */
export function sensitivity(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  return c.tp + c.fn === 0 ? NaN : c.tp / (c.tp + c.fn);
}

/** TN / (TN + FP); NaN without negatives. */
export function specificity(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  return c.tn + c.fp === 0 ? NaN : c.tn / (c.tn + c.fp);
}

/** (TP + TN) / n. */
export function accuracy(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  return (c.tp + c.tn) / labels.length;
}

/** The reference's checkpoint criterion M = 0.6·(SEN − 0.5) + 0.4·(SPE − 0.5). */
export function metricM(sen: number, spe: number): number {
  return 0.6 * (sen - 0.5) + 0.4 * (spe - 0.5);
}

export interface BinaryMetrics {
  auc: number;
  ap: number;
  sen: number;
  spe: number;
  acc: number;
  m: number;
  /** Number of predictions. */
  n: number;
  /** Number of label-1 predictions. */
  positives: number;
}

export const METRIC_NAMES = ['auc', 'ap', 'sen', 'spe', 'acc', 'm'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Every metric the paper reports at once (SEN/SPE/ACC at `threshold`, strict `>`). */
export function binaryMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): BinaryMetrics {
  const c = confusionCounts(labels, scores, threshold);
  const sen = c.tp + c.fn === 0 ? NaN : c.tp / (c.tp + c.fn);
  const spe = c.tn + c.fp === 0 ? NaN : c.tn / (c.tn + c.fp);
  return {
    auc: auc(labels, scores),
    ap: averagePrecision(labels, scores),
    sen,
    spe,
    acc: (c.tp + c.tn) / labels.length,
    m: metricM(sen, spe),
    n: labels.length,
    positives: c.tp + c.fn,
  };
}
