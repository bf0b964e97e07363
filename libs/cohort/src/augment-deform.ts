import type { Rng } from '@spottune/random';
import { checkVolume, type Volume3 } from './volume.ts';

export interface DeformOptions {
  /** σ of the control-point displacements in voxels (reference: 5). */
  sigma?: number;
  /** Control points per axis (elasticdeform default: 3). */
  points?: number;
  /** Explicit control displacements, shape (3, points, points, points) C-order; overrides the random draw. */
  displacement?: Float64Array;
}

/**
 * `elasticdeform.deform_random_grid(vol, sigma=5, points=3, order=0)` (mode constant, cval 0):
 * random N(0, σ²) displacements on a points³ control grid spanning the volume corner to corner, made an
 * interpolating cubic B-spline (prefiltered with mirror boundaries like scipy's spline_filter1d), evaluated
 * at every voxel; each output voxel takes the input voxel nearest to (its position + displacement),
 * or 0 when that falls outside the volume. One field per call (all channels share it in the reference).
 */
export function deformVolume(volume: Volume3, rng: Rng, options: DeformOptions = {}): Volume3 {
  checkVolume(volume);
  const sigma = options.sigma ?? 5;
  const points = options.points ?? 3;
  const nCtrl = points * points * points;
  const displacement =
    options.displacement ?? Float64Array.from({ length: 3 * nCtrl }, () => rng.normal(0, sigma));
  if (displacement.length !== 3 * nCtrl) {
    throw new RangeError(
      `deform: displacement needs 3·${points}³ = ${3 * nCtrl} values, got ${displacement.length}`,
    );
  }
  const coeffs = new Float64Array(displacement);
  for (let c = 0; c < 3; c++) prefilterGrid(coeffs.subarray(c * nCtrl, (c + 1) * nCtrl), points);

  const [D, H, W] = volume.shape;
  const dims = [D, H, W] as const;
  // Per axis and output coordinate: the 4 control indices (mirror-mapped) and cubic B-spline weights.
  const tables = dims.map((n) => splineTable(n, points));
  const src = volume.data;
  const out = new Float32Array(src.length);
  const disp = [0, 0, 0];
  for (let d = 0; d < D; d++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const pos = [d, h, w];
        const td = tables[0]!;
        const th = tables[1]!;
        const tw = tables[2]!;
        for (let c = 0; c < 3; c++) {
          const base = c * nCtrl;
          let s = 0;
          for (let a = 0; a < 4; a++) {
            const wa = td.weights[d * 4 + a]!;
            const ia = td.index[d * 4 + a]! * points * points;
            for (let b = 0; b < 4; b++) {
              const wab = wa * th.weights[h * 4 + b]!;
              const iab = ia + th.index[h * 4 + b]! * points;
              for (let e = 0; e < 4; e++) {
                s += wab * tw.weights[w * 4 + e]! * coeffs[base + iab + tw.index[w * 4 + e]!]!;
              }
            }
          }
          disp[c] = s;
        }
        let inside = true;
        let offset = 0;
        for (let c = 0; c < 3; c++) {
          const x = pos[c]! + disp[c]!;
          if (x < 0 || x > dims[c]! - 1) {
            inside = false;
            break;
          }
          offset = offset * dims[c]! + Math.floor(x + 0.5);
        }
        if (inside) out[(d * H + h) * W + w] = src[offset]!;
      }
    }
  }
  return { data: out, shape: volume.shape };
}

/** Cubic B-spline weights of `x` relative to knots floor(x)−1 … floor(x)+2 (scipy/elasticdeform form). */
function cubicWeights(x: number, out: Float64Array, at: number): void {
  const t = x - Math.floor(x);
  const z = 1 - t;
  const w1 = (t * t * (t - 2) * 3 + 4) / 6;
  const w2 = (z * z * (z - 2) * 3 + 4) / 6;
  const w0 = (z * z * z) / 6;
  out[at] = w0;
  out[at + 1] = w1;
  out[at + 2] = w2;
  out[at + 3] = 1 - w0 - w1 - w2;
}

function mirrorIndex(i: number, len: number): number {
  if (len <= 1) return 0;
  const s2 = 2 * len - 2;
  let k = i;
  if (k < 0) {
    k = s2 * Math.trunc(-k / s2) + k;
    k = k <= 1 - len ? k + s2 : -k;
  } else if (k >= len) {
    k -= s2 * Math.trunc(k / s2);
    if (k >= len) k = s2 - k;
  }
  return k;
}

function splineTable(n: number, points: number): { index: Int32Array; weights: Float64Array } {
  const index = new Int32Array(n * 4);
  const weights = new Float64Array(n * 4);
  for (let j = 0; j < n; j++) {
    // Control points sit at the first and last voxel: cp = (points − 1)·j / (n − 1).
    const cp = n === 1 ? 0 : ((points - 1) * j) / (n - 1);
    const start = Math.floor(cp) - 1;
    cubicWeights(cp, weights, j * 4);
    for (let l = 0; l < 4; l++) index[j * 4 + l] = mirrorIndex(start + l, points);
  }
  return { index, weights };
}

/**
 * In place, along each axis of a points³ grid: the cubic B-spline coefficients whose spline passes
 * through the given values, with mirror boundaries (c₋₁ = c₁) — scipy's `spline_filter1d(order=3,
 * mode='mirror')`, solved here directly as the small linear system (c_{i−1} + 4c_i + c_{i+1})/6 = v_i.
 */
function prefilterGrid(grid: Float64Array, n: number): void {
  if (n < 2) return;
  const line = new Float64Array(n);
  const strides = [n * n, n, 1];
  for (let axis = 0; axis < 3; axis++) {
    const stride = strides[axis]!;
    for (let start = 0; start < grid.length; start++) {
      // Visit each line once: start must have coordinate 0 on this axis.
      if (Math.floor(start / stride) % n !== 0) continue;
      for (let i = 0; i < n; i++) line[i] = grid[start + i * stride]!;
      const c = solveMirrorSpline(line);
      for (let i = 0; i < n; i++) grid[start + i * stride] = c[i]!;
    }
  }
}

function solveMirrorSpline(v: Float64Array): Float64Array {
  const n = v.length;
  // Dense Gaussian elimination: n is the control-grid size (3 by default).
  const a = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (let i = 0; i < n; i++) {
    a[i]![i] = 4 / 6;
    for (const nb of [i - 1, i + 1]) a[i]![mirrorIndex(nb, n)]! += 1 / 6;
    a[i]![n] = v[i]!;
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let k = col; k <= n; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i]![n]! / a[i]![i]!);
}
