import { DataError, type AppErrorOptions } from '@spottune/errors';

/** Stored or downloaded bytes do not hash to the sha256 they should (corruption, truncation, wrong object). */
export class ChecksumMismatchError extends DataError {
  override readonly code: string = 'CHECKSUM_MISMATCH';

  constructor(
    what: string,
    readonly expected: string,
    readonly actual: string,
    options: AppErrorOptions = {},
  ) {
    super(`${what}: sha256 mismatch (expected ${expected}, got ${actual})`, {
      ...options,
      details: { ...options.details, expected, actual },
    });
  }
}
