import { createHash } from 'node:crypto';
import { PREPROCESSING_VERSION, resolvePreprocessOptions, type PreprocessOptions } from '@spottune/imaging';
import { cropWindow, REAL_SHAPE } from './synthetic-tumour.ts';
import type { Shape3 } from './volume.ts';

/**
 * Preprocessing options for a volume shape: the reference's (crop 140×172×164 → 70×86×86) at the real
 * 155×240×240, otherwise the same crop window scaled to the shape (even extents, so the 2× pooling is
 * exact) and the same padding rule (the last axis padded to the second's size).
 */
export function preprocessOptionsForShape(shape: Shape3): PreprocessOptions {
  if (shape.every((n, a) => n === REAL_SHAPE[a])) return {};
  const crop = cropWindow(shape).map(([lo, hi], a) => {
    let end = hi;
    if ((end - lo) % 2 === 1) end = end < shape[a]! ? end + 1 : end - 1;
    if (end - lo < 2) end = Math.min(shape[a]!, lo + 2);
    return [lo, end] as [number, number];
  }) as [[number, number], [number, number], [number, number]];
  const pooled = crop.map(([lo, hi]) => Math.floor((hi - lo) / 2));
  const targetShape: [number, number, number] = [pooled[0]!, pooled[1]!, Math.max(pooled[1]!, pooled[2]!)];
  return { crop, targetShape };
}

/**
 * The version recorded with a stored volume: PREPROCESSING_VERSION for the reference options, else that
 * version plus a hash of the resolved options, so volumes made with different settings never mix.
 */
export function preprocessingVersionOf(options: PreprocessOptions): string {
  const resolved = JSON.stringify(resolvePreprocessOptions(options));
  const reference = JSON.stringify(resolvePreprocessOptions({}));
  if (resolved === reference) return PREPROCESSING_VERSION;
  return `${PREPROCESSING_VERSION}-o${createHash('sha256').update(resolved).digest('hex').slice(0, 10)}`;
}
