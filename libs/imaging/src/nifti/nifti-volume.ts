import type { Affine } from './nifti-affine.ts';
import type { NiftiDatatype } from './nifti-datatypes.ts';

/**
 * A NIfTI image in memory. `data` is C-order (last axis fastest) with `shape` = the file's dims
 * reversed — (z, y, x) = (D, H, W), or (t, z, y, x) for 4-D — which is exactly the file's x-fastest
 * layout, so no voxel moves. Values are scaled: data = raw · sclSlope + sclInter.
 */
export interface NiftiVolume {
  data: Float32Array | Float64Array;
  /** NIfTI axis order reversed: (D, H, W) for 3-D, (T, D, H, W) for 4-D. */
  shape: number[];
  /** dim[1..ndim] in file order, x first (what nibabel's `img.shape` reports). */
  dims: number[];
  /** Datatype of the stored voxels, before scaling. */
  datatype: NiftiDatatype;
  /** The scaling actually applied (nibabel: a zero or non-finite slope means none → 1 and 0). */
  sclSlope: number;
  sclInter: number;
  /** 4×4 voxel→world affine chosen as nibabel's `get_best_affine` does. */
  affine: Affine;
  /** pixdim[1..ndim] in file order after nibabel's fix-ups (what `get_zooms()` reports). */
  pixdim: number[];
  version: 1 | 2;
  littleEndian: boolean;
  /** The header's qform_code and sform_code after fix-ups (invalid codes read as 0). */
  qformCode: number;
  sformCode: number;
}

export type NiftiPrecision = 'float32' | 'float64';

export interface ReadNiftiOptions {
  /**
   * Element type of `data`. Default: float32 when every scaled value is exactly representable in it
   * (8/16-bit ints and float32 without scaling), float64 otherwise — never a silent precision loss.
   */
  precision?: NiftiPrecision;
  /** Name used in error messages when reading from bytes (default "<bytes>"). */
  name?: string;
}
