import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ValidationError } from '@spottune/errors';
import { ChecksumMismatchError } from './checksum-mismatch-error.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Throws ValidationError unless `value` is a lowercase sha256 hex digest. */
export function assertSha256(value: string, what: string): void {
  if (!SHA256_HEX.test(value)) {
    throw new ValidationError(
      `${what}: expected a lowercase sha256 hex digest, got ${JSON.stringify(value)}`,
    );
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Passes bytes through while hashing and counting them. With `expected`, the stream fails at its
 * end (before the consumer sees 'end') when the digest differs, so an upload or a rename that waits
 * for the end never publishes wrong bytes.
 */
export class HashingStream extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;

  constructor(
    private readonly what: string,
    private readonly expected?: string,
  ) {
    super();
  }

  /** The hex digest; only after the stream has ended. */
  get sha256(): string {
    if (this.digest === undefined) throw new Error(`${this.what}: sha256 read before the stream ended`);
    return this.digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    if (this.expected !== undefined && this.digest !== this.expected) {
      callback(new ChecksumMismatchError(this.what, this.expected, this.digest));
      return;
    }
    callback();
  }
}
