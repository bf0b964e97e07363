import { DataError, ValidationError } from '@spottune/errors';
import { blurPoolAxis } from './blur-pool.ts';
import { gaussianKernel1d } from './gaussian.ts';
import { EmptyMaskError } from './preprocess-errors.ts';

/**
 * Changes whenever the bytes preprocessVolume produces for the same input and options could change;
 * stored volumes are keyed on it (with the resolved options), so bump it with any numerical change.
 */
export const PREPROCESSING_VERSION = 'ref-2.3-v1';

export type Window3 = [[number, number], [number, number], [number, number]];
export type Shape3 = [number, number, number];

export interface PreprocessOptions {
  /** Half-open [start, end) per axis in (D, H, W) = (z, y, x). Default the reference's [[0,140],[39,211],[44,208]]. */
  crop?: Window3;
  /** Zero-padded output shape (D, H, W). Default [70, 86, 86]. */
  targetShape?: Shape3;
  /** Anti-aliasing Gaussian σ in voxels (default 0.5 = skimage's (1/scale − 1)/2 for scale 0.5). */
  sigma?: number;
  /** Which mask voxels keep the image: any label > 0 (default; necrosis ∪ oedema ∪ enhancing) or a label list. */
  maskLabels?: 'whole-tumour' | number[];
}

export interface VolumeInput {
  data: ArrayLike<number>;
  shape: readonly number[];
}

const DEFAULTS: Required<PreprocessOptions> = {
  crop: [
    [0, 140],
    [39, 211],
    [44, 208],
  ],
  targetShape: [70, 86, 86],
  sigma: 0.5,
  maskLabels: 'whole-tumour',
};
export const DEFAULT_PREPROCESS_OPTIONS: Readonly<Required<PreprocessOptions>> = Object.freeze(DEFAULTS);

/** Options with defaults filled in: what a stored volume's key should record next to the version. */
export function resolvePreprocessOptions(options: PreprocessOptions = {}): Required<PreprocessOptions> {
  return { ...DEFAULT_PREPROCESS_OPTIONS, ...options } as Required<PreprocessOptions>;
}

/**
 * The reference's per-volume preprocessing (reference-pipeline §2.3, `convert_image_data_mod`):
 * mask (whole tumour) → crop → Gaussian σ 0.5 (scipy mirror, truncate 4) → 2×2×2 mean (skimage
 * `rescale(·, 0.5)` for even sizes) → min–max over the un-padded volume → zero-pad to targetShape
 * (⌊d/2⌋ before, ⌈d/2⌉ after) → float32. Computed in float64. The reference's final clip to the
 * filtered range is omitted: a mean of values never leaves their range, so it is the identity.
 * Odd cropped sizes pool with floor(n/2) outputs (the trailing voxel only acts through the blur);
 * skimage would interpolate instead, so keep crops even for reference-exact output.
 */
export function preprocessVolume(
  image: VolumeInput,
  mask: VolumeInput,
  options: PreprocessOptions = {},
): { data: Float32Array; shape: Shape3 } {
  const opts = resolvePreprocessOptions(options);
  const shape = checkInputs(image, mask);
  const crop = checkCrop(opts.crop, shape);
  const cropped = maskAndCrop(image.data, mask.data, shape, crop, opts.maskLabels);
  const kernel = gaussianKernel1d(opts.sigma, 4);
  let vol = { data: cropped.data, shape: cropped.shape };
  for (const axis of [2, 1, 0] as const) vol = blurPoolAxis(vol.data, vol.shape, axis, kernel);
  const target = checkTarget(opts.targetShape, vol.shape);
  normaliseInPlace(vol.data);
  return { data: pad(vol.data, vol.shape, target), shape: target };
}

