import { DataError } from '@spottune/errors';
import type { AppErrorOptions } from '@spottune/errors';

/**
 * A NIfTI file that cannot be read faithfully: wrong magic, truncated, corrupt gzip, unsupported
 * datatype, impossible dims or offsets. `details.file` names the file and `details.reason` says why,
 * so the message in a log or a Trial.failureReason is actionable on its own.
 */
export class NiftiError extends DataError {
  override readonly code = 'NIFTI_INVALID';

  constructor(file: string, reason: string, options: Omit<AppErrorOptions, 'details'> = {}) {
    super(`invalid NIfTI file ${file}: ${reason}`, { ...options, details: { file, reason } });
  }

  get file(): string {
    return String(this.details?.['file']);
  }

  get reason(): string {
    return String(this.details?.['reason']);
  }
}
