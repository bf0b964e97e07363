import { ValidationError } from '@spottune/errors';

/** Volume shape [depth, height, width] = (z, y, x); voxel (z, y, x) sits at index (z·H + y)·W + x. */
export type Shape3 = readonly [number, number, number];

/** BraTS/UPENN-GBM segmentation labels. */
export const SEGMENT_LABELS = { necrotic: 1, oedema: 2, enhancing: 4 } as const;

/** The regions of Li et al. 2018 as the paper names them; core = enhancing ∪ necrotic. */
export const REGION_LABELS = {
  necrotic: [1],
  oedema: [2],
  enhancing: [4],
  core: [1, 4],
} as const satisfies Record<string, readonly number[]>;
export type RegionName = keyof typeof REGION_LABELS;

export function voxelCount(shape: Shape3): number {
  const [d, h, w] = shape;
  for (const n of shape)
    if (!Number.isInteger(n) || n < 1)
      throw new ValidationError(`radiomics: invalid shape [${shape.join(', ')}]`);
  return d * h * w;
}

/** 1 where the segmentation label is one of `labels`. */
export function regionMask(segmentation: ArrayLike<number>, labels: readonly number[]): Uint8Array {
  const out = new Uint8Array(segmentation.length);
  for (let i = 0; i < segmentation.length; i++) out[i] = labels.includes(segmentation[i]!) ? 1 : 0;
  return out;
}

/**
 * The 13 unique neighbour offsets (dz, dy, dx) at Chebyshev distance 1 — one of each ± pair, the
 * first non-zero component positive (pyradiomics `generateAngles(distances=[1])`). Together with their
 * negatives they are the 26-neighbourhood.
 */
export const DIRECTIONS_13: readonly (readonly [number, number, number])[] = (() => {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const first = dz !== 0 ? dz : dy !== 0 ? dy : dx;
        if (first > 0) out.push([dz, dy, dx]);
      }
  return out;
})();

/** The 26 offsets around a voxel (centre excluded). */
export const NEIGHBOURS_26: readonly (readonly [number, number, number])[] = DIRECTIONS_13.flatMap(
  ([dz, dy, dx]) => [[dz, dy, dx] as const, [-dz, -dy, -dx] as const],
);

/**
 * Calls visit(j) for each in-bounds neighbour j of voxel (z, y, x) along `offsets`.
 */
export function forEachNeighbour(
  shape: Shape3,
  z: number,
  y: number,
  x: number,
  offsets: readonly (readonly [number, number, number])[],
  visit: (j: number) => void,
): void {
  const [d, h, w] = shape;
  for (const [dz, dy, dx] of offsets) {
    const nz = z + dz;
    const ny = y + dy;
    const nx = x + dx;
    if (nz < 0 || nz >= d || ny < 0 || ny >= h || nx < 0 || nx >= w) continue;
    visit((nz * h + ny) * w + nx);
  }
}
