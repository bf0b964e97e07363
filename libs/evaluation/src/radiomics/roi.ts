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

/**
 * The image and mask cropped to the mask's bounding box (as pyradiomics does before computing
 * textures). Exact for every feature here: voxels outside the ROI never contribute, so neither do
 * those outside its box. Returns undefined for an empty mask.
 */
export function cropToMask(
  image: ArrayLike<number>,
  mask: Uint8Array,
  shape: Shape3,
): { image: Float64Array; mask: Uint8Array; shape: Shape3 } | undefined {
  const [d, h, w] = shape;
  const lo = [d, h, w];
  const hi = [-1, -1, -1];
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (mask[(z * h + y) * w + x] === 1) {
          const c = [z, y, x];
          for (let k = 0; k < 3; k++) {
            if (c[k]! < lo[k]!) lo[k] = c[k]!;
            if (c[k]! > hi[k]!) hi[k] = c[k]!;
          }
        }
  if (hi[0]! < 0) return undefined;
  const cs = [hi[0]! - lo[0]! + 1, hi[1]! - lo[1]! + 1, hi[2]! - lo[2]! + 1] as const;
  const outImage = new Float64Array(cs[0] * cs[1] * cs[2]);
  const outMask = new Uint8Array(outImage.length);
  let k = 0;
  for (let z = lo[0]!; z <= hi[0]!; z++)
    for (let y = lo[1]!; y <= hi[1]!; y++)
      for (let x = lo[2]!; x <= hi[2]!; x++, k++) {
        const i = (z * h + y) * w + x;
        outImage[k] = image[i]!;
        outMask[k] = mask[i]!;
      }
  return { image: outImage, mask: outMask, shape: cs };
}
