import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, NotFoundError, TransientError, coerceError, isRetryable } from './index.ts';

test('errors carry stable codes, names and HTTP statuses', () => {
  const e = new NotFoundError('no such key', { details: { key: 'a/b' } });
  assert.equal(e.code, 'NOT_FOUND');
  assert.equal(e.name, 'NotFoundError');
  assert.equal(e.httpStatus, 404);
  assert.deepEqual(e.toJSON().details, { key: 'a/b' });
  assert.ok(e instanceof Error);
});

test('isRetryable looks through causes', () => {
  const inner = new TransientError('redis down');
  assert.equal(isRetryable(new Error('wrapped', { cause: inner })), true);
  assert.equal(isRetryable(new DataError('bad nifti')), false);
  assert.equal(isRetryable(new Error('plain')), false);
});

test('coerceError wraps non-errors and keeps the original as cause', () => {
  const e = coerceError({ weird: 1 });
  assert.equal(e.message, '{"weird":1}');
  assert.deepEqual(e.cause, { weird: 1 });
  const same = new Error('x');
  assert.equal(coerceError(same), same);
});
