import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { StorageConfig } from '@spottune/config';
import { NotFoundError, ValidationError, coerceError } from '@spottune/errors';
import { ChecksumMismatchError } from './checksum-mismatch-error.ts';
import { HashingStream, assertSha256, sha256Hex } from './hashing-stream.ts';
import { checkKey, checkPrefix, checkRange } from './object-key.ts';
import type { ObjectInfo, ObjectStore, ObjectStoreOptions, PutOptions } from './object-store.ts';
import { classifyS3Error } from './s3-errors.ts';

type S3Config = Extract<StorageConfig, { kind: 's3' }>;

const MiB = 1024 * 1024;
/** User metadata key: sent as `x-amz-meta-sha256`. */
const SHA_META = 'sha256';

/**
 * S3 (or MinIO, fauxqs, ...) object store.
 *
 * The sha256 travels as object metadata, which S3 only accepts when the upload starts. So: a buffer
 * is hashed first; a stream with a caller-supplied sha256 is uploaded directly and verified while
 * streaming (a mismatch fails the stream before the upload completes, so nothing is published); a
 * stream without one is spooled to a temp file while hashing, then uploaded with its metadata. That
 * costs local disk, but the object is never visible without its hash (unlike copy-object to add
 * metadata afterwards) and needs no second object kept consistent (unlike a `.sha256` sidecar).
 */
