import { createHash } from 'node:crypto';
import { ValidationError } from '@spottune/errors';
import { discretiseFixedBinWidth } from './discretise.ts';
import { firstOrderEnergy, firstOrderSkewness } from './first-order.ts';
import { REGION_LABELS, cropToMask, regionMask, voxelCount } from './roi.ts';
import type { RegionName, Shape3 } from './roi.ts';
import {
  glcmContrast,
  glszmGrayLevelVariance,
  glszmLowGrayLevelZoneEmphasis,
  ngtdmBusyness,
} from './texture-features.ts';

export type RadiomicsModality = 'T1' | 'T1GD' | 'T2' | 'FLAIR';

export interface RadiomicsInput {
  T1: Float32Array;
  T1GD: Float32Array;
  T2: Float32Array;
  FLAIR: Float32Array;
  /** Segmentation labels (1 necrotic core, 2 oedema, 4 enhancing), same grid as the images. */
  mask: ArrayLike<number>;
  shape: Shape3;
}

export interface RadiomicsSettings {
  /** Fixed bin width for the texture features (pyradiomics default 25). */
  binWidth: number;
  /** First bin edge; default floor(min/binWidth)·binWidth per ROI (pyradiomics). */
  binMinimum?: number;
  /** Added to intensities before squaring in first-order energy (pyradiomics default 0). */
  voxelArrayShift: number;
}

export const DEFAULT_RADIOMICS_SETTINGS: RadiomicsSettings = { binWidth: 25, voxelArrayShift: 0 };

type FeatureKind = 'skewness' | 'energy' | 'glcmContrast' | 'glszmGlv' | 'glszmLglze' | 'ngtdmBusyness';

/** The 6 features of Li et al. 2018 as the paper lists them (reference-pipeline §10), in model order. */
export const RADIOMICS_FEATURES: readonly {
  name: string;
  modality: RadiomicsModality;
  region: RegionName;
  kind: FeatureKind;
}[] = [
  { name: 'T1_core_firstorder_Skewness', modality: 'T1', region: 'core', kind: 'skewness' },
  { name: 'T1_oedema_firstorder_Energy', modality: 'T1', region: 'oedema', kind: 'energy' },
  { name: 'FLAIR_necrotic_glcm_Contrast', modality: 'FLAIR', region: 'necrotic', kind: 'glcmContrast' },
  { name: 'T1GD_enhancing_glszm_GrayLevelVariance', modality: 'T1GD', region: 'enhancing', kind: 'glszmGlv' },
  { name: 'T2_oedema_glszm_LowGrayLevelZoneEmphasis', modality: 'T2', region: 'oedema', kind: 'glszmLglze' },
  { name: 'T2_core_ngtdm_Busyness', modality: 'T2', region: 'core', kind: 'ngtdmBusyness' },
];

export const RADIOMICS_FEATURE_NAMES: readonly string[] = RADIOMICS_FEATURES.map((f) => f.name);

/**
 * The 6 features for one patient, on the original-resolution volumes. A feature whose region is empty
 * (a tumour without necrosis, say) is NaN: pyradiomics refuses such a ROI, and the caller must leave the
 * patient out (the paper's radiomics test set has 54 patients, not the networks' 57 — plausibly this).
 */
export function extractRadiomicsFeatures(
  input: RadiomicsInput,
  settings: Partial<RadiomicsSettings> = {},
): Record<string, number> {
  const s = resolveRadiomicsSettings(settings);
  const n = voxelCount(input.shape);
  for (const key of ['T1', 'T1GD', 'T2', 'FLAIR', 'mask'] as const)
    if (input[key].length !== n)
      throw new ValidationError(
        `radiomics: ${key} has ${input[key].length} voxels, shape [${input.shape.join(', ')}] needs ${n}`,
      );
  const masks = new Map<RegionName, Uint8Array>();
  const maskFor = (region: RegionName): Uint8Array => {
    let m = masks.get(region);
    if (m === undefined) masks.set(region, (m = regionMask(input.mask, REGION_LABELS[region])));
    return m;
  };
  const out: Record<string, number> = {};
  for (const f of RADIOMICS_FEATURES) {
    const image = input[f.modality];
    const mask = maskFor(f.region);
    if (!mask.includes(1)) {
      out[f.name] = NaN;
      continue;
    }
    for (let i = 0; i < n; i++)
      if (mask[i] === 1 && !Number.isFinite(image[i]!))
        throw new ValidationError(`radiomics: ${f.modality} voxel ${i} in the ${f.region} is ${image[i]}`);
    if (f.kind === 'skewness') out[f.name] = firstOrderSkewness(image, mask);
    else if (f.kind === 'energy') out[f.name] = firstOrderEnergy(image, mask, s.voxelArrayShift);
    else {
      const cropped = cropToMask(image, mask, input.shape)!;
      const levels = discretiseFixedBinWidth(cropped.image, cropped.mask, s);
      const texture = {
        glcmContrast,
        glszmGlv: glszmGrayLevelVariance,
        glszmLglze: glszmLowGrayLevelZoneEmphasis,
        ngtdmBusyness,
      }[f.kind];
      out[f.name] = texture(levels, cropped.shape);
    }
  }
  return out;
}

export function resolveRadiomicsSettings(settings: Partial<RadiomicsSettings> = {}): RadiomicsSettings {
  const s = { ...DEFAULT_RADIOMICS_SETTINGS, ...settings };
  if (!(s.binWidth > 0)) throw new ValidationError(`radiomics: binWidth must be > 0, got ${s.binWidth}`);
  if (!Number.isFinite(s.voxelArrayShift))
    throw new ValidationError(`radiomics: voxelArrayShift must be finite, got ${s.voxelArrayShift}`);
  return s;
}

/**
 * sha256 over the resolved settings and the feature list (canonical JSON), so stored features can be
 * matched to the exact definition that produced them.
 */
export function radiomicsSettingsHash(settings: Partial<RadiomicsSettings> = {}): string {
  const s = resolveRadiomicsSettings(settings);
  const canonical = JSON.stringify({
    binWidth: s.binWidth,
    binMinimum: s.binMinimum ?? null,
    voxelArrayShift: s.voxelArrayShift,
    features: RADIOMICS_FEATURES,
    definitions: 'pyradiomics-3d-distance1-glcm13sym-glszm26-ngtdm26',
  });
  return createHash('sha256').update(canonical).digest('hex');
}