function checkInputs(image: VolumeInput, mask: VolumeInput): Shape3 {
  if (image.shape.length !== 3) {
    throw new DataError(`preprocessVolume: image must be 3-D (D,H,W), got shape [${image.shape.join(', ')}]`);
  }
  if (mask.shape.length !== image.shape.length || mask.shape.some((d, k) => d !== image.shape[k])) {
    throw new DataError(
      `preprocessVolume: mask shape [${mask.shape.join(', ')}] does not match image shape [${image.shape.join(', ')}]`,
    );
  }
  const shape = [...image.shape] as Shape3;
  const count = shape[0] * shape[1] * shape[2];
  if (image.data.length !== count || mask.data.length !== count) {
    throw new DataError(
      `preprocessVolume: shape [${shape.join(', ')}] needs ${count} values; image has ${image.data.length}, mask ${mask.data.length}`,
    );
  }
  return shape;
}

function checkCrop(crop: Window3, shape: Shape3): Window3 {
  crop.forEach(([a, b], k) => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b - a < 2) {
      throw new ValidationError(
        `preprocess: crop axis ${k} [${a}, ${b}) must be integers with 0 ≤ start and end − start ≥ 2`,
      );
    }
    if (b > shape[k as 0 | 1 | 2]) {
      throw new DataError(
        `preprocess: crop axis ${k} [${a}, ${b}) exceeds the volume's size ${shape[k as 0 | 1 | 2]} (shape [${shape.join(', ')}])`,
      );
    }
  });
  return crop;
}

function checkTarget(target: Shape3, pooled: Shape3): Shape3 {
  target.forEach((t, k) => {
    if (!Number.isInteger(t) || t < (pooled[k as 0 | 1 | 2] ?? 0)) {
      throw new ValidationError(
        `preprocess: targetShape [${target.join(', ')}] is smaller than the downsampled crop [${pooled.join(', ')}] on axis ${k}`,
      );
    }
  });
  return [...target];
}

function maskAndCrop(
  image: ArrayLike<number>,
  mask: ArrayLike<number>,
  shape: Shape3,
  crop: Window3,
  labels: 'whole-tumour' | number[],
): { data: Float64Array; shape: Shape3 } {
  const [[z0, z1], [y0, y1], [x0, x1]] = crop;
  const [, H, W] = shape;
  const out: Shape3 = [z1 - z0, y1 - y0, x1 - x0];
  const data = new Float64Array(out[0] * out[1] * out[2]);
  const labelSet = labels === 'whole-tumour' ? undefined : new Set(labels);
  let kept = 0;
  let o = 0;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      const row = (z * H + y) * W;
      for (let x = x0; x < x1; x++, o++) {
        const m = mask[row + x] as number;
        if (labelSet === undefined ? m > 0 : labelSet.has(m)) {
          data[o] = image[row + x] as number;
          kept++;
        }
      }
    }
  }
  if (kept === 0) {
    const which =
      labels === 'whole-tumour'
        ? 'no mask voxel > 0'
        : `no mask voxel with a label in [${labels.join(', ')}]`;
    throw new EmptyMaskError(
      `preprocess: empty mask: ${which} inside the crop window [${crop.map(([a, b]) => `${a}:${b}`).join(', ')}]`,
    );
  }
  return { data, shape: out };
}

function normaliseInPlace(data: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new DataError('preprocess: the masked image holds non-finite values (NaN or ±Infinity)');
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) {
    throw new EmptyMaskError(
      `preprocess: the masked, downsampled image is constant (${min}); min–max normalisation is undefined`,
    );
  }
  const scale = max - min;
  for (let i = 0; i < data.length; i++) data[i] = ((data[i] as number) - min) / scale;
}

function pad(data: Float64Array, shape: Shape3, target: Shape3): Float32Array {
  const [d, h, w] = shape;
  const [D, H, W] = target;
  const [bz, by, bx] = [Math.floor((D - d) / 2), Math.floor((H - h) / 2), Math.floor((W - w) / 2)];
  const out = new Float32Array(D * H * W);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const src = (z * h + y) * w;
      const dst = ((z + bz) * H + (y + by)) * W + bx;
      for (let x = 0; x < w; x++) out[dst + x] = data[src + x] as number;
    }
  }
  return out;
}
