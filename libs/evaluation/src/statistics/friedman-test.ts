import { ValidationError } from '@spottune/errors';
import { averageRanks, tieGroupSizes } from './ranks.ts';
import { chiSquareSf } from './special-functions.ts';

export interface FriedmanResult {
  statistic: number;
  pValue: number;
  df: number;
  /** Number of blocks (rows). */
  n: number;
  /** Number of treatments (columns). */
  k: number;
  /** Mean rank of each treatment over the blocks (rank 1 = smallest value in a block). */
  meanRanks: number[];
}

/** Checks an n × k matrix of finite numbers (n blocks, k treatments) with at least `minK` columns. */
export function validateBlockMatrix(
  matrix: readonly (readonly number[])[],
  what: string,
  minK: number,
): void {
  if (matrix.length === 0) throw new ValidationError(`${what}: the matrix has no blocks (rows)`);
  const k = matrix[0]!.length;
  if (k < minK) throw new ValidationError(`${what}: needs at least ${minK} treatments (columns), got ${k}`);
  matrix.forEach((row, i) => {
    if (row.length !== k)
      throw new ValidationError(`${what}: row ${i} has ${row.length} values, expected ${k}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new ValidationError(`${what}: value [${i}][${j}] is ${v}, not finite`);
    });
  });
}

/**
 * The Friedman χ² test, exactly as `scipy.stats.friedmanchisquare(*matrix.T)` (scipy 1.10): ranks
 * within each block with ties averaged, statistic (12/(nk(k+1)) Σ_j R_j² − 3n(k+1)) / C with the tie
 * correction C = 1 − Σ_blocks Σ_ties (t³ − t) / (k(k² − 1)n), p from χ²(k − 1). Like scipy it needs
 * k ≥ 3. A matrix in which every block is entirely tied has C = 0: statistic and p are NaN (scipy
 * likewise divides by zero).
 */
export function friedmanTest(matrix: readonly (readonly number[])[]): FriedmanResult {
  validateBlockMatrix(matrix, 'friedmanTest', 3);
  const n = matrix.length;
  const k = matrix[0]!.length;
  const rankSums = new Array<number>(k).fill(0);
  let ties = 0;
  for (const row of matrix) {
    averageRanks(row).forEach((r, j) => (rankSums[j]! += r));
    for (const t of tieGroupSizes(row)) ties += t * (t * t - 1);
  }
  const c = 1 - ties / (k * (k * k - 1) * n);
  const ssbn = rankSums.reduce((s, r) => s + r * r, 0);
  const statistic = c === 0 ? NaN : ((12 / (k * n * (k + 1))) * ssbn - 3 * n * (k + 1)) / c;
  return {
    statistic,
    pValue: chiSquareSf(statistic, k - 1),
    df: k - 1,
    n,
    k,
    meanRanks: rankSums.map((r) => r / n),
  };
}
