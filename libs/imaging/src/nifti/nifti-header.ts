import { NiftiError } from './nifti-error.ts';

/**
 * The raw header fields spottune uses, as stored (before nibabel's fix-ups). Parsed here rather than
 * through nifti-reader-js because that library drops srow_* (it overwrites them with its own affine
 * choice), mis-reads big-endian int64 fields of NIfTI-2 and throws plain Errors on bad extensions;
 * the test suite cross-checks these fields against nifti-reader-js on every shared file.
 */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0..7] as stored: dim[0] is the number of dimensions. */
  dim: number[];
  datatypeCode: number;
  bitpix: number;
  /** pixdim[0..7] as stored: pixdim[0] is qfac. */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: [number[], number[], number[]];
  magic: string;
}

export const NIFTI1_HEADER_BYTES = 348;
export const NIFTI2_HEADER_BYTES = 540;

/** Parses the header at the start of `bytes` (already decompressed). Throws NiftiError on bad input. */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.byteLength < NIFTI1_HEADER_BYTES) {
    throw new NiftiError(file, `file is ${bytes.byteLength} bytes, shorter than a NIfTI-1 header (348)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeLe = view.getInt32(0, true);
  const sizeBe = view.getInt32(0, false);
  let version: 1 | 2;
  let littleEndian: boolean;
  if (sizeLe === NIFTI1_HEADER_BYTES || sizeBe === NIFTI1_HEADER_BYTES) {
    version = 1;
    littleEndian = sizeLe === NIFTI1_HEADER_BYTES;
  } else if (sizeLe === NIFTI2_HEADER_BYTES || sizeBe === NIFTI2_HEADER_BYTES) {
    version = 2;
    littleEndian = sizeLe === NIFTI2_HEADER_BYTES;
  } else {
    throw new NiftiError(
      file,
      `sizeof_hdr is ${sizeLe} (not 348 or 540 in either byte order): not a NIfTI file`,
    );
  }
  if (version === 2 && bytes.byteLength < NIFTI2_HEADER_BYTES) {
    throw new NiftiError(file, `file is ${bytes.byteLength} bytes, shorter than a NIfTI-2 header (540)`);
  }
  const header = version === 1 ? parseV1(view, littleEndian) : parseV2(view, littleEndian, file);
  checkMagic(header, file);
  return header;
}

function parseV1(view: DataView, le: boolean): NiftiHeader {
  const i16 = (o: number) => view.getInt16(o, le);
  const f32 = (o: number) => view.getFloat32(o, le);
  const f32s = (o: number, n: number) => Array.from({ length: n }, (_, k) => f32(o + 4 * k));
  return {
    version: 1,
    littleEndian: le,
    dim: Array.from({ length: 8 }, (_, k) => i16(40 + 2 * k)),
    datatypeCode: i16(70),
    bitpix: i16(72),
    pixdim: f32s(76, 8),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: [f32s(280, 4), f32s(296, 4), f32s(312, 4)],
    magic: readMagic(view, 344, 4),
  };
}

function parseV2(view: DataView, le: boolean, file: string): NiftiHeader {
  const i64 = (o: number, field: string) => {
    const v = view.getBigInt64(o, le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new NiftiError(file, `${field} ${v} is out of range`);
    }
    return Number(v);
  };
  const f64 = (o: number) => view.getFloat64(o, le);
  const f64s = (o: number, n: number) => Array.from({ length: n }, (_, k) => f64(o + 8 * k));
  return {
    version: 2,
    littleEndian: le,
    dim: Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k, `dim[${k}]`)),
    datatypeCode: view.getInt16(12, le),
    bitpix: view.getInt16(14, le),
    pixdim: f64s(104, 8),
    voxOffset: i64(168, 'vox_offset'),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: [f64s(400, 4), f64s(432, 4), f64s(464, 4)],
    magic: readMagic(view, 4, 8),
  };
}

function readMagic(view: DataView, offset: number, length: number): string {
  let s = '';
  for (let k = 0; k < length; k++) s += String.fromCharCode(view.getUint8(offset + k));
  return s;
}

function checkMagic(header: NiftiHeader, file: string): void {
  // Like nibabel, only the first 4 bytes decide; NIfTI-2's trailing \r\n\x1a\n is not required.
  const magic = header.magic.slice(0, 4);
  if (magic === `n+${header.version}\0`) return;
  const shown = JSON.stringify(magic.replace(/\0.*$/s, ''));
  if (magic === `ni${header.version}\0`) {
    throw new NiftiError(
      file,
      `magic ${shown} is a .hdr/.img pair header; only single-file .nii(.gz) is supported`,
    );
  }
  throw new NiftiError(file, `wrong magic ${shown} (expected "n+${header.version}")`);
}
