import type { Readable } from 'node:stream';

export interface ObjectInfo {
  /** Key relative to the store (without the configured prefix). */
  key: string;
  bytes: number;
  /** sha256 hex recorded at `put` (absent for objects written by something else, and from `list` on S3). */
  sha256?: string;
  lastModified?: Date;
}

export interface PutOptions {
  contentType?: string;
  /** Expected sha256 hex of the body; a mismatch raises ChecksumMismatchError and stores nothing. */
  sha256?: string;
}

/**
 * Object storage as spottune uses it: S3 (or any S3-compatible server) in the distributed mode, a
 * directory in the embedded one, with the same semantics. Every object carries the sha256 of its
 * bytes, computed while writing.
 */
export interface ObjectStore {
  /** Where objects live, without credentials: `s3://bucket/prefix` or `file:///dir`. */
  readonly description: string;
  put(key: string, body: Uint8Array | Readable, options?: PutOptions): Promise<ObjectInfo>;
  /** A stream of the stored bytes (not verified: use getBytes or a VerifiedCache for that). NotFoundError when missing. */
  get(key: string): Promise<Readable>;
  /** The whole object; with `verify` (default) re-hashed against the recorded sha256 (ChecksumMismatchError). */
  getBytes(key: string, options?: { verify?: boolean }): Promise<Buffer>;
  /** Bytes start..endInclusive (an end past the object is clamped, as HTTP ranges are). */
  getRange(key: string, start: number, endInclusive: number): Promise<Buffer>;
  head(key: string): Promise<ObjectInfo>;
  exists(key: string): Promise<boolean>;
  /** Every object whose key starts with `prefix` (not only a "directory"), in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Removes the object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** S3: creates the bucket when missing. Local: creates the directory. */
  ensureReady(): Promise<void>;
  close(): Promise<void>;
}

export interface ObjectStoreOptions {
  /** Objects from this size up (and streams of unknown length) are uploaded in parts of this size. @defaultValue 8 MiB */
  partSize?: number;
  /** Keys per ListObjectsV2 page. @defaultValue 1000 */
  listPageSize?: number;
  /** Where streamed bodies are spooled while their sha256 is computed. @defaultValue os.tmpdir() */
  tmpDir?: string;
}
