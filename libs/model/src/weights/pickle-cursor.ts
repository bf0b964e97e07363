import { DataError } from '@spottune/errors';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Reads a pickle's operands; anything past the end or malformed is a DataError with the offset. */
export class PickleCursor {
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: string, at = this.pos): never {
    throw new DataError(`${this.source}: corrupt pickle at byte ${at}: ${reason}`, {
      details: { source: this.source, offset: at },
    });
  }

  need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) this.fail(`truncated (needs ${n} more bytes)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)] as number;
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  u64(): number {
    const at = this.need(8);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('length too large', at);
    return Number(value);
  }
  utf8(n: number): string {
    const at = this.need(n);
    try {
      return textDecoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      return this.fail('invalid UTF-8 string', at);
    }
  }
  latin1(n: number): string {
    const at = this.need(n);
    return this.latin1At(at, at + n);
  }
  line(): string {
    const start = this.pos;
    const nl = this.bytes.indexOf(0x0a, start);
    if (nl < 0) this.fail('truncated text line');
    this.pos = nl + 1;
    return this.latin1At(start, nl);
  }
  latin1At(start: number, end: number): string {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(this.bytes[i] as number);
    return s;
  }

  long(n: number): number | bigint {
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
}
