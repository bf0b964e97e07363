import { mirrorIndex } from './gaussian.ts';

/**
 * Gaussian blur (scipy mirror boundary) followed by a mean over pairs, along one axis, fused: output o
 * is Σ_t c[t]·x[mirror(2o + t)] with c[t] = (g[t] + g[t − 1]) / 2. Blur and pooling are both linear and
 * separable, so applying this along each axis equals gaussian_filter then a 2×2×2 mean, up to rounding,
 * at a fraction of the work (only the pooled positions are computed). An odd axis drops its last
 * position (floor): that voxel still reaches the output through the blur of its neighbour.
 */
export function blurPoolAxis(
  src: Float64Array,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  kernel: Float64Array,
): { data: Float64Array; shape: [number, number, number] } {
  const n = shape[axis];
  const m = Math.floor(n / 2);
  const radius = (kernel.length - 1) / 2;
  // Combined taps for t = −radius .. radius + 1.
  const taps = new Float64Array(kernel.length + 1);
  for (let t = 0; t < taps.length; t++) taps[t] = ((kernel[t] ?? 0) + (kernel[t - 1] ?? 0)) / 2;
  const outShape: [number, number, number] = [...shape];
  outShape[axis] = m;
  const [D, H, W] = shape;
  const out = new Float64Array(outShape[0] * outShape[1] * outShape[2]);
  if (m === 0) return { data: out, shape: outShape };
  if (axis === 2) {
    const lines = D * H;
    // Interior outputs read x[2o − radius .. 2o + radius + 1] without reflection.
    const lo = Math.ceil(radius / 2);
    const hi = Math.floor((n - 2 - radius) / 2);
    if (taps.length === 6) {
      contiguousSixTaps(src, out, lines, n, m, taps, lo, hi);
      return { data: out, shape: outShape };
    }
    for (let line = 0; line < lines; line++) {
      const s = line * n;
      const d = line * m;
      for (let o = 0; o < m; o++) {
        let acc = 0;
        if (o >= lo && o <= hi) {
          const first = s + 2 * o - radius;
          for (let t = 0; t < taps.length; t++) acc += (taps[t] as number) * (src[first + t] as number);
        } else {
          for (let t = 0; t < taps.length; t++)
            acc += (taps[t] as number) * (src[s + mirrorIndex(2 * o + t - radius, n)] as number);
        }
        out[d + o] = acc;
      }
    }
  } else {
    // Axes 0 and 1: accumulate whole contiguous rows/planes (cache friendly, vectorisable inner loop).
    const outer = axis === 0 ? 1 : D;
    const block = axis === 0 ? H * W : W;
    for (let a = 0; a < outer; a++) {
      const sBase = a * n * block;
      const dBase = a * m * block;
      for (let o = 0; o < m; o++) {
        const dst = dBase + o * block;
        for (let t = 0; t < taps.length; t++) {
          const c = taps[t] as number;
          if (c === 0) continue;
          const row = sBase + mirrorIndex(2 * o + t - radius, n) * block;
          for (let k = 0; k < block; k++)
            out[dst + k] = (out[dst + k] as number) + c * (src[row + k] as number);
        }
      }
    }
  }
  return { data: out, shape: outShape };
}

/** The σ = 0.5 case (radius 2, 6 combined taps) along the contiguous axis, unrolled: the hot loop. */
function contiguousSixTaps(
  src: Float64Array,
  out: Float64Array,
  lines: number,
  n: number,
  m: number,
  taps: Float64Array,
  lo: number,
  hi: number,
): void {
  const [c0, c1, c2, c3, c4, c5] = taps as unknown as [number, number, number, number, number, number];
  for (let line = 0; line < lines; line++) {
    const s = line * n;
    const d = line * m;
    for (let o = 0; o < m; o++) {
      if (o >= lo && o <= hi) {
        const f = s + 2 * o - 2;
        out[d + o] =
          c0 * (src[f] as number) +
          c1 * (src[f + 1] as number) +
          c2 * (src[f + 2] as number) +
          c3 * (src[f + 3] as number) +
          c4 * (src[f + 4] as number) +
          c5 * (src[f + 5] as number);
      } else {
        let acc = 0;
        for (let t = 0; t < 6; t++)
          acc += (taps[t] as number) * (src[s + mirrorIndex(2 * o + t - 2, n)] as number);
        out[d + o] = acc;
      }
    }
  }
}
