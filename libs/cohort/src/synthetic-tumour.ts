import type { Rng } from '@spottune/random';
import type { Shape3 } from './volume.ts';

/** The real UPENN-GBM volume shape and the reference crop window (§2.3), in (D, H, W). */
export const REAL_SHAPE: Shape3 = [155, 240, 240];
const REAL_WINDOW: readonly (readonly [number, number])[] = [
  [0, 140],
  [39, 211],
  [44, 208],
];

/** Segmentation labels of UPENN-GBM's automated_approx_segm. */
export const SEGMENT = { necrosis: 1, oedema: 2, enhancing: 4 } as const;

interface Blob {
  centre: [number, number, number];
  /** Semi-axes in voxels. */
  axes: [number, number, number];
  /** Low-frequency boundary wobble. */
  wobble: [number, number, number, number];
}

/** One synthetic tumour: nested blobs (oedema ⊃ enhancing ⊃ necrosis) inside the crop window. */
export interface TumourGeometry {
  oedema: Blob;
  enhancing: Blob;
  necrosis: Blob;
  /** Bounding box [lo, hi) per axis of the oedema. */
  box: [number, number][];
}

/** The reference crop window scaled to `shape` (identical to it at the real shape). */
export function cropWindow(shape: Shape3): [number, number][] {
  return REAL_WINDOW.map(([lo, hi], a) => [
    Math.floor((lo * shape[a]!) / REAL_SHAPE[a]!),
    Math.max(
      Math.floor((hi * shape[a]!) / REAL_SHAPE[a]!),
      Math.floor((lo * shape[a]!) / REAL_SHAPE[a]!) + 1,
    ),
  ]);
}

/**
 * A random tumour whose size and position do not depend on the label (only the intensities do), so
 * that geometry never leaks the class. Sizes scale with the crop window.
 */
export function randomTumour(shape: Shape3, rng: Rng): TumourGeometry {
  const window = cropWindow(shape);
  const extent = Math.min(...window.map(([lo, hi]) => hi - lo));
  const rOedema = Math.max(1.5, extent * (0.12 + 0.1 * rng.uniform()));
  const blob = (centre: [number, number, number], r: number): Blob => ({
    centre,
    axes: [0, 1, 2].map(() => r * (0.8 + 0.4 * rng.uniform())) as [number, number, number],
    wobble: [rng.uniform() * 6.28, rng.uniform() * 6.28, 1 + rng.int(3), 1 + rng.int(3)],
  });
  const margin = rOedema * 1.35;
  const centre = window.map(([lo, hi]) => {
    const a = lo + margin;
    const b = hi - 1 - margin;
    return a < b ? a + (b - a) * rng.uniform() : (lo + hi - 1) / 2;
  }) as [number, number, number];
  const oedema = blob(centre, rOedema);
  const rEnh = rOedema * (0.45 + 0.2 * rng.uniform());
  const shift = (r: number): [number, number, number] =>
    centre.map((c) => c + (rng.uniform() - 0.5) * 0.3 * r) as [number, number, number];
  const enhancing = blob(shift(rOedema), rEnh);
  const necrosis = blob(enhancing.centre, rEnh * (0.4 + 0.3 * rng.uniform()));
  const box = centre.map((c, a) => [
    Math.max(0, Math.floor(c - margin)),
    Math.min(shape[a]!, Math.ceil(c + margin) + 1),
  ]) as [number, number][];
  return { oedema, enhancing, necrosis, box };
}

function inside(blob: Blob, d: number, h: number, w: number): boolean {
  const z = (d - blob.centre[0]) / blob.axes[0];
  const y = (h - blob.centre[1]) / blob.axes[1];
  const x = (w - blob.centre[2]) / blob.axes[2];
  const q = Math.sqrt(z * z + y * y + x * x);
  const [p1, p2, k1, k2] = blob.wobble;
  return q <= 1 + 0.15 * Math.sin(k1 * z * 2 + p1) * Math.cos(k2 * y * 2 + p2);
}

/** The label map (0 background, 1 necrosis, 2 oedema, 4 enhancing) of a tumour. */
export function segmentTumour(shape: Shape3, tumour: TumourGeometry): Uint8Array {
  const [, H, W] = shape;
  const seg = new Uint8Array(shape[0] * H * W);
  const [[d0, d1], [h0, h1], [w0, w1]] = tumour.box as [[number, number], [number, number], [number, number]];
  for (let d = d0; d < d1; d++)
    for (let h = h0; h < h1; h++)
      for (let w = w0; w < w1; w++) {
        let label = 0;
        if (inside(tumour.necrosis, d, h, w)) label = SEGMENT.necrosis;
        else if (inside(tumour.enhancing, d, h, w)) label = SEGMENT.enhancing;
        else if (inside(tumour.oedema, d, h, w)) label = SEGMENT.oedema;
        seg[(d * H + h) * W + w] = label;
      }
  return seg;
}
