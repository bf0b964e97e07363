import type { NiftiHeader } from './nifti-header.ts';
import { NiftiError } from './nifti-error.ts';

/** A 4×4 affine, row-major: voxel (i, j, k) in file order → world (x, y, z) in mm. */
export type Affine = number[][];

const VALID_XFORM_CODES = new Set([0, 1, 2, 3, 4, 5]);
const FLOAT32_EPS = 2 ** -23;
const FLOAT64_EPS = 2 ** -52;

/**
 * nibabel's load-time header fix-ups (`check_fix`) that change the affine: qfac not ±1 → 1; zero
 * pixdim[1..3] → 1, negative → abs; an xform code outside 0..5 → 0. Returns a fixed copy.
 */
export function applyNibabelFixups(header: NiftiHeader): NiftiHeader {
  const pixdim = [...header.pixdim];
  if (pixdim[0] !== 1 && pixdim[0] !== -1) pixdim[0] = 1;
  for (let k = 1; k <= 3; k++) {
    const v = pixdim[k] ?? 1;
    pixdim[k] = v === 0 ? 1 : Math.abs(v);
  }
  return {
    ...header,
    pixdim,
    qformCode: VALID_XFORM_CODES.has(header.qformCode) ? header.qformCode : 0,
    sformCode: VALID_XFORM_CODES.has(header.sformCode) ? header.sformCode : 0,
  };
}

/**
 * nibabel's `get_best_affine` on a fixed-up header: the sform when sform_code ≠ 0, else the qform when
 * qform_code ≠ 0, else `get_base_affine` (x flipped, origin at the volume centre).
 */
export function bestAffine(header: NiftiHeader, file: string): Affine {
  if (header.sformCode !== 0) return sformAffine(header);
  if (header.qformCode !== 0) return qformAffine(header, file);
  return baseAffine(header);
}

export function sformAffine(header: NiftiHeader): Affine {
  const [x, y, z] = header.srow;
  return [[...x], [...y], [...z], [0, 0, 0, 1]];
}

/** nibabel `get_qform`: R(quaternion) · diag(pixdim[1], pixdim[2], qfac·pixdim[3]) plus qoffset. */
export function qformAffine(header: NiftiHeader, file: string): Affine {
  const [b, c, d] = header.quatern;
  // fillpositive: w = sqrt(1 - |bcd|²), tolerating tiny negatives at the header's float precision.
  const threshold = -3 * (header.version === 1 ? FLOAT32_EPS : FLOAT64_EPS);
  const w2 = 1 - (b * b + c * c + d * d);
  if (w2 < threshold) {
    throw new NiftiError(file, `qform quaternion (b,c,d) = (${b}, ${c}, ${d}) has norm > 1`);
  }
  const w = w2 < 0 ? 0 : Math.sqrt(w2);
  const r = quaternionToMatrix(w, b, c, d);
  const qfac = header.pixdim[0] ?? 1;
  const zooms = [header.pixdim[1] ?? 1, header.pixdim[2] ?? 1, (header.pixdim[3] ?? 1) * qfac];
  const out: Affine = [];
  for (let i = 0; i < 3; i++) {
    const row = r[i] ?? [0, 0, 0];
    out.push([
      (row[0] ?? 0) * (zooms[0] ?? 1),
      (row[1] ?? 0) * (zooms[1] ?? 1),
      (row[2] ?? 0) * (zooms[2] ?? 1),
      header.qoffset[i] ?? 0,
    ]);
  }
  out.push([0, 0, 0, 1]);
  return out;
}

/** nibabel `quat2mat` (w, x, y, z), identity for a near-zero quaternion. */
export function quaternionToMatrix(w: number, x: number, y: number, z: number): number[][] {
  const nq = w * w + x * x + y * y + z * z;
  if (nq < FLOAT64_EPS) {
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  }
  const s = 2 / nq;
  const [X, Y, Z] = [x * s, y * s, z * s];
  const [wX, wY, wZ] = [w * X, w * Y, w * Z];
  const [xX, xY, xZ] = [x * X, x * Y, x * Z];
  const [yY, yZ, zZ] = [y * Y, y * Z, z * Z];
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/** nibabel `get_base_affine` → `shape_zoom_affine(dims, zooms, x_flip=True)`. */
export function baseAffine(header: NiftiHeader): Affine {
  const ndim = header.dim[0] ?? 3;
  const shape = [1, 1, 1];
  const zooms = [1, 1, 1];
  for (let k = 0; k < Math.min(3, ndim); k++) {
    shape[k] = header.dim[k + 1] ?? 1;
    zooms[k] = header.pixdim[k + 1] ?? 1;
  }
  zooms[0] = -(zooms[0] ?? 1);
  const out: Affine = [];
  for (let i = 0; i < 3; i++) {
    const row = [0, 0, 0, 0];
    row[i] = zooms[i] ?? 1;
    row[3] = -(((shape[i] ?? 1) - 1) / 2) * (zooms[i] ?? 1);
    out.push(row);
  }
  out.push([0, 0, 0, 1]);
  return out;
}
