import { ValidationError } from '@spottune/errors';

/** (D, H, W), the reference's SimpleITK axis order (z, y, x). */
export type Shape3 = readonly [number, number, number];

/** One single-channel volume, C-order: index = (d·H + h)·W + w. */
export interface Volume3 {
  data: Float32Array;
  shape: Shape3;
}

export function voxelCount(shape: Shape3): number {
  return shape[0] * shape[1] * shape[2];
}

export function checkVolume(volume: Volume3, what = 'volume'): void {
  const [d, h, w] = volume.shape;
  if (![d, h, w].every((n) => Number.isInteger(n) && n > 0)) {
    throw new ValidationError(`${what}: shape ${volume.shape.join('×')} is not three positive integers`);
  }
  if (volume.data.length !== d * h * w) {
    throw new ValidationError(`${what}: ${volume.data.length} values do not fill shape ${d}×${h}×${w}`);
  }
}
