import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ConfigError } from '@spottune/errors';
import { createLogger } from '@spottune/logger';
import { parseEnv } from './index.ts';

test('defaults give the embedded setup: PGlite, local storage, in-process jobs', () => {
  const config = parseEnv({ SPOTTUNE_HOME: '/tmp/st-home' });
  assert.deepEqual(config.database, { kind: 'pglite', dir: '/tmp/st-home/pglite' });
  assert.deepEqual(config.storage, { kind: 'local', dir: '/tmp/st-home/objects' });
  assert.equal(config.redis, null);
  assert.equal(config.compute.backend, 'auto');
});

test('distributed settings are parsed into nested config', () => {
  const config = parseEnv({
    DATABASE_URL: 'postgres://u:p@db:5432/spottune',
    REDIS_URL: 'redis://redis:6379',
    S3_BUCKET: 'vols',
    S3_ENDPOINT: 'http://minio:9000',
    S3_ACCESS_KEY_ID: 'minio',
    S3_SECRET_ACCESS_KEY: 'minio-secret',
    SPOTTUNE_API_TOKENS: 'reader-token-1:read;writer-token-1:read,write',
    PORT: '8080',
  });
  assert.equal(config.database.kind, 'postgres');
  assert.equal(config.storage.kind, 's3');
  assert.equal(config.storage.kind === 's3' && config.storage.forcePathStyle, true);
  assert.equal(config.api.port, 8080);
  assert.deepEqual(config.api.tokens[1], { token: 'writer-token-1', scopes: ['read', 'write'] });
});

test('an invalid environment fails once, naming every offending variable', () => {
  let error: unknown;
  try {
    parseEnv({
      DATABASE_URL: 'mysql://nope',
      REDIS_URL: 'http://wrong',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      SPOTTUNE_BACKEND: 'tpu',
      S3_FORCE_PATH_STYLE: 'yes',
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError);
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'PORT',
    'LOG_LEVEL',
    'SPOTTUNE_BACKEND',
    'S3_FORCE_PATH_STYLE',
  ]) {
    assert.match(error.message, new RegExp(`${name}:`), `message names ${name}`);
  }
  assert.doesNotMatch(error.message, /mysql:\/\/nope/, 'values are not echoed');
});

test('cross-field rules: half of the S3 credentials, or both database kinds', () => {
  assert.throws(
    () => parseEnv({ S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k' }),
    /S3_ACCESS_KEY_ID \/ S3_SECRET_ACCESS_KEY/,
  );
  assert.throws(
    () => parseEnv({ DATABASE_URL: 'postgres://x/y', SPOTTUNE_PGLITE_DIR: '/tmp/x' }),
    /set one, not both/,
  );
  assert.throws(() => parseEnv({ SPOTTUNE_API_TOKENS: 'short:read' }), /at least 8/);
  assert.throws(() => parseEnv({ SPOTTUNE_API_TOKENS: 'longenough:root' }), /unknown scope "root"/);
});

test('secrets never reach the logs', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const secrets = {
    DATABASE_URL: 'postgres://admin:hunter2-db@db/spottune',
    REDIS_URL: 'redis://:hunter2-redis@redis:6379',
    S3_BUCKET: 'b',
    S3_ACCESS_KEY_ID: 'AKIA-hunter2-key',
    S3_SECRET_ACCESS_KEY: 'hunter2-secret',
    SPOTTUNE_API_TOKENS: 'hunter2-token:admin',
  };
  const config = parseEnv(secrets);
  const log = createLogger({ destination: sink, level: 'info' });
  log.info({ config }, 'starting');
  log.info({ env: secrets }, 'raw env');
  log.info({ req: { headers: { authorization: 'Bearer hunter2-token' } } }, 'request');
  const out = lines.join('');
  assert.match(out, /starting/);
  assert.match(out, /\[redacted\]/);
  assert.doesNotMatch(out, /hunter2/);
});
