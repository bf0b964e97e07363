import { DataError } from '@spottune/errors';
import type { AppErrorOptions } from '@spottune/errors';

/** A .npy file that cannot be read faithfully; `details.file` and `details.reason` say which and why. */
export class NpyError extends DataError {
  override readonly code = 'NPY_INVALID';

  constructor(file: string, reason: string, options: Omit<AppErrorOptions, 'details'> = {}) {
    super(`invalid .npy file ${file}: ${reason}`, { ...options, details: { file, reason } });
  }
}
