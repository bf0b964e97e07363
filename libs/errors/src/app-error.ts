/**
 * The error taxonomy. Every error spottune raises on purpose is an AppError with a stable `code`
 * (never reworded once released: users grep logs and the Trial.failureReason column for it) and a
 * `retryable` flag that the worker edge maps to BullMQ's retry or UnrecoverableError.
 */
export interface AppErrorOptions {
  cause?: unknown;
  /** Extra structured context, logged and (for 4xx) returned to API clients. */
  details?: Record<string, unknown>;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  /** True when the same call may succeed later (network, lock, busy). */
  readonly retryable: boolean = false;
  /** HTTP status when this error reaches the API edge. */
  readonly httpStatus: number = 500;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** A caller passed something invalid (request body, CLI flag, file). Never retried. */
export class ValidationError extends AppError {
  readonly code: string = 'VALIDATION_FAILED';
  override readonly httpStatus: number = 400;
}

/** The environment or a configuration file is invalid; raised once at start-up. */
export class ConfigError extends AppError {
  readonly code = 'CONFIG_INVALID';
}

/** A named thing does not exist (database row, object-store key, file). */
export class NotFoundError extends AppError {
  readonly code: string = 'NOT_FOUND';
  override readonly httpStatus: number = 404;
}

/** Input data is corrupt or inconsistent (bad NIfTI, checksum mismatch, wrong shape). Never retried. */
export class DataError extends AppError {
  readonly code: string = 'DATA_INVALID';
  override readonly httpStatus: number = 422;
}

/** A request conflicts with the current state (duplicate, already cancelled). */
export class ConflictError extends AppError {
  readonly code: string = 'CONFLICT';
  override readonly httpStatus: number = 409;
}

/** A dependency (database, Redis, object store) failed in a way that may pass. Retried with backoff. */
export class TransientError extends AppError {
  readonly code: string = 'TRANSIENT';
  override readonly retryable = true;
  override readonly httpStatus: number = 503;
}

/** Work was cancelled on purpose (AbortSignal, SIGTERM, POST /cancel). */
export class CancelledError extends AppError {
  readonly code = 'CANCELLED';
}

/** Authentication or authorisation failed at the API edge. */
export class AuthError extends AppError {
  readonly code: string;
  override readonly httpStatus: number;
  constructor(kind: 'unauthenticated' | 'forbidden', message: string) {
    super(message);
    this.code = kind === 'unauthenticated' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    this.httpStatus = kind === 'unauthenticated' ? 401 : 403;
  }
}

/**
 * Normalise anything caught into an Error, keeping the original as `cause` (graphile/worker's
 * coerceError). Use at every `catch` before classifying: `const err = coerceError(e)`.
 */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  const message = typeof value === 'string' ? value : safeString(value);
  return new Error(message, { cause: value });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** True when an error (or one of its causes) is an AppError marked retryable. */
export function isRetryable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof AppError) return e.retryable;
  }
  return false;
}
