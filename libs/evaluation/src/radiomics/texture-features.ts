import { DIRECTIONS_13, NEIGHBOURS_26, forEachNeighbour } from './roi.ts';
import type { Shape3 } from './roi.ts';

/**
 * Texture features on a discretised ROI (`levels`: grey level ≥ 1 inside the ROI, 0 outside), with the
 * pyradiomics definitions (IBSI-compatible, 3-D, distance 1). All return NaN when the ROI gives no
 * matrix (empty ROI; for GLCM also a ROI without any neighbouring pair).
 */

/**
 * GLCM contrast, pyradiomics `glcm.Contrast` with its defaults (3-D, 13 directions, distance 1,
 * symmetric, averaged over directions): for each direction θ, P_θ(i, j) counts ROI voxel pairs
 * (v, v + θ) with grey levels (i, j); P_θ ← P_θ + P_θᵀ; p_θ = P_θ / Σ P_θ; contrast_θ = Σ (i − j)² p_θ(i, j);
 * the feature is the mean over the directions with at least one pair (pyradiomics deletes empty
 * angles). Symmetrising leaves contrast_θ unchanged ((i − j)² is symmetric and both the numerator
 * and the total double), so the sum over pairs is accumulated directly instead of building P.
 */
export function glcmContrast(levels: Int32Array, shape: Shape3): number {
  const [d, h, w] = shape;
  let total = 0;
  let angles = 0;
  for (const dir of DIRECTIONS_13) {
    let sum = 0;
    let pairs = 0;
    for (let z = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const gi = levels[(z * h + y) * w + x]!;
          if (gi === 0) continue;
          forEachNeighbour(shape, z, y, x, [dir], (j) => {
            const gj = levels[j]!;
            if (gj === 0) return;
            sum += (gi - gj) * (gi - gj);
            pairs++;
          });
        }
    if (pairs > 0) {
      total += sum / pairs;
      angles++;
    }
  }
  return angles === 0 ? NaN : total / angles;
}

/** A grey-level size zone: a 26-connected set of ROI voxels sharing one grey level. */
export interface Zone {
  level: number;
  size: number;
}

/** The zones of the GLSZM (26-connectivity, as pyradiomics' 3-D region growing over all 13 ± angles). */
export function sizeZones(levels: Int32Array, shape: Shape3): Zone[] {
  const [, h, w] = shape;
  const seen = new Uint8Array(levels.length);
  const stack = new Int32Array(levels.length);
  const zones: Zone[] = [];
  for (let start = 0; start < levels.length; start++) {
    const level = levels[start]!;
    if (level === 0 || seen[start] === 1) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let size = 0;
    while (top > 0) {
      const v = stack[--top]!;
      size++;
      const x = v % w;
      const y = Math.floor(v / w) % h;
      const z = Math.floor(v / (w * h));
      forEachNeighbour(shape, z, y, x, NEIGHBOURS_26, (j) => {
        if (seen[j] === 0 && levels[j] === level) {
          seen[j] = 1;
          stack[top++] = j;
        }
      });
    }
    zones.push({ level, size });
  }
  return zones;
}

/**
 * GLSZM grey-level variance: p(i, j) = P(i, j)/N_z over zones, μ = Σ p(i, j)·i,
 * GLV = Σ p(i, j)(i − μ)² — i.e. the population variance of the zones' grey levels.
 */
export function glszmGrayLevelVariance(levels: Int32Array, shape: Shape3): number {
  const zones = sizeZones(levels, shape);
  if (zones.length === 0) return NaN;
  const mu = zones.reduce((s, z) => s + z.level, 0) / zones.length;
  return zones.reduce((s, z) => s + (z.level - mu) ** 2, 0) / zones.length;
}

/** GLSZM low grey-level zone emphasis: LGLZE = (1/N_z) Σ_i Σ_j P(i, j)/i². */
export function glszmLowGrayLevelZoneEmphasis(levels: Int32Array, shape: Shape3): number {
  const zones = sizeZones(levels, shape);
  if (zones.length === 0) return NaN;
  return zones.reduce((s, z) => s + 1 / (z.level * z.level), 0) / zones.length;
}

/** One NGTDM row: n_i voxels of grey level i, s_i = Σ |i − Ā| over them. */
export interface NgtdmRow {
  level: number;
  n: number;
  s: number;
}

/**
 * The NGTDM with distance 1 in 3-D: Ā of a ROI voxel is the mean grey level of its 26 neighbours that
 * lie in the ROI (centre excluded). As pyradiomics' C implementation (cmatrices.c `calculate_ngtdm`,
 * every version): a voxel without ROI neighbours still counts in n_i, with |i − Ā| taken as 0 (the
 * docstring's N_vp "voxels with at least one neighbour" is not what the code does).
 */
export function ngtdm(levels: Int32Array, shape: Shape3): NgtdmRow[] {
  const [d, h, w] = shape;
  const rows = new Map<number, NgtdmRow>();
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const gi = levels[(z * h + y) * w + x]!;
        if (gi === 0) continue;
        let sum = 0;
        let count = 0;
        forEachNeighbour(shape, z, y, x, NEIGHBOURS_26, (j) => {
          if (levels[j]! > 0) {
            sum += levels[j]!;
            count++;
          }
        });
        const row = rows.get(gi) ?? { level: gi, n: 0, s: 0 };
        row.n++;
        row.s += count === 0 ? 0 : Math.abs(gi - sum / count);
        rows.set(gi, row);
      }
  return [...rows.values()].sort((a, b) => a.level - b.level);
}

/**
 * NGTDM busyness = Σ_i p_i s_i / Σ_i Σ_j |i·p_i − j·p_j| over levels present, p_i = n_i / Σ n;
 * 0 when the denominator is 0 (a single grey level), as pyradiomics.
 */
export function ngtdmBusyness(levels: Int32Array, shape: Shape3): number {
  const rows = ngtdm(levels, shape);
  if (rows.length === 0) return NaN;
  const nv = rows.reduce((s, r) => s + r.n, 0);
  let num = 0;
  let den = 0;
  for (const a of rows) {
    num += (a.n / nv) * a.s;
    for (const b of rows) den += Math.abs((a.level * a.n) / nv - (b.level * b.n) / nv);
  }
  return den === 0 ? 0 : num / den;
}
