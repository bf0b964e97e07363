import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createObjectStore, parseObjectUri } from '@spottune/storage';
import { objectStoreContract } from './object-store.contract.ts';

objectStoreContract('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spottune-objects-'));
  const store = createObjectStore({ kind: 'local', dir: join(dir, 'objects') });
  await store.ensureReady();
  return {
    store,
    corrupt: (key, bytes) => writeFile(join(dir, 'objects', ...key.split('/')), bytes),
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('parseObjectUri: s3 bucket and prefix, file URIs and paths', () => {
  assert.deepEqual(parseObjectUri('s3://my-bucket/a/b'), { kind: 's3', bucket: 'my-bucket', prefix: 'a/b/' });
  assert.deepEqual(parseObjectUri('s3://my-bucket'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseObjectUri('s3://my-bucket/'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseObjectUri('file:///var/objects'), { kind: 'local', dir: '/var/objects' });
  assert.deepEqual(parseObjectUri('/var/objects'), { kind: 'local', dir: '/var/objects' });
  assert.throws(() => parseObjectUri('s3://Bad_Bucket/x'), /not a valid S3 bucket/);
  assert.throws(() => parseObjectUri('gs://bucket/x'), /unsupported scheme/);
});
