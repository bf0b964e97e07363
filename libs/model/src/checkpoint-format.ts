import { DataError } from '@spottune/errors';

/**
 * The checkpoint container: "SPTCKPT1" magic, a uint32 (LE) header length, a UTF-8 JSON header, zero
 * padding to a 4-byte boundary, then the float32 (LE) blobs back to back. The header holds the
 * caller's metadata and, per tensor, its name, offset (in floats) and length. Non-finite numbers in
 * the metadata (±Infinity, NaN) survive the round trip.
 */
const MAGIC = 'SPTCKPT1';
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

interface Header {
  version: 1;
  meta: unknown;
  tensors: { name: string; offset: number; length: number }[];
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$num' in value) {
    return Number((value as { $num: string }).$num);
  }
  return value;
}

export function encodeCheckpoint(meta: unknown, tensors: ReadonlyMap<string, Float32Array>): Uint8Array {
  const entries: Header['tensors'] = [];
  let offset = 0;
  for (const [name, data] of tensors) {
    entries.push({ name, offset, length: data.length });
    offset += data.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ version: 1, meta, tensors: entries }, replacer));
  const start = Math.ceil((12 + header.length) / 4) * 4;
  const bytes = new Uint8Array(start + offset * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  let i = 0;
  if (LITTLE_ENDIAN) {
    // Fast path: the blob area is 4-byte aligned in a fresh buffer.
    const floats = new Float32Array(bytes.buffer, start, offset);
    for (const data of tensors.values()) {
      floats.set(data, i);
      i += data.length;
    }
  } else {
    const floats = new DataView(bytes.buffer, start);
    for (const data of tensors.values()) for (const v of data) floats.setFloat32(4 * i++, v, true);
  }
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array): { meta: unknown; tensors: Map<string, Float32Array> } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw new DataError('checkpoint: not a spottune checkpoint (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new DataError('checkpoint: truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)), reviver) as Header;
  } catch (e) {
    throw new DataError('checkpoint: unreadable header', { cause: e });
  }
  if (header.version !== 1) throw new DataError(`checkpoint: unsupported version ${String(header.version)}`);
  const start = Math.ceil((12 + headerLength) / 4) * 4;
  const tensors = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    const begin = start + 4 * t.offset;
    if (begin + 4 * t.length > bytes.length) throw new DataError(`checkpoint: tensor ${t.name} is truncated`);
    let out: Float32Array;
    // Uint8Array's slice copies (a Node Buffer's own slice is a view into a shared pool).
    if (LITTLE_ENDIAN)
      out = new Float32Array(Uint8Array.prototype.slice.call(bytes, begin, begin + 4 * t.length).buffer);
    else {
      out = new Float32Array(t.length);
      for (let i = 0; i < t.length; i++) out[i] = view.getFloat32(begin + 4 * i, true);
    }
    tensors.set(t.name, out);
  }
  return { meta: header.meta, tensors };
}
