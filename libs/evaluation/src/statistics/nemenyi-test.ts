import { ValidationError } from '@spottune/errors';
import { validateBlockMatrix } from './friedman-test.ts';
import { averageRanks } from './ranks.ts';
import { studentizedRangeIsf, studentizedRangeSf } from './studentized-range.ts';

export interface NemenyiResult {
  /** k × k p-values, symmetric, 1 on the diagonal. */
  pValues: number[][];
  /** k × k statistics |R̄_i − R̄_j| / sqrt(k(k+1)/(6n)) (the scikit-posthocs q before the √2). */
  statistics: number[][];
  meanRanks: number[];
  /** Demšar's critical difference of mean ranks at `alpha`: q_α(k, ∞)/√2 · sqrt(k(k+1)/(6n)). */
  criticalDifference: number;
  alpha: number;
}

/**
 * The Nemenyi post-hoc test after Friedman, as scikit-posthocs `posthoc_nemenyi_friedman(matrix)`
 * (blocks = rows, groups = columns): mean within-block ranks R̄ (ties averaged, no tie correction),
 * q_ij = |R̄_i − R̄_j| / sqrt(k(k+1)/(6n)), p_ij = P(Q > q_ij·√2) for the studentized range Q with k
 * groups and infinite df.
 *
 * No cap: older scikit-posthocs used statsmodels' `psturng`, which clips p at 0.9 — the paper's
 * several p = 0.9 values are that clip (reference-pipeline §9). We report the exact value (as
 * scikit-posthocs ≥ 0.7 does with scipy's studentized_range), so our large p-values exceed 0.9.
 */
export function nemenyiTest(
  matrix: readonly (readonly number[])[],
  options: { alpha?: number } = {},
): NemenyiResult {
  validateBlockMatrix(matrix, 'nemenyiTest', 2);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1))
    throw new ValidationError(`nemenyiTest: alpha must lie in (0, 1), got ${alpha}`);
  const n = matrix.length;
  const k = matrix[0]!.length;
  const sums = new Array<number>(k).fill(0);
  for (const row of matrix) averageRanks(row).forEach((r, j) => (sums[j]! += r));
  const meanRanks = sums.map((s) => s / n);
  const scale = Math.sqrt((k * (k + 1)) / (6 * n));
  const statistics = meanRanks.map((ri) => meanRanks.map((rj) => Math.abs(ri - rj) / scale));
  const pValues = statistics.map((row, i) =>
    row.map((q, j) => (i === j ? 1 : studentizedRangeSf(q * Math.SQRT2, k))),
  );
  return {
    pValues,
    statistics,
    meanRanks,
    criticalDifference: (studentizedRangeIsf(alpha, k) / Math.SQRT2) * scale,
    alpha,
  };
}
