import { ConflictError, NotFoundError, TransientError, coerceError } from '@spottune/errors';
import { Prisma } from './generated/client.ts';

/** Prisma codes for a database that may answer later: unreachable, timed out, busy, write conflict. */
const TRANSIENT_PRISMA_CODES = new Set([
  'P1001', // can't reach database server
  'P1002', // server reached but timed out
  'P1008', // operations timed out
  'P1017', // server closed the connection
  'P2024', // timed out fetching a connection from the pool
  'P2034', // write conflict or deadlock: retry the transaction
  'P2037', // too many database connections
]);

/** Node socket errors (raw `pg` connections, e.g. the migration runner). */
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** SQLSTATEs (raw `pg` errors): serialization failure, deadlock, connection exceptions, shutdown, overload. */
const TRANSIENT_SQLSTATE = /^(40001|40P01|08...|57P0[123]|53300|53400)$/;

/** Driver-adapter error kinds Prisma wraps (meta.driverAdapterError.cause.kind). */
const TRANSIENT_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
]);

/**
 * Maps what Prisma or `pg` threw to the typed errors: unique violation → ConflictError (naming the
 * fields), record not found → NotFoundError, connection trouble and write conflicts → TransientError
 * (retried). Anything else comes back unchanged (coerced to an Error), for the caller to rethrow.
 */
export function classifyDbError(e: unknown): Error {
  const err = coerceError(e);
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    const meta = err.meta ?? {};
    const model = typeof meta.modelName === 'string' ? meta.modelName : undefined;
    if (err.code === 'P2002') {
      const fields = uniqueFields(meta);
      return new ConflictError(
        `${model ?? 'row'} already exists with the same ${fields.length > 0 ? fields.join(', ') : 'unique key'}`,
        { cause: err, details: { model, fields } },
      );
    }
    if (err.code === 'P2025') {
      const cause = typeof meta.cause === 'string' ? `: ${meta.cause}` : '';
      return new NotFoundError(`${model ?? 'record'} not found${cause}`, {
        cause: err,
        details: { model, operation: meta.operation },
      });
    }
    if (TRANSIENT_PRISMA_CODES.has(err.code) || TRANSIENT_ADAPTER_KINDS.has(adapterKind(meta) ?? '')) {
      return transient(err);
    }
    return err;
  }
  if (err instanceof Prisma.PrismaClientInitializationError) {
    return err.errorCode !== undefined && TRANSIENT_PRISMA_CODES.has(err.errorCode) ? transient(err) : err;
  }
  if (err instanceof Prisma.PrismaClientRustPanicError) return err;
  // pglite-prisma-adapter 0.6 lets the raw DriverAdapterError through, its cause a plain object.
  if (err.name === 'DriverAdapterError' && isRecord(err.cause)) {
    const cause = err.cause;
    if (TRANSIENT_ADAPTER_KINDS.has(String(cause.kind))) return transient(err);
    if (cause.kind === 'UniqueConstraintViolation') {
      const fields = uniqueFields({ driverAdapterError: { cause } });
      return new ConflictError(`row already exists with the same ${fields.join(', ')}`, {
        cause: err,
        details: { fields },
      });
    }
    if (cause.kind === 'postgres' && typeof cause.code === 'string') {
      if (cause.code === '23505') return uniqueViolation(err, cause.detail);
      if (TRANSIENT_SQLSTATE.test(cause.code)) return transient(err);
    }
    return err;
  }
  // Raw `pg`/socket errors, possibly wrapped: look down the cause chain.
  for (let c: unknown = err, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)) return transient(err);
    if (code === '23505') return uniqueViolation(err, (c as { detail?: unknown }).detail);
  }
  return err;
}

/** A raw SQLSTATE 23505; Postgres' detail reads `Key (col_a, col_b)=(x, y) already exists.` */
function uniqueViolation(err: Error, detail: unknown): ConflictError {
  const columns = typeof detail === 'string' ? /^Key \((.+?)\)=/.exec(detail)?.[1] : undefined;
  const fields = columns === undefined ? [] : columns.split(',').map((f) => f.trim());
  return new ConflictError(
    `row already exists with the same ${fields.length > 0 ? fields.join(', ') : 'unique key'}`,
    { cause: err, details: { fields } },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Error);
}

function transient(err: Error): TransientError {
  return new TransientError(`database unavailable or busy: ${firstLine(err.message)}`, { cause: err });
}

function firstLine(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1]?.trim() ?? message;
}

function adapterKind(meta: Record<string, unknown>): string | undefined {
  const cause = (meta.driverAdapterError as { cause?: { kind?: unknown } } | undefined)?.cause;
  return typeof cause?.kind === 'string' ? cause.kind : undefined;
}

/** `meta.target` (classic engine) or the driver adapter's `constraint.fields`. */
function uniqueFields(meta: Record<string, unknown>): string[] {
  if (Array.isArray(meta.target)) return meta.target.map(String);
  if (typeof meta.target === 'string') return [meta.target];
  const cause = (meta.driverAdapterError as { cause?: { constraint?: unknown } } | undefined)?.cause;
  const constraint = cause?.constraint as { fields?: unknown; index?: unknown } | undefined;
  if (Array.isArray(constraint?.fields)) return constraint.fields.map(String);
  if (typeof constraint?.index === 'string') return [constraint.index];
  return [];
}
