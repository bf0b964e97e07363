import { DataError } from '@spottune/errors';

/**
 * A small, safe pickle interpreter (protocols 0–5 binary opcodes, the subset PyTorch checkpoints use).
 * It never imports anything: every GLOBAL goes through `findGlobal`, which the caller restricts to an
 * allow-list, and persistent ids go to `persistentLoad`.
 */

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

export interface UnpickleOptions {
  /** Names the file in error messages. */
  source: string;
  findGlobal: (module: string, name: string) => unknown;
  persistentLoad?: (pid: unknown) => unknown;
}

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (legacy checkpoints put several pickles back to back). */
  end: number;
}

const MARK = Symbol('mark');
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Runs one pickle starting at `offset` and returns its value. Corrupt or truncated → DataError. */
export function unpickle(bytes: Uint8Array, offset: number, options: UnpickleOptions): UnpickleResult {
  return new Unpickler(bytes, offset, options).run();
}

class Unpickler {
  private pos: number;
  private readonly view: DataView;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    private readonly options: UnpickleOptions,
  ) {
    this.pos = offset;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(reason: string, at = this.pos): never {
    throw new DataError(`${this.options.source}: corrupt pickle at byte ${at}: ${reason}`, {
      details: { source: this.options.source, offset: at },
    });
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) this.fail(`truncated (needs ${n} more bytes)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)] as number;
  }
  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  private i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  private u64(): number {
    const at = this.need(8);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('length too large', at);
    return Number(value);
  }
  private utf8(n: number): string {
    const at = this.need(n);
    try {
      return textDecoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      return this.fail('invalid UTF-8 string', at);
    }
  }
  private latin1(n: number): string {
    const at = this.need(n);
    let s = '';
    for (let i = at; i < at + n; i++) s += String.fromCharCode(this.bytes[i] as number);
    return s;
  }
  private line(): string {
    const start = this.pos;
    const nl = this.bytes.indexOf(0x0a, start);
    if (nl < 0) this.fail('truncated text line');
    this.pos = nl + 1;
    return this.latin1At(start, nl);
  }
  private latin1At(start: number, end: number): string {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(this.bytes[i] as number);
    return s;
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow');
    const v = this.stack.pop();
    if (v === MARK) this.fail('unexpected MARK');
    return v;
  }
  private top(): unknown {
    const v = this.stack[this.stack.length - 1];
    if (this.stack.length === 0 || v === MARK) this.fail('stack underflow');
    return v;
  }
  private popMark(): unknown[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (previous === undefined) this.fail('no MARK on the stack');
    this.stack = previous;
    return items;
  }
  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`memo key ${index} is not defined`);
    return this.memo.get(index);
  }
  private memoPut(index: number): void {
    this.memo.set(index, this.top());
  }

  run(): UnpickleResult {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x80: // PROTO
          if (this.u8() > 5) this.fail('unsupported pickle protocol', at);
          break;
        case 0x95: // FRAME: framing is only a buffering hint
          this.u64();
          break;
        case 0x2e: {
          // STOP
          const value = this.pop();
          return { value, end: this.pos };
        }
        case 0x28: // MARK
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          if (this.stack.length > 0) this.stack.pop();
          else this.popMark();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.stack.push(this.top());
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4a: // BININT
          this.stack.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.stack.push(this.long(this.u8()));
          break;
        case 0x8b: {
          // LONG4
          const n = this.i32();
          if (n < 0) this.fail('negative LONG4 length', at);
          this.stack.push(this.long(n));
          break;
        }
        case 0x49: {
          // INT (text): also encodes True/False as 01/00 in protocol 0
          const text = this.line().trim();
          if (text === '01' || text === '00') this.stack.push(text === '01');
          else this.stack.push(this.parseInt(text, at));
          break;
        }
        case 0x4c: // LONG (text)
          this.stack.push(this.parseInt(this.line().trim().replace(/L$/, ''), at));
          break;
        case 0x47: // BINFLOAT (big-endian double)
          this.stack.push(this.view.getFloat64(this.need(8), false));
          break;
        case 0x58: // BINUNICODE
          this.stack.push(this.utf8(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.utf8(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(this.utf8(this.u64()));
          break;
        case 0x54: {
          // BINSTRING (Python 2 str)
          const n = this.i32();
          if (n < 0) this.fail('negative BINSTRING length', at);
          this.stack.push(this.latin1(n));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.stack.push(this.latin1(this.u8()));
          break;
        case 0x42: {
          // BINBYTES
          const n = this.u32();
          const start = this.need(n);
          this.stack.push(new Uint8Array(this.bytes.subarray(start, start + n)));
          break;
        }
        case 0x43: {
          // SHORT_BINBYTES
          const n = this.u8();
          const start = this.need(n);
          this.stack.push(new Uint8Array(this.bytes.subarray(start, start + n)));
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new PyDict());
          break;
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push(new PyTuple([]));
          break;
        case 0x74: {
          // TUPLE
          const items = this.popMark(); // before reading this.stack: popMark replaces it
          this.stack.push(new PyTuple(items));
          break;
        }
        case 0x85: // TUPLE1
          this.stack.push(new PyTuple([this.pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = this.pop();
          const a = this.pop();
          this.stack.push(new PyTuple([a, b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          this.stack.push(new PyTuple([a, b, c]));
          break;
        }
        case 0x6c: {
          // LIST
          const items = this.popMark();
          this.stack.push(items);
          break;
        }
        case 0x64: {
          // DICT
          const items = this.popMark();
          const dict = new PyDict();
          this.setItems(dict, items, at);
          this.stack.push(dict);
          break;
        }
        case 0x61: {
          // APPEND
          const value = this.pop();
          this.list(this.top(), at).push(value);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          this.list(this.top(), at).push(...items);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value], at);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items, at);
          break;
        }
        case 0x71: // BINPUT
          this.memoPut(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32());
          break;
        case 0x70: // PUT (text)
          this.memoPut(this.parseInt(this.line(), at));
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x68: // BINGET
          this.stack.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.memoGet(this.u32()));
          break;
        case 0x67: // GET (text)
          this.stack.push(this.memoGet(this.parseInt(this.line(), at)));
          break;
        case 0x63: {
          // GLOBAL
          const module = this.line();
          const name = this.line();
          this.stack.push(this.options.findGlobal(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string')
            this.fail('STACK_GLOBAL needs two strings', at);
          this.stack.push(this.options.findGlobal(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callable = this.pop();
          this.stack.push(this.call(callable, args, at));
          break;
        }
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args); only allow-listed classes reach here
          const args = this.pop();
          const cls = this.pop();
          this.stack.push(this.call(cls, args, at));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(this.top(), state, at);
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = this.pop();
          this.stack.push(this.persistent(pid, at));
          break;
        }
        case 0x50: // PERSID (text)
          this.stack.push(this.persistent(this.line(), at));
          break;
        default:
          this.fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')}`, at);
      }
    }
  }

  private long(n: number): number | bigint {
    const start = this.need(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[start + i] as number);
    // Two's complement, little-endian.
    if (((this.bytes[start + n - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }

  private parseInt(text: string, at: number): number {
    const value = Number(text.trim());
    if (!Number.isSafeInteger(value)) this.fail(`bad integer ${JSON.stringify(text)}`, at);
    return value;
  }

  private list(target: unknown, at: number): unknown[] {
    if (!Array.isArray(target)) this.fail('APPEND on a non-list', at);
    return target;
  }

  private setItems(target: unknown, items: unknown[], at: number): void {
    if (!(target instanceof PyDict)) this.fail('SETITEM on a non-dict', at);
    if (items.length % 2 !== 0) this.fail('odd number of dict items', at);
    for (let i = 0; i < items.length; i += 2) target.entries.set(items[i], items[i + 1]);
  }

  private call(callable: unknown, args: unknown, at: number): unknown {
    if (!(args instanceof PyTuple)) this.fail('call arguments are not a tuple', at);
    if (!isCallable(callable)) this.fail('call of a non-callable value', at);
    return callable.call(args.items);
  }

  private build(target: unknown, state: unknown, at: number): void {
    if (target instanceof PyDict) {
      // dict subclasses pickle their __dict__ (OrderedDict._metadata) as a dict or (dict, slots) state.
      const dict = state instanceof PyTuple ? state.items[0] : state;
      if (dict instanceof PyDict) {
        for (const [k, v] of dict.entries) if (typeof k === 'string') target.attributes.set(k, v);
      } else if (dict !== null) this.fail('unsupported BUILD state for a dict', at);
      return;
    }
    if (isBuildable(target)) return target.setState(state);
    this.fail('BUILD on an object without state support', at);
  }

  private persistent(pid: unknown, at: number): unknown {
    if (this.options.persistentLoad === undefined) this.fail('persistent id without a loader', at);
    return this.options.persistentLoad(pid);
  }
}

function isCallable(value: unknown): value is PyCallable {
  return typeof value === 'object' && value !== null && 'call' in value && typeof value.call === 'function';
}

function isBuildable(value: unknown): value is PyBuildable {
  return (
    typeof value === 'object' && value !== null && 'setState' in value && typeof value.setState === 'function'
  );
}
