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
