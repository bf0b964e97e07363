import { ValidationError } from '@spottune/errors';
import { normalCdf, normalPdf, normalSf } from './special-functions.ts';

/**
 * The studentized range distribution with k groups and infinite degrees of freedom (the range of k
 * iid standard normals), as scipy.stats.studentized_range(k, np.inf):
 *   P(Q ≤ q) = k ∫ φ(z) [Φ(z) − Φ(z − q)]^(k−1) dz.
 * The survival function is integrated directly, not as 1 − CDF, so Nemenyi p-values of 1e-12 keep
 * their relative precision: with a = Φ(z), b = Φ(z) − Φ(z − q) and a − b = Φ(z − q),
 *   P(Q > q) = k ∫ φ(z) (a^(k−1) − b^(k−1)) dz = k ∫ φ(z) Φ(z − q) Σ_{i=0}^{k−2} a^i b^(k−2−i) dz
 * (k ∫ φ Φ^(k−1) = 1). Composite Simpson on z ∈ [−9, 9] with step 0.03: φ(±9) ≈ 1e-18 and the
 * integrands are smooth (analytic), so the quadrature error is negligible: steps of 0.005, 0.02 and 0.05
 * all agree with scipy to the same 7e-10 relative (scipy's own integration tolerance).
 */
const Z_LO = -9;
const Z_HI = 9;
const STEPS = 600;

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 2)
    throw new ValidationError(`studentized range: k must be an integer ≥ 2, got ${k}`);
}

function simpson(f: (z: number) => number): number {
  const h = (Z_HI - Z_LO) / STEPS;
  let sum = f(Z_LO) + f(Z_HI);
  for (let i = 1; i < STEPS; i++) sum += (i % 2 === 1 ? 4 : 2) * f(Z_LO + i * h);
  return (sum * h) / 3;
}

/** Φ(z) − Φ(z − q), computed from upper tails when both are close to 1. */
function band(z: number, q: number): number {
  return z - q > 0 ? normalSf(z - q) - normalSf(z) : normalCdf(z) - normalCdf(z - q);
}

export function studentizedRangeCdf(q: number, k: number): number {
  checkK(k);
  if (Number.isNaN(q)) return NaN;
  if (q <= 0) return 0;
  const value = k * simpson((z) => normalPdf(z) * band(z, q) ** (k - 1));
  return Math.min(1, Math.max(0, value));
}

export function studentizedRangeSf(q: number, k: number): number {
  checkK(k);
  if (Number.isNaN(q)) return NaN;
  if (q <= 0) return 1;
  const value =
    k *
    simpson((z) => {
      const a = normalCdf(z);
      const b = band(z, q);
      let s = 0;
      for (let i = 0; i <= k - 2; i++) s += a ** i * b ** (k - 2 - i);
      return normalPdf(z) * normalCdf(z - q) * s;
    });
  return Math.min(1, Math.max(0, value));
}

/** The upper-α critical value q with P(Q > q) = α (bisection; |error| < 1e-9). */
export function studentizedRangeIsf(alpha: number, k: number): number {
  checkK(k);
  if (!(alpha > 0 && alpha < 1))
    throw new ValidationError(`studentized range: alpha must lie in (0, 1), got ${alpha}`);
  let lo = 0;
  let hi = 20;
  while (hi - lo > 1e-10) {
    const mid = (lo + hi) / 2;
    if (studentizedRangeSf(mid, k) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
