import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError, TransientError } from '@spottune/errors';
import { classifyDbError } from './classify-db-error.ts';
import { Prisma } from './generated/client.ts';

// Error shapes as Prisma 6.19 / pg / pglite-prisma-adapter 0.6 produce them (the live cases are
// exercised against Postgres and PGlite in test/db); here the rarer ones that are hard to provoke.
const known = (code: string, meta: Record<string, unknown> = {}) =>
  new Prisma.PrismaClientKnownRequestError(`failed with ${code}`, { code, clientVersion: '6.19.2', meta });

test('Prisma codes: P2002 conflict with fields, P2025 not found, P2034/P1001/P1017 transient', () => {
  const conflict = classifyDbError(
    known('P2002', { modelName: 'Trial', target: ['experimentId', 'hpHash'] }),
  );
  assert.ok(conflict instanceof ConflictError);
  assert.deepEqual(conflict.details?.fields, ['experimentId', 'hpHash']);
  assert.match(conflict.message, /Trial already exists with the same experimentId, hpHash/);
  const viaAdapter = classifyDbError(
    known('P2002', {
      modelName: 'Cohort',
      driverAdapterError: { cause: { kind: 'UniqueConstraintViolation', constraint: { fields: ['name'] } } },
    }),
  );
  assert.deepEqual(viaAdapter instanceof ConflictError && viaAdapter.details?.fields, ['name']);
  assert.ok(
    classifyDbError(known('P2025', { modelName: 'Trial', cause: 'No record was found' })) instanceof
      NotFoundError,
  );
  for (const code of ['P2034', 'P1001', 'P1017', 'P2024']) {
    const err = classifyDbError(known(code));
    assert.ok(err instanceof TransientError, code);
    assert.equal(err.retryable, true);
  }
  const other = known('P2003');
  assert.equal(classifyDbError(other), other, 'a foreign-key violation is returned as is');
  const adapterKind = known('P2010', { driverAdapterError: { cause: { kind: 'TransactionWriteConflict' } } });
  assert.ok(classifyDbError(adapterKind) instanceof TransientError);
});

test('raw pg errors by SQLSTATE and socket code, also when wrapped as a cause', () => {
  const pgError = (code: string, extra: object = {}) =>
    Object.assign(new Error(`pg ${code}`), { code, ...extra });
  assert.ok(classifyDbError(pgError('40001')) instanceof TransientError, 'serialization failure');
  assert.ok(classifyDbError(pgError('40P01')) instanceof TransientError, 'deadlock');
  assert.ok(classifyDbError(pgError('57P01')) instanceof TransientError, 'admin shutdown');
  assert.ok(classifyDbError(pgError('08006')) instanceof TransientError, 'connection failure');
  assert.ok(
    classifyDbError(new Error('wrapped', { cause: pgError('ECONNRESET') })) instanceof TransientError,
  );
  const dup = classifyDbError(pgError('23505', { detail: 'Key (trial_id, epoch)=(x, 3) already exists.' }));
  assert.ok(dup instanceof ConflictError);
  assert.deepEqual(dup.details?.fields, ['trial_id', 'epoch']);
  const syntax = pgError('42601');
  assert.equal(classifyDbError(syntax), syntax);
});

test('pglite-prisma-adapter errors (a DriverAdapterError with a plain-object cause)', () => {
  const adapterError = (cause: object) =>
    Object.assign(new Error('adapter'), { name: 'DriverAdapterError', cause });
  const dup = classifyDbError(
    adapterError({ kind: 'postgres', code: '23505', detail: 'Key (name)=(a) already exists.' }),
  );
  assert.ok(dup instanceof ConflictError);
  assert.deepEqual(dup.details?.fields, ['name']);
  assert.ok(classifyDbError(adapterError({ kind: 'postgres', code: '40001' })) instanceof TransientError);
  const other = adapterError({ kind: 'postgres', code: '42P01' });
  assert.equal(classifyDbError(other), other);
});

test('non-errors are coerced', () => {
  const err = classifyDbError('boom');
  assert.ok(err instanceof Error);
  assert.equal(err.message, 'boom');
});
