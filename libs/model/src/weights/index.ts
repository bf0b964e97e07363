export { readTorchCheckpoint, type ReadCheckpointOptions } from './torch-checkpoint.ts';
export type { TorchDtype, TorchStateDict, TorchTensor, TorchTensorData } from './torch-tensor.ts';
export { PickleGlobalNotAllowedError } from './weights-errors.ts';
export {
  MEDICALNET_ARCHS,
  expectedMedicalNetTensors,
  parseArch,
  parseWidths,
  type ExpectedTensor,
  type MedicalNetArch,
} from './medicalnet-layout.ts';
export {
  checkMedicalNetStateDict,
  isQ14SkippedBlock,
  mapMedicalNetStateDict,
  type MapMedicalNetOptions,
  type NamedTensor,
} from './medicalnet-mapping.ts';
export { medicalNetSource } from './medicalnet-source.ts';
export {
  MANIFEST_FILE,
  WEIGHTS_FILE,
  importMedicalNetWeights,
  isDirectory as isWeightsDirectory,
  loadWeights,
  readWeightsManifest,
  type ImportWeightsOptions,
  type WeightsManifest,
} from './native-weights.ts';
export { medicalNetFeatures, type MedicalNetFeaturesOptions } from './medicalnet-features.ts';
