import { readFile } from 'node:fs/promises';
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { NotFoundError, coerceError } from '@spottune/errors';
import { applyNibabelFixups, bestAffine } from './nifti-affine.ts';
import { fitsFloat32, lookupDatatype } from './nifti-datatypes.ts';
import type { NiftiDatatype } from './nifti-datatypes.ts';
import { NiftiError } from './nifti-error.ts';
import { NIFTI1_HEADER_BYTES, NIFTI2_HEADER_BYTES, parseNiftiHeader } from './nifti-header.ts';
import type { NiftiHeader } from './nifti-header.ts';
import type { NiftiVolume, ReadNiftiOptions } from './nifti-volume.ts';

const gunzipAsync = promisify(gunzip);

/** Reads a .nii or .nii.gz file (path) or its bytes. Bad input → NiftiError; a missing path → NotFoundError. */
export async function readNifti(
  source: string | Uint8Array,
  options: ReadNiftiOptions = {},
): Promise<NiftiVolume> {
  const name = options.name ?? (typeof source === 'string' ? source : '<bytes>');
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (e) {
      const err = coerceError(e);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new NotFoundError(`NIfTI file not found: ${source}`, { cause: err, details: { file: source } });
      }
      if (code === 'EISDIR') throw new NiftiError(source, 'is a directory, not a file', { cause: err });
      throw err;
    }
  } else {
    bytes = source;
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (e) {
      throw gzipError(name, e);
    }
  }
  return decodeNifti(bytes, { ...options, name });
}

/** Synchronous variant for bytes already in memory (.nii or .nii.gz). */
export function readNiftiSync(bytes: Uint8Array, options: ReadNiftiOptions = {}): NiftiVolume {
  const name = options.name ?? '<bytes>';
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw gzipError(name, e);
    }
  }
  return decodeNifti(raw, { ...options, name });
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gzipError(name: string, e: unknown): NiftiError {
  const err = coerceError(e);
  // zlib checks the CRC-32 and length trailer, so a flipped byte or a cut stream is caught here.
  return new NiftiError(name, `corrupt gzip stream (${err.message})`, { cause: err });
}

/** Decodes an uncompressed NIfTI-1/-2 byte buffer. */
function decodeNifti(bytes: Uint8Array, options: ReadNiftiOptions & { name: string }): NiftiVolume {
  const file = options.name;
  const header = applyNibabelFixups(parseNiftiHeader(bytes, file));
  const dims = checkDims(header, file);
  const dt = lookupDatatype(header.datatypeCode);
  if ('unsupported' in dt) {
    throw new NiftiError(
      file,
      `unsupported datatype ${dt.unsupported}; supported: uint8, int8, int16, uint16, int32, uint32, float32, float64`,
    );
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = checkOffset(header, file);
  const need = count * dt.bytes;
  if (offset > bytes.byteLength) {
    throw new NiftiError(
      file,
      `vox_offset ${offset} is beyond the end of the data (${bytes.byteLength} bytes)`,
    );
  }
  if (offset + need > bytes.byteLength) {
    throw new NiftiError(
      file,
      `truncated: dims ${dims.join('×')} × ${dt.bytes} bytes (${dt.name}) need ${need} bytes at offset ${offset}, only ${bytes.byteLength - offset} present`,
    );
  }
  const [slope, inter] = effectiveScaling(header, file);
  const identity = slope === 1 && inter === 0;
  const precision = options.precision ?? (identity && fitsFloat32(dt.name) ? 'float32' : 'float64');
  const data = precision === 'float32' ? new Float32Array(count) : new Float64Array(count);
  decodeVoxels(bytes, offset, dt.name, header.littleEndian, slope, inter, data);
  return {
    data,
    shape: [...dims].reverse(),
    dims,
    datatype: dt.name,
    sclSlope: slope,
    sclInter: inter,
    affine: bestAffine(header, file),
    pixdim: header.pixdim.slice(1, dims.length + 1),
    version: header.version,
    littleEndian: header.littleEndian,
    qformCode: header.qformCode,
    sformCode: header.sformCode,
  };
}

function checkDims(header: NiftiHeader, file: string): number[] {
  const ndim = header.dim[0] ?? 0;
  if (!Number.isInteger(ndim) || ndim < 1 || ndim > 7) {
    throw new NiftiError(file, `dim[0] = ${ndim}: the number of dimensions must be 1..7`);
  }
  const dims = header.dim.slice(1, ndim + 1);
  dims.forEach((d, k) => {
    if (d < 1) throw new NiftiError(file, `dim[${k + 1}] = ${d}: every dimension must be positive`);
  });
  const count = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * 8)) {
    throw new NiftiError(file, `dims ${dims.join('×')} describe an impossibly large volume`);
  }
  return dims;
}

