import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '@spottune/config';
import { NotFoundError, TransientError } from '@spottune/errors';
import { createObjectStore, sha256Hex } from '@spottune/storage';
import { startS3TestServer } from '../support/s3-server.ts';
import { objectStoreContract } from './object-store.contract.ts';

function s3Config(endpoint: string, bucket: string): Extract<StorageConfig, { kind: 's3' }> {
  return {
    kind: 's3',
    bucket,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    accessKeyId: 'test-access-key',
    secretAccessKey: 'test-secret-key',
    prefix: 'spottune/run',
  };
}

objectStoreContract('s3', async () => {
  const server = await startS3TestServer();
  // A bucket of our own per test file: several test files share one server in CI.
  const config = s3Config(server.endpoint, `spottune-test-${process.pid}-${randomBytes(3).toString('hex')}`);
  const store = createObjectStore(config, { listPageSize: 2 });
  await store.ensureReady();
  await store.ensureReady(); // idempotent
  const raw = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' },
  });
  return {
    store,
    corrupt: async (key, bytes) => {
      const full = `spottune/run/${key}`;
      const head = await raw.send(new HeadObjectCommand({ Bucket: config.bucket, Key: full }));
      await raw.send(
        new PutObjectCommand({ Bucket: config.bucket, Key: full, Body: bytes, Metadata: head.Metadata }),
      );
    },
    assertMultipart: async (key) => {
      const head = await raw.send(
        new HeadObjectCommand({ Bucket: config.bucket, Key: `spottune/run/${key}` }),
      );
      // A multipart object's ETag is "<md5 of part md5s>-<parts>".
      assert.match(head.ETag ?? '', /-[0-9]+"?$/, `ETag ${head.ETag} of ${key}`);
      assert.equal(head.Metadata?.sha256?.length, 64);
    },
    cleanup: async () => {
      raw.destroy();
      await store.close();
      await server.close();
    },
  };
});

test('s3: a missing bucket is NotFoundError, an unreachable endpoint is TransientError', async () => {
  const server = await startS3TestServer();
  try {
    const missing = createObjectStore(s3Config(server.endpoint, `spottune-missing-${process.pid}`));
    await assert.rejects(missing.head('x'), NotFoundError);
    await missing.close();
  } finally {
    await server.close();
  }
  // Port 1: nothing listens; the SDK's own retries run, then the error is classified.
  const dead = createObjectStore(s3Config('http://127.0.0.1:1', 'spottune-dead'));
  await assert.rejects(dead.put('x', Buffer.from('x')), TransientError);
  await dead.close();
  assert.equal(
    sha256Hex(Buffer.from('')),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
});
