export {
  AppError,
  AuthError,
  CancelledError,
  ConfigError,
  ConflictError,
  DataError,
  NotFoundError,
  TransientError,
  ValidationError,
  coerceError,
  isRetryable,
} from './app-error.ts';
export type { AppErrorOptions } from './app-error.ts';
