/**
 * First-order features on the raw (not discretised) ROI intensities, pyradiomics definitions.
 */

/** Energy = Σ (x + c)² over the ROI voxels, c = voxelArrayShift (pyradiomics default 0). */
export function firstOrderEnergy(image: ArrayLike<number>, mask: Uint8Array, voxelArrayShift = 0): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i] === 1) {
      const v = image[i]! + voxelArrayShift;
      sum += v * v;
      n++;
    }
  return n === 0 ? NaN : sum;
}

/**
 * Skewness = μ₃ / μ₂^{3/2} with population central moments μ_k = (1/N) Σ (x − x̄)^k; 0 for a flat
 * region (pyradiomics returns 0 when μ₂ = 0). NaN for an empty ROI.
 */
export function firstOrderSkewness(image: ArrayLike<number>, mask: Uint8Array): number {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i] === 1) {
      sum += image[i]!;
      n++;
    }
  if (n === 0) return NaN;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i] === 1) {
      const d = image[i]! - mean;
      m2 += d * d;
      m3 += d * d * d;
    }
  m2 /= n;
  m3 /= n;
  return m2 === 0 ? 0 : m3 / m2 ** 1.5;
}
