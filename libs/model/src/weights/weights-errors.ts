import { DataError } from '@spottune/errors';
import type { AppErrorOptions } from '@spottune/errors';

/**
 * A pickle asked for a Python global outside the allow-list. Checkpoints are data: running an
 * arbitrary callable named by a file is how malicious .pth files execute code, so we refuse by name.
 */
export class PickleGlobalNotAllowedError extends DataError {
  override readonly code: string = 'PICKLE_GLOBAL_NOT_ALLOWED';
  readonly global: string;
  constructor(global: string, source: string, options: AppErrorOptions = {}) {
    super(
      `${source}: pickle global '${global}' is not allowed (only OrderedDict, torch storages and tensor rebuilders are)`,
      { ...options, details: { ...options.details, global, source } },
    );
    this.global = global;
  }
}
