// Public API of @spottune/imaging: NIfTI and .npy I/O and the reference preprocessing.
export { readNifti, readNiftiSync } from './nifti/nifti-reader.ts';
export { NiftiError } from './nifti/nifti-error.ts';
export type { NiftiVolume, NiftiPrecision, ReadNiftiOptions } from './nifti/nifti-volume.ts';
export type { NiftiDatatype } from './nifti/nifti-datatypes.ts';
export type { Affine } from './nifti/nifti-affine.ts';
export { readNpy, writeNpy } from './npy/npy.ts';
export type { NpyArray, NpyData } from './npy/npy.ts';
export { NpyError } from './npy/npy-error.ts';
export {
  preprocessVolume,
  resolvePreprocessOptions,
  DEFAULT_PREPROCESS_OPTIONS,
  PREPROCESSING_VERSION,
} from './preprocess/preprocess-volume.ts';
export type { PreprocessOptions, VolumeInput, Shape3, Window3 } from './preprocess/preprocess-volume.ts';
export { EmptyMaskError } from './preprocess/preprocess-errors.ts';
export { gaussianKernel1d, gaussianFilter3d, mirrorIndex } from './preprocess/gaussian.ts';
export { tumourPhantom } from './preprocess/phantom.ts';
export { writeNifti } from './nifti/nifti-writer.ts';
export type { WritableVolume, WriteNiftiOptions } from './nifti/nifti-writer.ts';
