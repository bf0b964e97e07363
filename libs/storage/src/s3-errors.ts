import { NotFoundError, TransientError, coerceError } from '@spottune/errors';

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'InternalError',
  'TimeoutError',
]);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Maps an AWS SDK error to NotFoundError / TransientError; anything else comes back coerced. */
export function classifyS3Error(e: unknown, what: string): Error {
  const err = coerceError(e);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (NOT_FOUND_NAMES.has(err.name) || status === 404) {
    const message = err.name === 'NoSuchBucket' ? `${what}: bucket does not exist` : `${what} not found`;
    return new NotFoundError(message, { cause: err });
  }
  if (TRANSIENT_NAMES.has(err.name) || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientError(`${what}: object store busy or failing (${err.name})`, { cause: err });
  }
  for (let c: unknown = err, depth = 0; c instanceof Error && depth < 6; c = c.cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) {
      return new TransientError(`${what}: object store unreachable (${code})`, { cause: err });
    }
  }
  return err;
}
