// Public API of @spottune/cohort: the UPENN-GBM layout, splits, augmentation and class balance.
export {
  DERIVATIVES,
  MODALITY_GROUPS,
  MODALITY_GROUP_NAMES,
  GROUP_UNIONS,
  GROUP_FOLDERS,
  CLINICAL_CSV_PATH,
  derivativesOf,
  groupOf,
  isDerivative,
  isModalityGroup,
  derivativeFileName,
  derivativePath,
  automatedSegmentationPath,
  manualSegmentationPath,
} from './modalities.ts';
export type { Derivative, ModalityGroup } from './modalities.ts';
export { parseCsv, parseCsvRows, formatCsv, csvField } from './csv.ts';
export type { CsvRow, CsvTable } from './csv.ts';
export { localFileSource, objectStoreFileSource } from './file-source.ts';
export type { FileSource, ListingObjectStore } from './file-source.ts';
export { scanCohort, scanIdOf, patientKeyOf } from './scan-cohort.ts';
export type { CohortScan, ScannedPatient, Exclusion, ExclusionReason, MgmtLabel } from './scan-cohort.ts';
export {
  approximateMode,
  holdoutSizes,
  stratifiedHoldoutCounts,
  kfoldAllocation,
  stratifiedKFoldAssignment,
} from './sklearn-allocation.ts';
export { planSplits } from './plan-splits.ts';
export type { PlanSplitsOptions, SplitPlan, GroupSplit, LabelledPatient } from './plan-splits.ts';
export { exportSplitsCsv, importSplitsCsv } from './splits-csv.ts';
export type { SplitRow, ImportSplitsOptions, ImportedSplits } from './splits-csv.ts';
export type { Shape3, Volume3 } from './volume.ts';
export { flipVolume } from './augment-flip.ts';
export { rotateVolume, randomRotationAngle } from './augment-rotate.ts';
export type { RotateOptions } from './augment-rotate.ts';
export { noiseVolume } from './augment-noise.ts';
export type { NoiseOptions } from './augment-noise.ts';
export { deformVolume } from './augment-deform.ts';
export type { DeformOptions } from './augment-deform.ts';
export { balanceByPruning, classWeights } from './class-balance.ts';
export type { Labelled } from './class-balance.ts';
export { AUGMENTS, applyAugment, augmentRng, buildTrainingSet } from './training-set.ts';
export type {
  AugmentName,
  AugmentContext,
  TrainingPatient,
  TrainingSample,
  BuildTrainingSetOptions,
  TrainingSet,
} from './training-set.ts';
export { openCohortSource, defaultCohortName } from './cohort-source.ts';
export type { OpenedSource } from './cohort-source.ts';
export { preprocessOptionsForShape, preprocessingVersionOf } from './preprocess-settings.ts';
export { ingestScannedPatient, volumeKey } from './ingest-patient.ts';
export type { IngestDeps } from './ingest-patient.ts';
export { ingestCohort, ingestPatient } from './ingest-cohort.ts';
export type {
  IngestCohortOptions,
  IngestCohortResult,
  IngestPatientContext,
  IngestPatientPayload,
} from './ingest-cohort.ts';
export { summarizeIngest, formatCohortSummary } from './ingest-summary.ts';
export type { CohortSummary, PatientOutcome, VolumeOutcome } from './ingest-summary.ts';
export { REAL_SHAPE, SEGMENT, cropWindow, randomTumour, segmentTumour } from './synthetic-tumour.ts';
export type { TumourGeometry } from './synthetic-tumour.ts';
export { generateSyntheticCohort } from './synthetic-cohort.ts';
export type { SyntheticCohort, SyntheticCohortOptions, SyntheticPatient } from './synthetic-cohort.ts';
export { headMask, modalityDatatype, synthesizeModality } from './synthetic-intensity.ts';
