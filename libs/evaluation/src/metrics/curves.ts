import { validateBinaryInputs } from './validate-inputs.ts';

/** Cumulative counts at each distinct score, scores descending (sklearn's `_binary_clf_curve`). */
export interface ClfCurveCounts {
  /** Distinct scores, descending. */
  thresholds: number[];
  /** Positives with score >= thresholds[i]. */
  tps: number[];
  /** Negatives with score >= thresholds[i]. */
  fps: number[];
}

/**
 * Groups tied scores into one step, so the curve does not depend on the order of tied items (the
 * "ties grouped" behaviour of sklearn and torchmetrics).
 */
export function binaryClfCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): ClfCurveCounts {
  validateBinaryInputs(labels, scores, 'curve');
  const order = Array.from({ length: labels.length }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]!);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[r + 1];
    if (next === undefined || scores[next]! !== scores[i]!) {
      thresholds.push(scores[i]!);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** thresholds[0] = max score + 1 (the (0, 0) point; sklearn 1.2), then each distinct score, descending. */
  thresholds: number[];
}

/**
 * ROC points as sklearn 1.2 `roc_curve(y, s, drop_intermediate=False)`: a leading (0, 0) point at
 * threshold max + 1 (sklearn ≥ 1.3 uses +Infinity; max + 1 stays JSON-safe), then one point per distinct score (predicted positive iff score >= threshold).
 * With a single class present the undefined rate is NaN (sklearn warns and does the same).
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const { thresholds, tps, fps } = binaryClfCurve(labels, scores);
  const p = tps[tps.length - 1]!;
  const n = fps[fps.length - 1]!;
  return {
    fpr: [0, ...fps.map((f) => (n === 0 ? NaN : f / n))],
    tpr: [0, ...tps.map((t) => (p === 0 ? NaN : t / p))],
    thresholds: [thresholds[0]! + 1, ...thresholds],
  };
}

export interface PrCurve {
  precision: number[];
  recall: number[];
  /** Ascending; one fewer than the points (the final (recall 0, precision 1) point has none). */
  thresholds: number[];
}

/**
 * Precision–recall points as sklearn 1.2 `precision_recall_curve` (which has no drop_intermediate and
 * keeps every threshold): points ordered by increasing threshold, i.e. decreasing recall, ending with
 * the conventional (recall 0, precision 1). Without positives sklearn 1.2 sets recall to 1 at every
 * threshold (with a warning); so do we, but {@link averagePrecision} then returns NaN.
 */
export function prCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): PrCurve {
  const { thresholds, tps, fps } = binaryClfCurve(labels, scores);
  const p = tps[tps.length - 1]!;
  const precision = tps.map((t, i) => t / (t + fps[i]!));
  const recall = tps.map((t) => (p === 0 ? 1 : t / p));
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: [...thresholds].reverse(),
  };
}
