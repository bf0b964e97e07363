/**
 * scipy.ndimage's 1-D Gaussian (`_gaussian_kernel1d`, order 0): radius = ⌊truncate·σ + 0.5⌋, weights
 * exp(−x²/2σ²) normalised to sum 1. σ = 0.5, truncate 4 gives the 5 taps
 * [2.639e-4, 0.10645, 0.78657, 0.10645, 2.639e-4] of the reference's anti-aliasing filter.
 */
export function gaussianKernel1d(sigma: number, truncate = 4): Float64Array {
  if (!(sigma >= 0) || !(truncate >= 0))
    throw new RangeError(`gaussianKernel1d: sigma ${sigma} and truncate ${truncate} must be ≥ 0`);
  if (sigma === 0) return Float64Array.of(1);
  const radius = Math.floor(truncate * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    const w = Math.exp((-0.5 / (sigma * sigma)) * x * x);
    k[x + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  return k;
}

/**
 * scipy `mode='mirror'` index: reflect about the edge voxel without repeating it
 * (… 2 1 | 0 1 2 … n−1 | n−2 n−3 …), periodic with period 2(n − 1).
 */
export function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/**
 * Plain separable Gaussian filter of a 3-D C-order volume with scipy's mirror boundary, in float64
 * (`scipy.ndimage.gaussian_filter(x, sigma, mode='mirror', truncate=4)`). The preprocessing itself uses
 * the fused blur + 2×2×2 pool in ./blur-pool.ts; this is the straightforward form, for tests and callers
 * that need the full-resolution blur.
 */
export function gaussianFilter3d(
  data: ArrayLike<number>,
  shape: readonly [number, number, number],
  sigma: number,
  truncate = 4,
): Float64Array {
  const kernel = gaussianKernel1d(sigma, truncate);
  let cur: Float64Array = Float64Array.from(data);
  for (let axis = 0; axis < 3; axis++) cur = filterAxis(cur, shape, axis, kernel);
  return cur;
}

function filterAxis(
  src: Float64Array,
  shape: readonly [number, number, number],
  axis: number,
  kernel: Float64Array,
): Float64Array {
  const [D, H, W] = shape;
  const n = shape[axis] ?? 1;
  const stride = axis === 0 ? H * W : axis === 1 ? W : 1;
  const radius = (kernel.length - 1) / 2;
  const out = new Float64Array(src.length);
  const lines = (D * H * W) / n;
  for (let line = 0; line < lines; line++) {
    // Offset of element 0 of this line: split `line` into the indices of the other two axes.
    const base = axis === 0 ? line : axis === 1 ? Math.floor(line / W) * H * W + (line % W) : line * W;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let t = -radius; t <= radius; t++)
        acc += (kernel[t + radius] as number) * (src[base + mirrorIndex(i + t, n) * stride] as number);
      out[base + i * stride] = acc;
    }
  }
  return out;
}
