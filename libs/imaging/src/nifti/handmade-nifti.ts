/**
 * Test helper: builds NIfTI bytes field by field with a DataView, independently of writeNifti, so the
 * reader can be checked on layouts the shared files lack (every datatype, both byte orders, NIfTI-2).
 */
export interface HandmadeNifti {
  version?: 1 | 2;
  littleEndian?: boolean;
  /** Datatype code and bytes per voxel. */
  datatypeCode: number;
  bytesPerVoxel: number;
  dims: number[];
  /** Raw stored values in file order (x fastest). */
  values: number[];
  pixdim?: number[];
  sclSlope?: number;
  sclInter?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: [number, number, number];
  qoffset?: [number, number, number];
  srow?: number[][];
}

export function handmadeNifti(h: HandmadeNifti): Uint8Array {
  const v2 = h.version === 2;
  const le = h.littleEndian ?? true;
  const voxOffset = v2 ? 544 : 352;
  const out = new Uint8Array(voxOffset + h.values.length * h.bytesPerVoxel);
  const view = new DataView(out.buffer);
  const f = (o: number, x: number) => (v2 ? view.setFloat64(o, x, le) : view.setFloat32(o, x, le));
  const fsz = v2 ? 8 : 4;
  const dim = [h.dims.length, ...h.dims, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
  const pixdim = [...(h.pixdim ?? [1, 1, 1, 1]), 1, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
  if (v2) {
    view.setInt32(0, 540, le);
    [0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a].forEach((b, k) => view.setUint8(4 + k, b));
    view.setInt16(12, h.datatypeCode, le);
    view.setInt16(14, h.bytesPerVoxel * 8, le);
    dim.forEach((d, k) => view.setBigInt64(16 + 8 * k, BigInt(d), le));
    pixdim.forEach((p, k) => f(104 + 8 * k, p));
    view.setBigInt64(168, BigInt(voxOffset), le);
    f(176, h.sclSlope ?? 1);
    f(184, h.sclInter ?? 0);
    view.setInt32(344, h.qformCode ?? 0, le);
    view.setInt32(348, h.sformCode ?? 0, le);
  } else {
    view.setInt32(0, 348, le);
    dim.forEach((d, k) => view.setInt16(40 + 2 * k, d, le));
    view.setInt16(70, h.datatypeCode, le);
    view.setInt16(72, h.bytesPerVoxel * 8, le);
    pixdim.forEach((p, k) => f(76 + 4 * k, p));
    f(108, voxOffset);
    f(112, h.sclSlope ?? 1);
    f(116, h.sclInter ?? 0);
    view.setInt16(252, h.qformCode ?? 0, le);
    view.setInt16(254, h.sformCode ?? 0, le);
    [0x6e, 0x2b, 0x31, 0].forEach((b, k) => view.setUint8(344 + k, b));
  }
  const qb = v2 ? 352 : 256;
  [...(h.quatern ?? [0, 0, 0]), ...(h.qoffset ?? [0, 0, 0])].forEach((x, k) => f(qb + fsz * k, x));
  const sb = v2 ? 400 : 280;
  (h.srow ?? []).flat().forEach((x, k) => f(sb + fsz * k, x));
  h.values.forEach((x, k) => setRaw(view, voxOffset + k * h.bytesPerVoxel, h.datatypeCode, x, le));
  return out;
}

function setRaw(view: DataView, o: number, code: number, x: number, le: boolean): void {
  switch (code) {
    case 2:
      return view.setUint8(o, x);
    case 256:
      return view.setInt8(o, x);
    case 4:
      return view.setInt16(o, x, le);
    case 512:
      return view.setUint16(o, x, le);
    case 8:
      return view.setInt32(o, x, le);
    case 768:
      return view.setUint32(o, x, le);
    case 16:
      return view.setFloat32(o, x, le);
    case 64:
      return view.setFloat64(o, x, le);
    default:
      throw new Error(`handmadeNifti: no encoder for datatype code ${code}`);
  }
}
