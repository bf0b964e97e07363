import type { Dirent } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { DataError, NotFoundError, ValidationError, coerceError } from '@spottune/errors';
import { writeFileAtomic } from './atomic-file.ts';
import { ChecksumMismatchError } from './checksum-mismatch-error.ts';
import { HashingStream, assertSha256, sha256Hex } from './hashing-stream.ts';
import { checkKey, checkPrefix, checkRange } from './object-key.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

/** Sidecar metadata of one object, under `<dir>/.meta/<key>.json`. */
interface Sidecar {
  sha256: string;
  bytes: number;
  contentType?: string;
}

const META_DIR = '.meta';

/**
 * Object store in a local directory (the embedded mode): object bytes at `<dir>/<key>`, their sha256
 * in a sidecar under `<dir>/.meta/`. Both are written atomically (temp file + rename); the pair is
 * replaced by two renames, so a reader racing an overwrite of the same key may see a checksum
 * mismatch — spottune writes each key once (content-derived names), so that race does not arise.
 */
export class LocalObjectStore implements ObjectStore {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = pathToFileURL(dir).href;
  }

  private path(key: string): string {
    return join(this.dir, ...checkKey(key).split('/'));
  }

  private metaPath(key: string): string {
    return join(this.dir, META_DIR, ...checkKey(key).split('/')) + '.json';
  }

  private where(key: string): string {
    return `${this.description.replace(/\/$/, '')}/${key}`;
  }

  async put(key: string, body: Uint8Array | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    const path = this.path(key);
    if (options.sha256 !== undefined) assertSha256(options.sha256, `expected sha256 of ${key}`);
    let sha256: string;
    let bytes: number;
    if (body instanceof Readable) {
      const hasher = new HashingStream(`put ${this.where(key)}`, options.sha256);
      await writeFileAtomic(path, body, hasher);
      sha256 = hasher.sha256;
      bytes = hasher.bytes;
    } else {
      sha256 = sha256Hex(body);
      bytes = body.length;
      if (options.sha256 !== undefined && options.sha256 !== sha256) {
        throw new ChecksumMismatchError(`put ${this.where(key)}`, options.sha256, sha256);
      }
      await writeFileAtomic(path, body);
    }
    const sidecar: Sidecar = {
      sha256,
      bytes,
      ...(options.contentType !== undefined && { contentType: options.contentType }),
    };
    await writeFileAtomic(this.metaPath(key), Buffer.from(JSON.stringify(sidecar)));
    return { key, bytes, sha256 };
  }

  async get(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      const handle = await open(path, 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new NotFoundError(`${this.where(key)} not found (a directory)`);
      }
      return handle.createReadStream();
    } catch (e) {
      throw this.classify(e, key);
    }
  }

  async getBytes(key: string, options: { verify?: boolean } = {}): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(key));
    } catch (e) {
      throw this.classify(e, key);
    }
    if (options.verify !== false) {
      const sidecar = await this.readSidecar(key);
      if (sidecar !== undefined) {
        const actual = sha256Hex(bytes);
        if (actual !== sidecar.sha256)
          throw new ChecksumMismatchError(this.where(key), sidecar.sha256, actual);
      }
    }
    return bytes;
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    checkRange(key, start, endInclusive);
    let handle;
    try {
      handle = await open(this.path(key), 'r');
    } catch (e) {
      throw this.classify(e, key);
    }
    try {
      const { size } = await handle.stat();
      if (start >= size) {
        throw new ValidationError(
          `range ${start}..${endInclusive} of ${this.where(key)} starts past its ${size} bytes`,
        );
      }
      const length = Math.min(endInclusive, size - 1) - start + 1;
      const buffer = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(buffer, read, length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return buffer.subarray(0, read);
    } finally {
      await handle.close();
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    let info;
    try {
      info = await stat(this.path(key));
    } catch (e) {
      throw this.classify(e, key);
    }
    if (!info.isFile()) throw new NotFoundError(`${this.where(key)} not found (a directory)`);
    const sidecar = await this.readSidecar(key);
    return {
      key,
      bytes: info.size,
      ...(sidecar !== undefined && { sha256: sidecar.sha256 }),
      lastModified: info.mtime,
    };
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const start = slash === -1 ? this.dir : join(this.dir, ...prefix.slice(0, slash).split('/'));
    const keys: string[] = [];
    await this.walk(start, keys);
    keys.sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      try {
        yield await this.head(key);
      } catch (e) {
        if (e instanceof NotFoundError) continue; // deleted while listing
        throw e;
      }
    }
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      const err = coerceError(e);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // .meta and temp files
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(path, out);
      else if (entry.isFile()) out.push(relative(this.dir, path).split(sep).join('/'));
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
    await rm(this.metaPath(key), { force: true });
  }

  async ensureReady(): Promise<void> {
    await mkdir(join(this.dir, META_DIR), { recursive: true });
  }

  async close(): Promise<void> {}

  private async readSidecar(key: string): Promise<Sidecar | undefined> {
    let text: string;
    try {
      text = await readFile(this.metaPath(key), 'utf8');
    } catch (e) {
      const err = coerceError(e);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let parsed: Partial<Sidecar> | undefined;
    try {
      parsed = JSON.parse(text) as Partial<Sidecar>;
    } catch (e) {
      throw new DataError(`${this.metaPath(key)}: sidecar is not JSON`, { cause: e });
    }
    if (typeof parsed?.sha256 !== 'string') {
      throw new DataError(`${this.metaPath(key)}: sidecar has no sha256`);
    }
    return parsed as Sidecar;
  }

  private classify(e: unknown, key: string): Error {
    const err = coerceError(e);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return new NotFoundError(`${this.where(key)} not found`, { cause: err });
    }
    return err;
  }
}
