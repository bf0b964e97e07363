import { DataError } from '@spottune/errors';
import { PyDict } from './pickle-values.ts';
import { unpickle } from './pickle-vm.ts';
import { elementSize, decodeElements } from './torch-tensor.ts';
import type { TorchStateDict } from './torch-tensor.ts';
import { TensorRef, makeStorageLoader, makeTorchGlobals } from './torch-unpickle.ts';
import type { StorageRef } from './torch-unpickle.ts';
import { ZipArchive, looksLikeZip } from './zip-archive.ts';

/**
 * Reads a PyTorch checkpoint (`torch.save`) without Python, in either format PyTorch writes:
 * - zip (torch ≥ 1.6): `<prefix>/data.pkl` + raw storages `<prefix>/data/<key>` (+ `byteorder`);
 * - legacy (< 1.6, or `_use_new_zipfile_serialization=False`): magic, protocol, sys-info and object
 *   pickles, the storage-key list, then each storage as an int64 element count and raw bytes.
 * Returns the state dict: `obj['state_dict']` when present (MedicalNet), else the object itself.
 * Corrupt or truncated input → DataError naming `source` and the reason; a pickle naming a Python
 * global outside the allow-list → PickleGlobalNotAllowedError.
 */
export interface ReadCheckpointOptions {
  /** Names the file in error messages. */
  source?: string;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

export async function readTorchCheckpoint(
  bytes: Uint8Array,
  options: ReadCheckpointOptions = {},
): Promise<TorchStateDict> {
  const source = options.source ?? 'checkpoint';
  await Promise.resolve(); // keep the async contract: callers may later hand us streamed input
  if (looksLikeZip(bytes)) return readZip(bytes, source);
  if (bytes.length > 0 && bytes[0] === 0x80) return readLegacy(bytes, source);
  throw new DataError(`${source}: not a PyTorch checkpoint (neither a zip archive nor a pickle)`, {
    details: { source },
  });
}

function readZip(bytes: Uint8Array, source: string): TorchStateDict {
  const zip = new ZipArchive(bytes, source);
  const pkl = [...zip.entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pkl === undefined) throw new DataError(`${source}: zip archive has no <name>/data.pkl`);
  const prefix = pkl.slice(0, -'data.pkl'.length);
  let littleEndian = true;
  if (zip.entries.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
    if (order !== 'little' && order !== 'big') throw new DataError(`${source}: unknown byteorder '${order}'`);
    littleEndian = order === 'little';
  }
  const storages = new Map<string, StorageRef>();
  const { value } = unpickle(zip.read(pkl), 0, {
    source,
    findGlobal: makeTorchGlobals(source),
    persistentLoad: makeStorageLoader(source, storages),
  });
  for (const storage of storages.values()) {
    const raw = zip.read(`${prefix}data/${storage.key}`);
    const size = storage.numel * storage.type.elementSize;
    if (raw.length < size)
      throw new DataError(`${source}: storage '${storage.key}' has ${raw.length} bytes, expected ${size}`);
    storage.data = decodeElements(raw.subarray(0, size), storage.type.dtype, littleEndian);
  }
  return toStateDict(value, source);
}

function readLegacy(bytes: Uint8Array, source: string): TorchStateDict {
  const plain = { source, findGlobal: makeTorchGlobals(source) };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC)
    throw new DataError(`${source}: not a PyTorch checkpoint (bad magic number)`);
  const protocol = unpickle(bytes, magic.end, plain);
  if (protocol.value !== LEGACY_PROTOCOL)
    throw new DataError(`${source}: unsupported legacy protocol version ${String(protocol.value)}`);
  const sysInfo = unpickle(bytes, protocol.end, plain);
  const littleEndian =
    !(sysInfo.value instanceof PyDict) || sysInfo.value.entries.get('little_endian') !== false;
  const storages = new Map<string, StorageRef>();
  const object = unpickle(bytes, sysInfo.end, {
    ...plain,
    persistentLoad: makeStorageLoader(source, storages),
  });
  const keyList = unpickle(bytes, object.end, plain);
  if (!Array.isArray(keyList.value) || !keyList.value.every((k) => typeof k === 'string'))
    throw new DataError(`${source}: legacy storage key list is malformed`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keyList.end;
  for (const key of keyList.value as string[]) {
    const storage = storages.get(key);
    if (storage === undefined)
      throw new DataError(`${source}: storage '${key}' is listed but never referenced`);
    if (at + 8 > bytes.length) throw new DataError(`${source}: truncated before storage '${key}'`);
    const count = view.getBigInt64(at, littleEndian);
    if (count !== BigInt(storage.numel))
      throw new DataError(
        `${source}: storage '${key}' holds ${count} elements, the pickle says ${storage.numel}`,
      );
    const size = storage.numel * elementSize(storage.type.dtype);
    at += 8;
    if (at + size > bytes.length) throw new DataError(`${source}: storage '${key}' is truncated`);
    storage.data = decodeElements(bytes.subarray(at, at + size), storage.type.dtype, littleEndian);
    at += size;
  }
  return toStateDict(object.value, source);
}

/** Finds the state dict in a checkpoint object and materialises its tensors. */
function toStateDict(value: unknown, source: string): TorchStateDict {
  if (!(value instanceof PyDict)) throw new DataError(`${source}: checkpoint holds no dict`);
  const inner = value.entries.get('state_dict');
  const dict = inner instanceof PyDict ? inner : value;
  const out: TorchStateDict = new Map();
  for (const [key, tensor] of dict.entries) {
    if (typeof key !== 'string')
      throw new DataError(`${source}: state dict key ${String(key)} is not a string`);
    if (!(tensor instanceof TensorRef))
      throw new DataError(`${source}: state dict entry '${key}' is not a tensor (is the file a state dict?)`);
    out.set(key, tensor.materialise(`${source}: '${key}'`));
  }
  return out;
}
