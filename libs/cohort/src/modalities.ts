/**
 * The 11 UPENN-GBM derivatives and their modality groups, in the reference's channel order
 * (reference-pipeline §2.3: struct = [T2, FLAIR, T1, T1GD], DTI = [AD, FA, RD, TR], DSC = [ap-rCBV, PH, PSR]).
 */
export const DERIVATIVES = [
  'T1',
  'T1GD',
  'T2',
  'FLAIR',
  'DTI_AD',
  'DTI_FA',
  'DTI_RD',
  'DTI_TR',
  'DSC_ap-rCBV',
  'DSC_PH',
  'DSC_PSR',
] as const;

export type Derivative = (typeof DERIVATIVES)[number];

export type ModalityGroup = 'Struct' | 'DTI' | 'DSC';

export const MODALITY_GROUP_NAMES: readonly ModalityGroup[] = ['DSC', 'DTI', 'Struct'];

export const MODALITY_GROUPS: Readonly<Record<ModalityGroup, readonly Derivative[]>> = {
  Struct: ['T2', 'FLAIR', 'T1', 'T1GD'],
  DTI: ['DTI_AD', 'DTI_FA', 'DTI_RD', 'DTI_TR'],
  DSC: ['DSC_ap-rCBV', 'DSC_PH', 'DSC_PSR'],
};

/** The unions of groups ensembled in the paper (Table 3), named as in the reference notebooks. */
export const GROUP_UNIONS: Readonly<Record<string, readonly ModalityGroup[]>> = {
  'DSC+DTI': ['DSC', 'DTI'],
  'DSC+Struct': ['DSC', 'Struct'],
  'DTI+Struct': ['DTI', 'Struct'],
  'DSC+DTI+Struct': ['DSC', 'DTI', 'Struct'],
};

/** The derivatives of a union name such as `DSC+DTI` (or a single group name), group by group. */
export function derivativesOf(union: string): Derivative[] {
  const groups = GROUP_UNIONS[union] ?? (isModalityGroup(union) ? [union] : undefined);
  if (groups === undefined) throw new RangeError(`unknown modality group or union: ${union}`);
  return groups.flatMap((g) => [...MODALITY_GROUPS[g]]);
}

export function isDerivative(name: string): name is Derivative {
  return (DERIVATIVES as readonly string[]).includes(name);
}

export function isModalityGroup(name: string): name is ModalityGroup {
  return name === 'Struct' || name === 'DTI' || name === 'DSC';
}

/** The group a derivative belongs to. */
export function groupOf(derivative: Derivative): ModalityGroup {
  if (derivative.startsWith('DTI_')) return 'DTI';
  if (derivative.startsWith('DSC_')) return 'DSC';
  return 'Struct';
}

/** The UPENN-GBM image folder of each group (TCIA naming). */
export const GROUP_FOLDERS: Readonly<Record<ModalityGroup, string>> = {
  Struct: 'images_structural',
  DTI: 'images_DTI',
  DSC: 'images_DSC',
};

/** `<ID>_<derivative>.nii.gz`, the TCIA file name of a derivative. */
export function derivativeFileName(scanId: string, derivative: Derivative): string {
  return `${scanId}_${derivative}.nii.gz`;
}

/** Relative path of a derivative inside the UPENN-GBM root. */
export function derivativePath(scanId: string, derivative: Derivative): string {
  return `${GROUP_FOLDERS[groupOf(derivative)]}/${scanId}/${derivativeFileName(scanId, derivative)}`;
}

/** Relative path of the automated segmentation (labels 1 necrotic core, 2 oedema, 4 enhancing). */
export function automatedSegmentationPath(scanId: string): string {
  return `automated_segm/${scanId}_automated_approx_segm.nii.gz`;
}

/** Relative path of the optional manual segmentation. */
export function manualSegmentationPath(scanId: string): string {
  return `images_segm/${scanId}_segm.nii.gz`;
}

/** Where the clinical CSV lives in a TCIA download. */
export const CLINICAL_CSV_PATH = 'csvs/UPENN-GBM_clinical_info_v1.0.csv';
