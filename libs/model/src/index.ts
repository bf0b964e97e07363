export {
  DEFAULT_WIDTHS,
  blockCount,
  describeBlocks,
  featureWidth,
  type BackboneConfig,
  type BlockDesc,
  type Depth,
  type ParamSpec,
  type Shape3,
  type Widths,
} from './architecture.ts';
export { defineNetwork, type NamedSpec, type NetworkDef, type NetworkOptions } from './network.ts';
export {
  ParameterStore,
  createParameterStore,
  type LoadReport,
  type ParameterInfo,
  type ParameterSource,
  type StoreEntry,
} from './parameter-store.ts';
export {
  corrected,
  defaultTrainSettings,
  faithful,
  validateTrainSettings,
  type FaithfulFlags,
  type NetworkKind,
  type TrainSettings,
} from './settings.ts';
export { formatSummary, summarizeModel, type ModelSummary, type SummaryOptions } from './summary.ts';
export * from './weights/index.ts';
export { Model, toBatch, type ForwardOptions, type ForwardResult, type VolumeSample } from './model.ts';
export { gumbelNoise, gumbelSoftmaxHard, samplePolicy } from './gumbel.ts';
export { bceWithLogits, bceWithLogitsValue, sigmoid } from './loss.ts';
export { Adam, type AdamOptions, type AdamState } from './adam.ts';
export { ReduceLROnPlateau, type PlateauOptions, type PlateauState } from './plateau.ts';
export { CheckpointSelector, type SelectorState } from './selection.ts';
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.ts';
export { predictSamples, type PredictOptions, type PredictOutput } from './predict.ts';
export { trainModel } from './train.ts';
export type {
  BatchProgress,
  EpochReport,
  MetricSet,
  Prediction,
  TrainData,
  TrainHooks,
  TrainLogger,
  TrainResult,
  TrainSample,
} from './train-types.ts';
export {
  describeCompute,
  initBackend,
  nativeBlasInfo,
  setNativeBlas,
  type BackendChoice,
  type BackendName,
  type NativeOptions,
} from './ops/index.ts';
export * from './weights/index.ts';
