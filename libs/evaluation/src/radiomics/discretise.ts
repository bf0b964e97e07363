import { ValidationError } from '@spottune/errors';

export interface DiscretisationSettings {
  /** Fixed bin width (pyradiomics default 25, in the image's intensity units). */
  binWidth: number;
  /**
   * Lower edge of the first bin. Default (undefined): floor(min/binWidth)·binWidth over the ROI, as
   * pyradiomics' `minimum - (minimum % binWidth)` (Python's % floors, so this holds for negatives too).
   */
  binMinimum?: number;
}

/**
 * Fixed-bin-width discretisation of the ROI voxels as pyradiomics `binImage`: with edges
 * e_k = low + k·binWidth, numpy.digitize gives voxel value x the grey level floor((x − low)/binWidth) + 1
 * (so levels start at 1 for the bin holding the lowest ROI value when binMinimum is unset). Voxels
 * outside the ROI get 0. The grey-level values themselves enter GLSZM LGLZE (Σ P/i²), so the bin origin
 * is part of the feature's definition — hence configurable and part of the settings hash.
 */
export function discretiseFixedBinWidth(
  image: ArrayLike<number>,
  mask: Uint8Array,
  settings: DiscretisationSettings,
): Int32Array {
  const { binWidth } = settings;
  if (!(binWidth > 0) || !Number.isFinite(binWidth))
    throw new ValidationError(`radiomics: binWidth must be a positive number, got ${binWidth}`);
  let min = Infinity;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1 && image[i]! < min) min = image[i]!;
  const low = settings.binMinimum ?? Math.floor(min / binWidth) * binWidth;
  const levels = new Int32Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 1) continue;
    const level = Math.floor((image[i]! - low) / binWidth) + 1;
    if (level < 1)
      throw new ValidationError(`radiomics: value ${image[i]} lies below binMinimum ${settings.binMinimum}`);
    levels[i] = level;
  }
  return levels;
}
