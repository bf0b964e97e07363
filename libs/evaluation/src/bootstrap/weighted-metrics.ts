import type { BinaryMetrics } from '../metrics/binary-metrics.ts';
import { metricM } from '../metrics/binary-metrics.ts';

/**
 * The metrics of {@link binaryMetrics} for a bootstrap resample given as per-item draw counts, without
 * re-sorting: the items are sorted once, and a resample is a weight vector over them. A resample that
 * holds item i w times has exactly the same grouped ROC/PR steps as the weighted sweep below, so the
 * values equal binaryMetrics on the materialised resample (up to rounding). O(n) per resample.
 */
export class WeightedMetrics {
  private readonly order: Int32Array;
  /** groupEnd[r] = 1 when order[r] is the last item of a run of equal scores. */
  private readonly groupEnd: Uint8Array;
  private readonly isPos: Uint8Array;
  private readonly above: Uint8Array;

  constructor(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number) {
    const n = labels.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
    this.order = Int32Array.from(order);
    this.groupEnd = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const next = order[r + 1];
      this.groupEnd[r] = next === undefined || scores[next]! !== scores[order[r]!]! ? 1 : 0;
    }
    this.isPos = Uint8Array.from({ length: n }, (_, i) => (labels[i] === 1 ? 1 : 0));
    this.above = Uint8Array.from({ length: n }, (_, i) => (scores[i]! > threshold ? 1 : 0));
  }

  evaluate(weights: ArrayLike<number>): BinaryMetrics {
    let tp = 0;
    let fp = 0;
    let prevTp = 0;
    let prevFp = 0;
    let area = 0;
    let apSum = 0;
    let tpThr = 0;
    let fpThr = 0;
    const n = this.order.length;
    for (let r = 0; r < n; r++) {
      const i = this.order[r]!;
      const w = weights[i]!;
      if (this.isPos[i] === 1) {
        tp += w;
        if (this.above[i] === 1) tpThr += w;
      } else {
        fp += w;
        if (this.above[i] === 1) fpThr += w;
      }
      if (this.groupEnd[r] === 1 && tp + fp > prevTp + prevFp) {
        area += (fp - prevFp) * (tp + prevTp);
        apSum += (tp - prevTp) * (tp / (tp + fp));
        prevTp = tp;
        prevFp = fp;
      }
    }
    const sen = tp === 0 ? NaN : tpThr / tp;
    const spe = fp === 0 ? NaN : (fp - fpThr) / fp;
    return {
      auc: tp === 0 || fp === 0 ? NaN : area / (2 * tp * fp),
      ap: tp === 0 ? NaN : apSum / tp,
      sen,
      spe,
      acc: (tpThr + fp - fpThr) / (tp + fp),
      m: metricM(sen, spe),
      n: tp + fp,
      positives: tp,
    };
  }
}
