/** Python values as the pickle VM builds them (lists are plain arrays; str, int, float, bool, None map to JS). */

/** A Python tuple (kept apart from lists, which are plain arrays). */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python dict or OrderedDict; `attributes` holds state set by BUILD (e.g. state_dict._metadata). */
export class PyDict {
  readonly entries = new Map<unknown, unknown>();
  readonly attributes = new Map<string, unknown>();
  constructor(readonly className: string = 'dict') {}
}

/** An allow-listed global: the only things a pickle may call. */
export interface PyCallable {
  readonly pyName: string;
  call(args: readonly unknown[]): unknown;
}

/** Objects that accept BUILD (`__setstate__`). */
export interface PyBuildable {
  setState(state: unknown): void;
}

export function isCallable(value: unknown): value is PyCallable {
  return typeof value === 'object' && value !== null && 'call' in value && typeof value.call === 'function';
}

export function isBuildable(value: unknown): value is PyBuildable {
  return (
    typeof value === 'object' && value !== null && 'setState' in value && typeof value.setState === 'function'
  );
}
