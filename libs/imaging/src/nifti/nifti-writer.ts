import { gzipSync } from 'node:zlib';
import { DataError, ValidationError } from '@spottune/errors';
import { affineToQform } from './affine-to-qform.ts';
import { DATATYPE_CODES } from './nifti-datatypes.ts';

export interface WritableVolume {
  data: ArrayLike<number>;
  /** (D, H, W) or (T, D, H, W): C-order, last axis fastest, as NiftiVolume.shape. */
  shape: number[];
  /** 4×4 voxel→world affine (file-order voxel indices). Sets sform and qform (code 1, scanner). */
  affine?: number[][];
  /** pixdim in file order (x, y, z[, t]) as NiftiVolume.pixdim; x/y/z are taken from the affine when given. */
  pixdim?: number[];
}

export interface WriteNiftiOptions {
  datatype: 'float32' | 'int16' | 'uint8';
  gzip?: boolean;
  /** Stored raw = (value − sclInter) / sclSlope; readers apply value = raw · slope + inter. */
  sclSlope?: number;
  sclInter?: number;
}

const HEADER_BYTES = 348;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const VOX_OFFSET = 352;
const RANGES = { int16: [-32768, 32767], uint8: [0, 255] } as const;

/**
 * Encodes a volume as a single-file NIfTI-1 (little-endian, vox_offset 352, no extensions). Integer
 * datatypes round to nearest; a value outside the datatype's range or a non-finite value is a DataError
 * rather than a silent clamp. Without an affine both codes are 0 (readers fall back to pixdim).
 */
export function writeNifti(volume: WritableVolume, options: WriteNiftiOptions): Uint8Array {
  const { shape, data } = volume;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new ValidationError(`writeNifti: shape must be (D,H,W) or (T,D,H,W), got [${shape.join(', ')}]`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1 || d > 32767) {
      throw new ValidationError(
        `writeNifti: every dimension must be an integer in 1..32767, got [${shape.join(', ')}]`,
      );
    }
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new ValidationError(
      `writeNifti: data has ${data.length} values, shape [${shape.join(', ')}] needs ${count}`,
    );
  }
  const slope = options.sclSlope ?? 1;
  const inter = options.sclInter ?? 0;
  if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(inter)) {
    throw new ValidationError(
      `writeNifti: sclSlope must be finite and non-zero, sclInter finite (got ${slope}, ${inter})`,
    );
  }
  const dims = [...shape].reverse();
  const bytesPer = options.datatype === 'float32' ? 4 : options.datatype === 'int16' ? 2 : 1;
  const out = new Uint8Array(VOX_OFFSET + count * bytesPer);
  const view = new DataView(out.buffer);
  writeHeader(view, volume, dims, options.datatype, bytesPer * 8, slope, inter);
  encodeData(view, data, options.datatype, slope, inter);
  if (!HOST_LITTLE_ENDIAN) swapToLittleEndian(out.subarray(VOX_OFFSET), bytesPer);
  return options.gzip === true ? new Uint8Array(gzipSync(out)) : out;
}

function writeHeader(
  view: DataView,
  volume: WritableVolume,
  dims: number[],
  datatype: WriteNiftiOptions['datatype'],
  bitpix: number,
  slope: number,
  inter: number,
): void {
  const le = true;
  view.setInt32(0, HEADER_BYTES, le);
  view.setUint8(38, 'r'.charCodeAt(0)); // "regular", as nibabel writes
  view.setInt16(40, dims.length, le);
  for (let k = 0; k < 7; k++) view.setInt16(42 + 2 * k, dims[k] ?? 1, le);
  view.setInt16(70, DATATYPE_CODES[datatype], le);
  view.setInt16(72, bitpix, le);
  const pixdim = [1, 1, 1, 1, 1, 1, 1, 1];
  (volume.pixdim ?? []).forEach((v, k) => {
    if (k < 7) pixdim[k + 1] = v;
  });
  const affine = volume.affine;
  if (affine !== undefined) {
    checkAffine(affine);
    const q = affineToQform(affine);
    pixdim[0] = q.qfac;
    [pixdim[1], pixdim[2], pixdim[3]] = q.zooms;
    view.setInt16(252, 1, le); // qform_code: scanner
    view.setInt16(254, 1, le); // sform_code: scanner
    q.quatern.forEach((v, k) => view.setFloat32(256 + 4 * k, v, le));
    q.qoffset.forEach((v, k) => view.setFloat32(268 + 4 * k, v, le));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) view.setFloat32(280 + 16 * i + 4 * j, affine[i]?.[j] ?? 0, le);
    }
  }
  pixdim.forEach((v, k) => view.setFloat32(76 + 4 * k, v, le));
  view.setFloat32(108, VOX_OFFSET, le);
  view.setFloat32(112, slope, le);
  view.setFloat32(116, inter, le);
  view.setUint8(123, dims.length === 4 ? 2 | 8 : 2); // mm, and seconds for a 4th axis
  const descrip = 'spottune';
  for (let k = 0; k < descrip.length; k++) view.setUint8(148 + k, descrip.charCodeAt(k));
  [0x6e, 0x2b, 0x31, 0].forEach((b, k) => view.setUint8(344 + k, b)); // "n+1\0"
}

function checkAffine(affine: number[][]): void {
  const ok =
    affine.length === 4 && affine.every((row) => row.length === 4 && row.every((v) => Number.isFinite(v)));
  if (!ok) throw new ValidationError('writeNifti: affine must be a 4×4 matrix of finite numbers');
}

function encodeData(
  view: DataView,
  data: ArrayLike<number>,
  datatype: WriteNiftiOptions['datatype'],
  slope: number,
  inter: number,
): void {
  const n = data.length;
  const identity = slope === 1 && inter === 0;
  if (datatype === 'float32') {
    const out = new Float32Array(view.buffer, VOX_OFFSET, n);
    for (let i = 0; i < n; i++)
      out[i] = identity ? (data[i] as number) : ((data[i] as number) - inter) / slope;
    return;
  }
  const [lo, hi] = RANGES[datatype];
  const out =
    datatype === 'int16'
      ? new Int16Array(view.buffer, VOX_OFFSET, n)
      : new Uint8Array(view.buffer, VOX_OFFSET, n);
  for (let i = 0; i < n; i++) {
    const v = data[i] as number;
    const raw = Math.round(identity ? v : (v - inter) / slope);
    if (!(raw >= lo && raw <= hi)) {
      throw new DataError(
        `writeNifti: value ${v} at index ${i} does not fit ${datatype} (raw ${raw}, range ${lo}..${hi}); pass sclSlope/sclInter or another datatype`,
      );
    }
    out[i] = raw;
  }
}

/** encodeData writes through host-order typed arrays; on a big-endian host flip them to little-endian. */
function swapToLittleEndian(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= b.length; i += size) b.subarray(i, i + size).reverse();
}
