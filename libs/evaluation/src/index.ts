export {
  accuracy,
  auc,
  averagePrecision,
  binaryMetrics,
  confusionCounts,
  metricM,
  sensitivity,
  specificity,
  METRIC_NAMES,
} from './metrics/binary-metrics.ts';
export type { BinaryMetrics, ConfusionCounts, MetricName } from './metrics/binary-metrics.ts';
export { binaryClfCurve, prCurve, rocCurve } from './metrics/curves.ts';
export type { ClfCurveCounts, PrCurve, RocCurve } from './metrics/curves.ts';
export { bootstrapCi, bootstrapMetrics } from './bootstrap/bootstrap-ci.ts';
export type { BootstrapOptions, ConfidenceInterval, MetricFn } from './bootstrap/bootstrap-ci.ts';
export { friedmanTest } from './statistics/friedman-test.ts';
export type { FriedmanResult } from './statistics/friedman-test.ts';
export { nemenyiTest } from './statistics/nemenyi-test.ts';
export type { NemenyiResult } from './statistics/nemenyi-test.ts';
export {
  studentizedRangeCdf,
  studentizedRangeIsf,
  studentizedRangeSf,
} from './statistics/studentized-range.ts';
export { chiSquareSf, normalCdf, normalSf } from './statistics/special-functions.ts';
export { buildEnsembles } from './ensembles/build-ensembles.ts';
export { bestOverall, compareNetworks } from './ensembles/compare-networks.ts';
export type {
  BestOverallOptions,
  CompareOptions,
  ComparisonScope,
  NetworkComparison,
} from './ensembles/compare-networks.ts';
export type {
  Ensemble,
  EnsembleLevel,
  EnsembleMetrics,
  EnsembleOptions,
  EnsemblePrediction,
  PlannedTrial,
  TrialPrediction,
  TrialPredictions,
} from './ensembles/ensemble-types.ts';
export {
  DEFAULT_RADIOMICS_SETTINGS,
  RADIOMICS_FEATURES,
  RADIOMICS_FEATURE_NAMES,
  extractRadiomicsFeatures,
  radiomicsSettingsHash,
  resolveRadiomicsSettings,
} from './radiomics/extract-features.ts';
export type { RadiomicsInput, RadiomicsModality, RadiomicsSettings } from './radiomics/extract-features.ts';
export { discretiseFixedBinWidth } from './radiomics/discretise.ts';
export type { DiscretisationSettings } from './radiomics/discretise.ts';
export { firstOrderEnergy, firstOrderSkewness } from './radiomics/first-order.ts';
export {
  glcmContrast,
  glszmGrayLevelVariance,
  glszmLowGrayLevelZoneEmphasis,
  ngtdm,
  ngtdmBusyness,
  sizeZones,
} from './radiomics/texture-features.ts';
export type { NgtdmRow, Zone } from './radiomics/texture-features.ts';
export { REGION_LABELS, SEGMENT_LABELS, regionMask } from './radiomics/roi.ts';
export type { RegionName, Shape3 } from './radiomics/roi.ts';
export { RandomForestModel, trainRadiomicsForest } from './radiomics/random-forest.ts';
export type { RandomForestOptions, SerializedForest } from './radiomics/random-forest.ts';
export { radiomicsFeatureMatrix, runRadiomicsBaseline } from './radiomics/radiomics-baseline.ts';
export type {
  FeatureMatrix,
  RadiomicsBaselineResult,
  RadiomicsPatient,
} from './radiomics/radiomics-baseline.ts';
