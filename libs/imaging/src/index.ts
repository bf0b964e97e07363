// Public API of @spottune/imaging: NIfTI and .npy I/O and the reference preprocessing.
export { readNifti, readNiftiSync } from './nifti/nifti-reader.ts';
export { NiftiError } from './nifti/nifti-error.ts';
export type { NiftiVolume, NiftiPrecision, ReadNiftiOptions } from './nifti/nifti-volume.ts';
export type { NiftiDatatype } from './nifti/nifti-datatypes.ts';
export type { Affine } from './nifti/nifti-affine.ts';
export { readNpy, writeNpy } from './npy/npy.ts';
export type { NpyArray, NpyData } from './npy/npy.ts';
export { NpyError } from './npy/npy-error.ts';
