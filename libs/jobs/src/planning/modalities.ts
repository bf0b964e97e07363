/**
 * The UPENN-GBM derivative volumes per modality group (reference §8). A trial trains on one
 * derivative; groups and unions of groups ("DSC+DTI") expand to their derivatives.
 */
export const DERIVATIVES_BY_GROUP = {
  DSC: ['DSC_ap-rCBV', 'DSC_PH', 'DSC_PSR'],
  DTI: ['DTI_AD', 'DTI_FA', 'DTI_RD', 'DTI_TR'],
  Struct: ['T1', 'T1GD', 'T2', 'FLAIR'],
} as const;

export type ModalityGroup = keyof typeof DERIVATIVES_BY_GROUP;
export const MODALITY_GROUP_NAMES = Object.keys(DERIVATIVES_BY_GROUP) as ModalityGroup[];
export const ALL_DERIVATIVES: readonly string[] = Object.values(DERIVATIVES_BY_GROUP).flat();

/** The group a derivative belongs to, or undefined for an unknown name. */
export function groupOfDerivative(derivative: string): ModalityGroup | undefined {
  return MODALITY_GROUP_NAMES.find((g) =>
    (DERIVATIVES_BY_GROUP[g] as readonly string[]).includes(derivative),
  );
}

/** "DSC+DTI" → ['DSC', 'DTI']; undefined when any part is not a group. */
export function parseGroupUnion(name: string): ModalityGroup[] | undefined {
  const parts = name.split('+').map((p) => p.trim());
  if (parts.some((p) => !(MODALITY_GROUP_NAMES as string[]).includes(p))) return undefined;
  return [...new Set(parts as ModalityGroup[])];
}