function checkOffset(header: NiftiHeader, file: string): number {
  const min = header.version === 1 ? NIFTI1_HEADER_BYTES + 4 : NIFTI2_HEADER_BYTES + 4;
  // nibabel reads int(vox_offset) and refuses a single-file offset inside the header.
  const offset = Math.trunc(header.voxOffset);
  if (!Number.isFinite(header.voxOffset) || offset < min) {
    throw new NiftiError(file, `vox_offset ${header.voxOffset} is inside the header (minimum ${min})`);
  }
  return offset;
}

/** nibabel `get_slope_inter`: slope 0 or non-finite → no scaling; a finite slope with a bad inter is an error. */
function effectiveScaling(header: NiftiHeader, file: string): [number, number] {
  const { sclSlope, sclInter } = header;
  if (sclSlope === 0 || !Number.isFinite(sclSlope)) return [1, 0];
  if (!Number.isFinite(sclInter)) {
    throw new NiftiError(file, `scl_slope ${sclSlope} is valid but scl_inter ${sclInter} is not finite`);
  }
  return [sclSlope, sclInter];
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type RawArray =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Raw voxels → scaled values in `out`, in float64 arithmetic (as nibabel's `get_fdata`). */
function decodeVoxels(
  bytes: Uint8Array,
  offset: number,
  datatype: NiftiDatatype,
  littleEndian: boolean,
  slope: number,
  inter: number,
  out: Float32Array | Float64Array,
): void {
  const n = out.length;
  const raw = rawView(bytes, offset, n, datatype, littleEndian);
  if (slope === 1 && inter === 0) {
    out.set(raw);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = (raw[i] as number) * slope + inter;
}

/** A typed array over the raw voxels in host byte order (copied: aligned and, if needed, byte-swapped). */
function rawView(
  bytes: Uint8Array,
  offset: number,
  n: number,
  datatype: NiftiDatatype,
  littleEndian: boolean,
): RawArray {
  const size = BYTES[datatype];
  // A fresh buffer (not Buffer#slice, which aliases Node's pool): aligned, and safe to byte-swap.
  const copy = new Uint8Array(n * size);
  copy.set(bytes.subarray(offset, offset + n * size));
  if (size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, size);
  const buf = copy.buffer;
  switch (datatype) {
    case 'uint8':
      return new Uint8Array(buf, 0, n);
    case 'int8':
      return new Int8Array(buf, 0, n);
    case 'int16':
      return new Int16Array(buf, 0, n);
    case 'uint16':
      return new Uint16Array(buf, 0, n);
    case 'int32':
      return new Int32Array(buf, 0, n);
    case 'uint32':
      return new Uint32Array(buf, 0, n);
    case 'float32':
      return new Float32Array(buf, 0, n);
    case 'float64':
      return new Float64Array(buf, 0, n);
  }
}

const BYTES: Readonly<Record<NiftiDatatype, number>> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo] as number;
      b[lo] = b[hi] as number;
      b[hi] = t;
    }
  }
}
