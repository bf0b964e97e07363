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
