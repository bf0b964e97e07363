import { DataError } from '@spottune/errors';
import { PyDict, PyTuple } from './pickle-values.ts';
import type { PyCallable } from './pickle-values.ts';
import { PickleGlobalNotAllowedError } from './weights-errors.ts';
import { STORAGE_TYPES, gatherStrided } from './torch-tensor.ts';
import type { TorchDtype, TorchTensor, TorchTensorData } from './torch-tensor.ts';

/**
 * The Python globals a PyTorch state dict may name, and the objects that stand for storages and
 * tensors while a pickle is read. Storage bytes are attached after the pickle (legacy files keep
 * them after it), then every tensor is materialised.
 */

/** A `torch.FloatStorage`-like class named in a persistent id. */
export class StorageType {
  constructor(
    readonly pyName: string,
    readonly dtype: TorchDtype,
    readonly elementSize: number,
  ) {}
}

/** One storage referenced by the pickle; `data` is filled in by the format reader. */
export class StorageRef {
  data: TorchTensorData | undefined;
  constructor(
    readonly key: string,
    readonly type: StorageType,
    readonly numel: number,
  ) {}
}

/** A (legacy) view into a root storage: elements [offset, offset + numel). */
export class StorageView {
  constructor(
    readonly root: StorageRef,
    readonly offset: number,
    readonly numel: number,
  ) {}
}

/** What `_rebuild_tensor_v2` returned: resolved to a TorchTensor once storages are loaded. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef | StorageView,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}

  materialise(where: string): TorchTensor {
    const root = this.storage instanceof StorageView ? this.storage.root : this.storage;
    const base = this.storage instanceof StorageView ? this.storage.offset : 0;
    if (root.data === undefined) throw new DataError(`${where}: storage '${root.key}' was never loaded`);
    const data = gatherStrided(root.data, base + this.offset, this.shape, this.stride, where);
    return { shape: [...this.shape], dtype: root.type.dtype, data };
  }
}

function intTuple(value: unknown, what: string, source: string): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (items === undefined || !items.every((v) => typeof v === 'number' && Number.isSafeInteger(v)))
    throw new DataError(`${source}: ${what} is not a tuple of integers`);
  return items as number[];
}

/**
 * `OrderedDict()` (Python 3 pickles its items with SETITEMS afterwards) or `OrderedDict([[k, v], …])`
 * (Python 2's `__reduce__` passes the items as the argument).
 */
function orderedDict(args: readonly unknown[], source: string): PyDict {
  const dict = new PyDict('collections.OrderedDict');
  const items = args[0];
  if (items === undefined || items === null) return dict;
  if (!Array.isArray(items)) throw new DataError(`${source}: OrderedDict argument is not a list of pairs`);
  for (const pair of items) {
    const kv = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : undefined;
    if (kv === undefined || kv.length !== 2) throw new DataError(`${source}: OrderedDict item is not a pair`);
    dict.entries.set(kv[0], kv[1]);
  }
  return dict;
}

function callable(pyName: string, call: (args: readonly unknown[]) => unknown): PyCallable {
  return { pyName, call };
}

/** The allow-list: anything else raises PickleGlobalNotAllowedError naming the global. */
export function makeTorchGlobals(source: string): (module: string, name: string) => unknown {
  const rebuildTensor = (args: readonly unknown[]): TensorRef => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef || storage instanceof StorageView))
      throw new DataError(`${source}: tensor rebuilt from something that is not a storage`);
    if (typeof offset !== 'number') throw new DataError(`${source}: tensor storage offset is not an integer`);
    return new TensorRef(
      storage,
      offset,
      intTuple(size, 'tensor size', source),
      intTuple(stride, 'tensor stride', source),
    );
  };
  const table = new Map<string, unknown>([
    ['collections.OrderedDict', callable('collections.OrderedDict', (args) => orderedDict(args, source))],
    ['torch._utils._rebuild_tensor_v2', callable('torch._utils._rebuild_tensor_v2', rebuildTensor)],
    ['torch._utils._rebuild_tensor', callable('torch._utils._rebuild_tensor', rebuildTensor)],
    [
      // A Parameter is its data tensor plus requires_grad; we keep the data.
      'torch._utils._rebuild_parameter',
      callable('torch._utils._rebuild_parameter', (args) => {
        if (!(args[0] instanceof TensorRef)) throw new DataError(`${source}: parameter without tensor data`);
        return args[0];
      }),
    ],
  ]);
  for (const [name, info] of Object.entries(STORAGE_TYPES))
    table.set(`torch.${name}`, new StorageType(`torch.${name}`, info.dtype, info.size));
  return (module, name) => {
    const qualified = `${module}.${name}`;
    const found = table.get(qualified);
    if (found === undefined) throw new PickleGlobalNotAllowedError(qualified, source);
    return found;
  };
}

/**
 * Reads a storage persistent id: `('storage', type, key, location, numel)` (zip) or, in the legacy
 * format, the same plus `view_metadata` (None or (view_key, offset, numel)).
 */
export function makeStorageLoader(
  source: string,
  storages: Map<string, StorageRef>,
): (pid: unknown) => StorageRef | StorageView {
  const views = new Map<string, StorageView>();
  return (pid) => {
    const items = pid instanceof PyTuple ? pid.items : undefined;
    if (items === undefined || items[0] !== 'storage' || items.length < 5)
      throw new DataError(`${source}: unsupported persistent id ${describe(pid)}`);
    const [, type, key, , numel, viewMetadata] = items;
    if (!(type instanceof StorageType)) throw new DataError(`${source}: persistent id names no storage type`);
    if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
      throw new DataError(`${source}: malformed storage id ${describe(pid)}`);
    let root = storages.get(key);
    if (root === undefined) {
      root = new StorageRef(key, type, numel);
      storages.set(key, root);
    } else if (root.type !== type) throw new DataError(`${source}: storage '${key}' used with two dtypes`);
    if (viewMetadata === undefined || viewMetadata === null) return root;
    const [viewKey, offset, viewNumel] = viewMetadata instanceof PyTuple ? viewMetadata.items : [];
    if (typeof viewKey !== 'string' || typeof offset !== 'number' || typeof viewNumel !== 'number')
      throw new DataError(`${source}: malformed storage view ${describe(viewMetadata)}`);
    let view = views.get(viewKey);
    if (view === undefined) {
      if (offset < 0 || offset + viewNumel > numel)
        throw new DataError(`${source}: storage view '${viewKey}' lies outside storage '${key}'`);
      view = new StorageView(root, offset, viewNumel);
      views.set(viewKey, view);
    }
    return view;
  };
}

function describe(value: unknown): string {
  if (value instanceof PyTuple) return `(${value.items.map(describe).join(', ')})`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof StorageType) return value.pyName;
  return String(value);
}
