/** The NIfTI datatypes spottune reads: integer and real scalars (no RGB, complex or 64-bit ints). */
export type NiftiDatatype =
  'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

interface DatatypeInfo {
  name: NiftiDatatype;
  bytes: number;
}

const SUPPORTED: ReadonlyMap<number, DatatypeInfo> = new Map([
  [2, { name: 'uint8', bytes: 1 }],
  [4, { name: 'int16', bytes: 2 }],
  [8, { name: 'int32', bytes: 4 }],
  [16, { name: 'float32', bytes: 4 }],
  [64, { name: 'float64', bytes: 8 }],
  [256, { name: 'int8', bytes: 1 }],
  [512, { name: 'uint16', bytes: 2 }],
  [768, { name: 'uint32', bytes: 4 }],
]);

/** Names of the codes we refuse, so the error says what the file holds rather than a bare number. */
const UNSUPPORTED_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'unknown (0)'],
  [1, 'binary (1)'],
  [32, 'complex64 (32)'],
  [128, 'RGB24 (128)'],
  [1024, 'int64 (1024)'],
  [1280, 'uint64 (1280)'],
  [1536, 'float128 (1536)'],
  [1792, 'complex128 (1792)'],
  [2048, 'complex256 (2048)'],
  [2304, 'RGBA32 (2304)'],
]);

export const DATATYPE_CODES: Readonly<Record<NiftiDatatype, number>> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
};

/** The supported datatype for a header code, or a human description of why it is not supported. */
export function lookupDatatype(code: number): DatatypeInfo | { unsupported: string } {
  const info = SUPPORTED.get(code);
  if (info !== undefined) return info;
  return { unsupported: UNSUPPORTED_NAMES.get(code) ?? `unknown code ${code}` };
}

/** Whether every value of this datatype is exactly representable as a float32. */
export function fitsFloat32(datatype: NiftiDatatype): boolean {
  return datatype !== 'int32' && datatype !== 'uint32' && datatype !== 'float64';
}
