import * as zlib from 'node:zlib';
import { inflateSync } from 'fflate';
import { DataError } from '@spottune/errors';

/**
 * A minimal zip reader for PyTorch's archives (torch.save since 1.6): central directory, zip64,
 * stored or deflated entries, CRC-32 checked. Entries are read lazily so that only what the pickle
 * references is touched; stored entries come back as views into the file's bytes (no copy).
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

export class ZipArchive {
  private readonly view: DataView;
  readonly entries = new Map<string, ZipEntry>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  private fail(reason: string): never {
    throw new DataError(`${this.source}: corrupt zip archive: ${reason}`, {
      details: { source: this.source },
    });
  }

  private u16(at: number): number {
    if (at + 2 > this.bytes.length) this.fail(`truncated at byte ${at}`);
    return this.view.getUint16(at, true);
  }
  private u32(at: number): number {
    if (at + 4 > this.bytes.length) this.fail(`truncated at byte ${at}`);
    return this.view.getUint32(at, true);
  }
  private u64(at: number): number {
    if (at + 8 > this.bytes.length) this.fail(`truncated at byte ${at}`);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`64-bit field too large at byte ${at}`);
    return Number(v);
  }

  private readCentralDirectory(): void {
    // End of central directory: 22 bytes plus up to 64 KiB of comment, searched from the end.
    let eocd = -1;
    for (let i = this.bytes.length - 22; i >= Math.max(0, this.bytes.length - 22 - 0xffff); i--) {
      if (this.view.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail('end-of-central-directory record not found (truncated file?)');
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || this.u32(locator) !== 0x07064b50) this.fail('zip64 locator missing');
      const eocd64 = this.u64(locator + 8);
      if (this.u32(eocd64) !== 0x06064b50) this.fail('zip64 end record missing');
      count = this.u64(eocd64 + 32);
      cdSize = this.u64(eocd64 + 40);
      cdOffset = this.u64(eocd64 + 48);
    }
    if (cdOffset + cdSize > this.bytes.length) this.fail('central directory lies past the end of the file');
    let at = cdOffset;
    for (let n = 0; n < count; n++) {
      if (this.u32(at) !== 0x02014b50) this.fail(`bad central directory entry ${n}`);
      const method = this.u16(at + 10);
      const crc32 = this.u32(at + 16);
      let compressedSize = this.u32(at + 20);
      let size = this.u32(at + 24);
      const nameLength = this.u16(at + 28);
      const extraLength = this.u16(at + 30);
      const commentLength = this.u16(at + 32);
      let localHeaderOffset = this.u32(at + 42);
      const nameStart = at + 46;
      if (nameStart + nameLength + extraLength > this.bytes.length) this.fail('truncated central directory');
      const name = new TextDecoder().decode(this.bytes.subarray(nameStart, nameStart + nameLength));
      // Zip64 extended information: the 64-bit values present are those whose 32-bit field is saturated.
      for (let e = nameStart + nameLength; e + 4 <= nameStart + nameLength + extraLength;) {
        const id = this.u16(e);
        const len = this.u16(e + 2);
        if (id === 0x0001) {
          let p = e + 4;
          if (size === 0xffffffff) {
            size = this.u64(p);
            p += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = this.u64(p);
            p += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = this.u64(p);
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, compressedSize, size, crc32, localHeaderOffset });
      at = nameStart + nameLength + extraLength + commentLength;
    }
  }

  /** The uncompressed bytes of one entry; DataError when absent, truncated or failing its CRC. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (entry === undefined) this.fail(`entry '${name}' is missing`);
    const at = entry.localHeaderOffset;
    if (this.u32(at) !== 0x04034b50) this.fail(`bad local header for '${name}'`);
    const start = at + 30 + this.u16(at + 26) + this.u16(at + 28);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) this.fail(`entry '${name}' is truncated`);
    const raw = this.bytes.subarray(start, end);
    let data: Uint8Array;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      try {
        data = inflateSync(raw, { out: new Uint8Array(entry.size) });
      } catch (e) {
        this.fail(`entry '${name}' does not inflate (${e instanceof Error ? e.message : String(e)})`);
      }
    } else this.fail(`entry '${name}' uses unsupported compression method ${entry.method}`);
    if (data.length !== entry.size)
      this.fail(`entry '${name}' has ${data.length} bytes, expected ${entry.size}`);
    if (crc32(data) !== entry.crc32) this.fail(`entry '${name}' fails its CRC-32 check`);
    return data;
  }
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), as zip stores it: node's zlib.crc32 (Node ≥ 20.15) or a table-driven fallback. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  return crc32Js(data);
}

/** The table-driven CRC-32 (exported for the test that checks both agree). */
export function crc32Js(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** True when the bytes start like a zip archive (local file header signature). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}
