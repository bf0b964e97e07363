import type { Rng } from '@spottune/random';
import { ValidationError } from '@spottune/errors';
import { checkVolume, type Volume3 } from './volume.ts';

export interface NoiseOptions {
  /** Standard deviation (reference: var 0.01, σ = 0.1). */
  sigma?: number;
  /**
   * Q6 fix: add noise only inside the tumour (voxels where `mask` is non-zero, by default where the
   * volume is non-zero), keeping the background and padding at 0. Default false = faithful.
   */
  insideMaskOnly?: boolean;
  mask?: Uint8Array;
}

/**
 * `skimage.util.random_noise(arr, mode='gaussian')`: i.i.d. N(0, σ²) per voxel, then clipped to
 * [0, 1] (to [−1, 1] when the input has negative values, as skimage does).
 */
export function noiseVolume(volume: Volume3, rng: Rng, options: NoiseOptions = {}): Volume3 {
  checkVolume(volume);
  const sigma = options.sigma ?? 0.1;
  const src = volume.data;
  const mask = options.mask;
  if (mask !== undefined && mask.length !== src.length) {
    throw new ValidationError(`noise: mask has ${mask.length} voxels, the volume ${src.length}`);
  }
  let low = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i]! < 0) {
      low = -1;
      break;
    }
  }
  const inside = options.insideMaskOnly === true;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (inside && (mask === undefined ? v === 0 : mask[i] === 0)) {
      out[i] = v;
      continue;
    }
    const noisy = v + rng.normal(0, sigma);
    out[i] = noisy < low ? low : noisy > 1 ? 1 : noisy;
  }
  return { data: out, shape: volume.shape };
}
