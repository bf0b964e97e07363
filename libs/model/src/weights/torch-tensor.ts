import { DataError } from '@spottune/errors';

/** Element types a PyTorch storage can hold. Half and bfloat16 are decoded to Float32Array. */
export type TorchDtype =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type TorchTensorData =
  Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** One tensor of a checkpoint, contiguous and row-major, in PyTorch's own shape. Tensors that view the
 * whole of one storage (tied weights) share its array: copy before mutating. */
export interface TorchTensor {
  shape: number[];
  dtype: TorchDtype;
  data: TorchTensorData;
}

/** A checkpoint's state dict: names (as saved) to tensors, in file order. */
export type TorchStateDict = Map<string, TorchTensor>;

/** Legacy storage class names (`torch.FloatStorage`, …) to dtype and element size in bytes. */
export const STORAGE_TYPES: Readonly<Record<string, { dtype: TorchDtype; size: number }>> = {
  FloatStorage: { dtype: 'float32', size: 4 },
  DoubleStorage: { dtype: 'float64', size: 8 },
  HalfStorage: { dtype: 'float16', size: 2 },
  BFloat16Storage: { dtype: 'bfloat16', size: 2 },
  LongStorage: { dtype: 'int64', size: 8 },
  IntStorage: { dtype: 'int32', size: 4 },
  ShortStorage: { dtype: 'int16', size: 2 },
  CharStorage: { dtype: 'int8', size: 1 },
  ByteStorage: { dtype: 'uint8', size: 1 },
  BoolStorage: { dtype: 'bool', size: 1 },
};

export function elementSize(dtype: TorchDtype): number {
  for (const t of Object.values(STORAGE_TYPES)) if (t.dtype === dtype) return t.size;
  return 1;
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` elements of raw storage bytes (any alignment) into a fresh typed array.
 * `littleEndian` is the byte order the file declares.
 */
export function decodeElements(bytes: Uint8Array, dtype: TorchDtype, littleEndian: boolean): TorchTensorData {
  const size = elementSize(dtype);
  const copy = new Uint8Array(bytes); // aligned and owned (Buffer.slice would be a view)
  if (size > 1 && littleEndian !== hostLittleEndian) swapBytes(copy, size);
  const buffer = copy.buffer;
  const count = copy.length / size;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'int64':
      return new BigInt64Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'int16':
      return new Int16Array(buffer, 0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'uint8':
    case 'bool':
      return copy;
    case 'float16':
      return halfToFloat(new Uint16Array(buffer, 0, count));
    case 'bfloat16':
      return bfloatToFloat(new Uint16Array(buffer, 0, count));
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = t;
    }
  }
}

function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i] as number;
    const sign = v & 0x8000 ? -1 : 1;
    const exp = (v >> 10) & 0x1f;
    const frac = v & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac === 0 ? sign * Infinity : NaN;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function bfloatToFloat(h: Uint16Array): Float32Array {
  const bits = new Uint32Array(h.length);
  for (let i = 0; i < h.length; i++) bits[i] = (h[i] as number) << 16;
  return new Float32Array(bits.buffer);
}

/**
 * Gathers a (possibly strided) view of a decoded storage into a contiguous row-major array, as
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride)` describes it.
 */
export function gatherStrided(
  storage: TorchTensorData,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
  where: string,
): TorchTensorData {
  const count = numelOf(shape);
  if (shape.length !== stride.length) throw new DataError(`${where}: size and stride ranks differ`);
  if (
    shape.some((s) => !Number.isSafeInteger(s) || s < 0) ||
    stride.some((s) => !Number.isSafeInteger(s) || s < 0)
  )
    throw new DataError(`${where}: negative or non-integer size/stride [${shape}] / [${stride}]`);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new DataError(`${where}: bad storage offset ${offset}`);
  if (count === 0) return storage.slice(0, 0);
  // Expanded (stride-0) views can name far more elements than the file holds: refuse absurd ones.
  if (count > storage.length && count > 2 ** 26)
    throw new DataError(`${where}: view [${shape}] expands ${storage.length} stored elements to ${count}`);
  const last = offset + shape.reduce((acc, s, i) => acc + (s - 1) * (stride[i] as number), 0);
  if (last >= storage.length)
    throw new DataError(
      `${where}: view [${shape}] stride [${stride}] offset ${offset} reaches element ${last} but the storage holds ${storage.length}`,
    );
  let contiguous = true;
  for (let i = shape.length - 1, expected = 1; i >= 0; i--) {
    if ((shape[i] as number) !== 1 && stride[i] !== expected) contiguous = false;
    expected *= shape[i] as number;
  }
  // The decoded storage is already a private copy: a view of all of it needs no second one.
  if (contiguous)
    return offset === 0 && count === storage.length ? storage : storage.slice(offset, offset + count);
  // General strided copy (transposed or expanded views): walk a row-major odometer.
  const out = allocLike(storage, count);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = offset;
  for (let n = 0; n < count; n++) {
    (out as unknown as { [k: number]: unknown })[n] = storage[src];
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      src += stride[d] as number;
      if ((index[d] as number) < (shape[d] as number)) break;
      src -= (shape[d] as number) * (stride[d] as number);
      index[d] = 0;
    }
  }
  return out;
}

function allocLike(like: TorchTensorData, count: number): TorchTensorData {
  const Ctor = like.constructor as new (n: number) => TorchTensorData;
  return new Ctor(count);
}