export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly listPageSize: number;
  private readonly tmpDir: string;

  constructor(config: S3Config, options: ObjectStoreOptions = {}) {
    this.bucket = config.bucket;
    this.prefix = config.prefix === '' || config.prefix.endsWith('/') ? config.prefix : `${config.prefix}/`;
    this.partSize = options.partSize ?? 8 * MiB;
    if (this.partSize < 5 * MiB) throw new ValidationError('S3 multipart parts must be at least 5 MiB');
    this.listPageSize = options.listPageSize ?? 1000;
    this.tmpDir = options.tmpDir ?? tmpdir();
    this.description = `s3://${config.bucket}/${this.prefix}`;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
      forcePathStyle: config.forcePathStyle,
      ...(config.accessKeyId !== undefined &&
        config.secretAccessKey !== undefined && {
          credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
        }),
      // Newer SDKs add CRC checksums by default, which several S3-compatible servers reject.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private fullKey(key: string): string {
    return this.prefix + checkKey(key);
  }

  private where(key: string): string {
    return `${this.description}${key}`;
  }

  async put(key: string, body: Uint8Array | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    const fullKey = this.fullKey(key);
    if (options.sha256 !== undefined) assertSha256(options.sha256, `expected sha256 of ${key}`);
    if (!(body instanceof Readable)) {
      const sha256 = sha256Hex(body);
      if (options.sha256 !== undefined && options.sha256 !== sha256) {
        throw new ChecksumMismatchError(`put ${this.where(key)}`, options.sha256, sha256);
      }
      await this.upload(key, fullKey, body, body.length, sha256, options.contentType);
      return { key, bytes: body.length, sha256 };
    }
    if (options.sha256 !== undefined) {
      const hasher = new HashingStream(`put ${this.where(key)}`, options.sha256);
      const piping = pipeline(body, hasher);
      const uploading = this.upload(key, fullKey, hasher, undefined, options.sha256, options.contentType);
      const [piped, uploaded] = await Promise.allSettled([
        piping,
        uploading.catch((e: unknown) => {
          hasher.destroy(coerceError(e));
          throw e;
        }),
      ]);
      if (piped.status === 'rejected') throw coerceError(piped.reason);
      if (uploaded.status === 'rejected') throw coerceError(uploaded.reason);
      return { key, bytes: hasher.bytes, sha256: hasher.sha256 };
    }
    const dir = await mkdtemp(join(this.tmpDir, 'spottune-s3-put-'));
    try {
      const spool = join(dir, 'body');
      const hasher = new HashingStream(`put ${this.where(key)}`);
      await pipeline(body, hasher, createWriteStream(spool));
      const { size } = await stat(spool);
      await this.upload(key, fullKey, createReadStream(spool), size, hasher.sha256, options.contentType);
      return { key, bytes: size, sha256: hasher.sha256 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** PutObject below the part size, else a multipart Upload (aborted on error), metadata up front. */
  private async upload(
    key: string,
    fullKey: string,
    body: Uint8Array | Readable,
    size: number | undefined,
    sha256: string,
    contentType: string | undefined,
  ): Promise<void> {
    const params = {
      Bucket: this.bucket,
      Key: fullKey,
      Metadata: { [SHA_META]: sha256 },
      ...(contentType !== undefined && { ContentType: contentType }),
    };
    try {
      if (size !== undefined && size < this.partSize) {
        await this.client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: size }));
        return;
      }
      const upload = new Upload({
        client: this.client,
        params: { ...params, Body: body },
        partSize: this.partSize,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (e) {
      throw classifyS3Error(e, `put ${this.where(key)}`);
    }
  }

  private async getObject(key: string, range?: string): Promise<GetObjectCommandOutput & { Body: Readable }> {
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          ...(range !== undefined && { Range: range }),
        }),
      );
    } catch (e) {
      throw classifyS3Error(e, this.where(key));
    }
    if (!(out.Body instanceof Readable))
      throw new Error(`${this.where(key)}: response body is not a Node stream`);
    return out as GetObjectCommandOutput & { Body: Readable };
  }

  async get(key: string): Promise<Readable> {
    return (await this.getObject(key)).Body;
  }

  async getBytes(key: string, options: { verify?: boolean } = {}): Promise<Buffer> {
    const out = await this.getObject(key);
    const bytes = await readAll(out.Body, this.where(key));
    const expected = out.Metadata?.[SHA_META];
    if (options.verify !== false && expected !== undefined) {
      const actual = sha256Hex(bytes);
      if (actual !== expected) throw new ChecksumMismatchError(this.where(key), expected, actual);
    }
    return bytes;
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    checkRange(key, start, endInclusive);
    const size = (await this.head(key)).bytes;
    if (start >= size) {
      throw new ValidationError(
        `range ${start}..${endInclusive} of ${this.where(key)} starts past its ${size} bytes`,
      );
    }
    const out = await this.getObject(key, `bytes=${start}-${Math.min(endInclusive, size - 1)}`);
    return readAll(out.Body, this.where(key));
  }

  async head(key: string): Promise<ObjectInfo> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }),
      );
      const sha256 = out.Metadata?.[SHA_META];
      return {
        key,
        bytes: out.ContentLength ?? 0,
        ...(sha256 !== undefined && { sha256 }),
        ...(out.LastModified !== undefined && { lastModified: out.LastModified }),
      };
    } catch (e) {
      throw classifyS3Error(e, this.where(key));
    }
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
    const full = this.prefix + checkPrefix(prefix);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: full,
            MaxKeys: this.listPageSize,
            ...(token !== undefined && { ContinuationToken: token }),
          }),
        );
      } catch (e) {
        throw classifyS3Error(e, `list ${this.description}${prefix}`);
      }
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield {
          key: item.Key.slice(this.prefix.length),
          bytes: item.Size ?? 0,
          ...(item.LastModified !== undefined && { lastModified: item.LastModified }),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (e) {
      const err = classifyS3Error(e, this.where(key));
      if (err instanceof NotFoundError && !(err.cause instanceof Error && err.cause.name === 'NoSuchBucket'))
        return;
      throw err;
    }
  }

  async ensureReady(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (e) {
      const err = classifyS3Error(e, `bucket ${this.bucket}`);
      if (!(err instanceof NotFoundError)) throw err;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      // Another process created it between our HEAD and CREATE.
      const err = coerceError(e);
      if (err.name !== 'BucketAlreadyOwnedByYou') throw classifyS3Error(err, `create bucket ${this.bucket}`);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

async function readAll(stream: Readable, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (e) {
    throw classifyS3Error(e, what);
  }
  return Buffer.concat(chunks);
}
