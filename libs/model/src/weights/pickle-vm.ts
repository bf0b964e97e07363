import { PickleCursor } from './pickle-cursor.ts';
import { PyDict, PyTuple, isBuildable, isCallable } from './pickle-values.ts';

/**
 * A small, safe pickle interpreter (protocols 0–5 binary opcodes, the subset PyTorch checkpoints use).
 * It never imports anything: every GLOBAL goes through `findGlobal`, which the caller restricts to an
 * allow-list, and persistent ids go to `persistentLoad`.
 */

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

/** Runs one pickle starting at `offset` and returns its value. Corrupt or truncated → DataError. */
export function unpickle(bytes: Uint8Array, offset: number, options: UnpickleOptions): UnpickleResult {
  return new Unpickler(bytes, offset, options).run();
}

class Unpickler {
  private readonly in: PickleCursor;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    bytes: Uint8Array,
    offset: number,
    private readonly options: UnpickleOptions,
  ) {
    this.in = new PickleCursor(bytes, offset, options.source);
  }

  private fail(reason: string, at = this.in.pos): never {
    return this.in.fail(reason, at);
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
      const at = this.in.pos;
      const op = this.in.u8();
      switch (op) {
        case 0x80: // PROTO
          if (this.in.u8() > 5) this.fail('unsupported pickle protocol', at);
          break;
        case 0x95: // FRAME: framing is only a buffering hint
          this.in.u64();
          break;
        case 0x2e: {
          // STOP
          const value = this.pop();
          return { value, end: this.in.pos };
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
          this.stack.push(this.in.i32());
          break;
        case 0x4b: // BININT1
          this.stack.push(this.in.u8());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.in.u16());
          break;
        case 0x8a: // LONG1
          this.stack.push(this.in.long(this.in.u8()));
          break;
        case 0x8b: {
          // LONG4
          const n = this.in.i32();
          if (n < 0) this.fail('negative LONG4 length', at);
          this.stack.push(this.in.long(n));
          break;
        }
        case 0x49: {
          // INT (text): also encodes True/False as 01/00 in protocol 0
          const text = this.in.line().trim();
          if (text === '01' || text === '00') this.stack.push(text === '01');
          else this.stack.push(this.parseInt(text, at));
          break;
        }
        case 0x4c: // LONG (text)
          this.stack.push(this.parseInt(this.in.line().trim().replace(/L$/, ''), at));
          break;
        case 0x47: // BINFLOAT (big-endian double)
          this.stack.push(this.in.view.getFloat64(this.in.need(8), false));
          break;
        case 0x58: // BINUNICODE
          this.stack.push(this.in.utf8(this.in.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.in.utf8(this.in.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(this.in.utf8(this.in.u64()));
          break;
        case 0x54: {
          // BINSTRING (Python 2 str)
          const n = this.in.i32();
          if (n < 0) this.fail('negative BINSTRING length', at);
          this.stack.push(this.in.latin1(n));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.stack.push(this.in.latin1(this.in.u8()));
          break;
        case 0x42: {
          // BINBYTES
          const n = this.in.u32();
          const start = this.in.need(n);
          this.stack.push(new Uint8Array(this.in.bytes.subarray(start, start + n)));
          break;
        }
        case 0x43: {
          // SHORT_BINBYTES
          const n = this.in.u8();
          const start = this.in.need(n);
          this.stack.push(new Uint8Array(this.in.bytes.subarray(start, start + n)));
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
          this.memoPut(this.in.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.in.u32());
          break;
        case 0x70: // PUT (text)
          this.memoPut(this.parseInt(this.in.line(), at));
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x68: // BINGET
          this.stack.push(this.memoGet(this.in.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.memoGet(this.in.u32()));
          break;
        case 0x67: // GET (text)
          this.stack.push(this.memoGet(this.parseInt(this.in.line(), at)));
          break;
        case 0x63: {
          // GLOBAL
          const module = this.in.line();
          const name = this.in.line();
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
          this.stack.push(this.persistent(this.in.line(), at));
          break;
        default:
          this.fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')}`, at);
      }
    }
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
