import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ChecksumMismatchError, createObjectStore } from '@spottune/storage';
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

test('local: failed writes leave no temp files, and objects sit at <dir>/<key> with a sidecar', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spottune-objects-'));
  try {
    const store = createObjectStore({ kind: 'local', dir });
    await store.ensureReady();
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(70_000, 1);
        throw new Error('source broke');
      })(),
    );
    await assert.rejects(store.put('a/b.bin', failing), /source broke/);
    const wrong = '0'.repeat(64);
    await assert.rejects(
      store.put('a/c.bin', Readable.from([Buffer.from('abc')]), { sha256: wrong }),
      ChecksumMismatchError,
    );
    const info = await store.put('a/d.bin', Buffer.from('abc'));
    const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
      .sort();
    assert.deepEqual(files, ['.meta/a/d.bin.json', 'a/d.bin']);
    assert.deepEqual(JSON.parse(await readFile(join(dir, '.meta/a/d.bin.json'), 'utf8')), {
      sha256: info.sha256,
      bytes: 3,
    });
    assert.equal(store.description, pathToFileURL(dir).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
