import { ValidationError } from '@spottune/errors';
import { NpyError } from './npy-error.ts';

export type NpyData =
  Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

export interface NpyArray {
  data: NpyData;
  shape: number[];
  /** numpy dtype string as stored, e.g. "<f4", ">f4", "|u1". */
  dtype: string;
  fortranOrder: false;
}

type Kind = 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'u1' | 'u2' | 'u4' | 'b1';
const ITEM_BYTES: Readonly<Record<Kind, number>> = {
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  u1: 1,
  u2: 2,
  u4: 4,
  b1: 1,
};
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads a NumPy .npy file (format versions 1, 2 and 3) holding a C-order array of a real or integer
 * dtype in either byte order; the data comes back in host byte order. Fortran order, object, complex and
 * 64-bit integer arrays are refused with an NpyError.
 */
export function readNpy(bytes: Uint8Array, options: { name?: string } = {}): NpyArray {
  const file = options.name ?? '<bytes>';
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new NpyError(file, 'missing the \\x93NUMPY magic: not a .npy file');
  }
  const major = bytes[6] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(file, 'truncated header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(file, `unsupported format version ${major}.${bytes[7] ?? 0}`);
  }
  if (start + headerLen > bytes.length) throw new NpyError(file, 'truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + headerLen),
  );
  const { descr, fortranOrder, shape } = parseHeader(header, file);
  if (fortranOrder) {
    throw new NpyError(
      file,
      'fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray)',
    );
  }
  const { kind, littleEndian } = parseDescr(descr, file);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemBytes = ITEM_BYTES[kind];
  const dataStart = start + headerLen;
  const need = count * itemBytes;
  const have = bytes.length - dataStart;
  if (have !== need) {
    throw new NpyError(
      file,
      have < need
        ? `truncated: shape (${shape.join(', ')}) of ${descr} needs ${need} bytes, only ${have} present`
        : `${have - need} unexpected bytes after the array data`,
    );
  }
  const copy = new Uint8Array(need);
  copy.set(bytes.subarray(dataStart, dataStart + need));
  if (itemBytes > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, itemBytes);
  return { data: typedArray(kind, copy.buffer, count), shape, dtype: descr, fortranOrder: false };
}

function parseHeader(
  header: string,
  file: string,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(
      file,
      `header is not a numpy dict with descr, fortran_order and shape: ${header.trim()}`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = /^\d+$/.test(s) ? Number(s) : NaN;
      if (!Number.isSafeInteger(n)) throw new NpyError(file, `bad shape entry "${s}" in (${shapeText})`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

function parseDescr(descr: string, file: string): { kind: Kind; littleEndian: boolean } {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const kind = m === null ? undefined : `${m[2]}${m[3]}`;
  if (m === null || kind === undefined || !(kind in ITEM_BYTES)) {
    throw new NpyError(file, `unsupported dtype ${descr}; supported: f4, f8, i1, i2, i4, u1, u2, u4, b1`);
  }
  const order = m[1];
  return {
    kind: kind as Kind,
    littleEndian: order === '<' || order === '|' || (order === '=' && HOST_LITTLE_ENDIAN),
  };
}

function typedArray(kind: Kind, buf: ArrayBuffer, n: number): NpyData {
  switch (kind) {
    case 'f4':
      return new Float32Array(buf, 0, n);
    case 'f8':
      return new Float64Array(buf, 0, n);
    case 'i1':
      return new Int8Array(buf, 0, n);
    case 'i2':
      return new Int16Array(buf, 0, n);
    case 'i4':
      return new Int32Array(buf, 0, n);
    case 'u1':
    case 'b1':
      return new Uint8Array(buf, 0, n);
    case 'u2':
      return new Uint16Array(buf, 0, n);
    case 'u4':
      return new Uint32Array(buf, 0, n);
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) b.subarray(i, i + size).reverse();
}

/**
 * Writes a C-order float32/float64 array as .npy (format 1.0, or 2.0 for a header over 64 KiB), header
 * padded with spaces to a multiple of 64 bytes as numpy does, so `np.load` memory-maps it aligned.
 */
export function writeNpy(data: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || count !== data.length) {
    throw new ValidationError(`writeNpy: shape (${shape.join(', ')}) does not match ${data.length} values`);
  }
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const headerText = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerText.length, true);
  else view.setUint32(8, headerText.length, true);
  for (let k = 0; k < headerText.length; k++) out[prefix + k] = headerText.charCodeAt(k);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (!HOST_LITTLE_ENDIAN) swapBytes(body, data.BYTES_PER_ELEMENT);
  out.set(body, total);
  return out;
}
