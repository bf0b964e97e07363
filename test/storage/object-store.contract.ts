import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError, ValidationError } from '@spottune/errors';
import { ChecksumMismatchError, createVerifiedCache, type ObjectStore } from '@spottune/storage';

export interface ContractFixture {
  store: ObjectStore;
  /** Overwrites the stored bytes behind the store's back, keeping its recorded sha256. */
  corrupt(key: string, bytes: Uint8Array): Promise<void>;
  /** Asserts the object was stored in several parts (S3), or nothing (local). */
  assertMultipart?(key: string): Promise<void>;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

/** Deterministic bytes that differ per position and per seed (test data, not randomness). */
export function pattern(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A stream of unknown length (no size known up front) in uneven chunks. */
function unknownLength(bytes: Buffer, chunk = 1_000_003): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  );
}

async function readStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function collect(iterable: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of iterable) keys.push(item.key);
  return keys;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

/** The behaviour every ObjectStore must have, run against S3 (fauxqs) and a local directory. */
export function objectStoreContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`${name} object store contract`, () => {
    let f: ContractFixture;
    let store: ObjectStore;
    before(async () => {
      f = await setup();
      store = f.store;
    });
    after(() => f.cleanup());

    test('description names the location without credentials', () => {
      assert.match(store.description, /^(s3|file):\/\//);
      assert.doesNotMatch(store.description, /secret|@/);
    });

    test('put/get round trip of bytes records size and sha256', async () => {
      const bytes = pattern(1000, 2);
      const info = await store.put('round/bytes.bin', bytes, { contentType: 'application/octet-stream' });
      assert.deepEqual(info, { key: 'round/bytes.bin', bytes: 1000, sha256: sha(bytes) });
      assert.deepEqual(await readStream(await store.get('round/bytes.bin')), bytes);
      assert.deepEqual(await store.getBytes('round/bytes.bin'), bytes);
      const head = await store.head('round/bytes.bin');
      assert.equal(head.bytes, 1000);
      assert.equal(head.sha256, sha(bytes));
      assert.ok(head.lastModified instanceof Date);
      assert.equal(await store.exists('round/bytes.bin'), true);
      assert.equal(await store.exists('round/missing.bin'), false);
      // Overwrite replaces bytes and hash together.
      const again = pattern(10, 3);
      await store.put('round/bytes.bin', again);
      assert.deepEqual(await store.getBytes('round/bytes.bin'), again);
      assert.equal((await store.head('round/bytes.bin')).sha256, sha(again));
      // An empty object is an object.
      await store.put('round/empty', new Uint8Array(0));
      assert.equal((await store.getBytes('round/empty')).length, 0);
    });

    test('put of a stream of unknown length, with and without an expected sha256', async () => {
      const bytes = pattern(3 * MiB + 17, 4);
      const info = await store.put('stream/a.bin', unknownLength(bytes));
      assert.deepEqual(info, { key: 'stream/a.bin', bytes: bytes.length, sha256: sha(bytes) });
      assert.deepEqual(await store.getBytes('stream/a.bin'), bytes);
      const info2 = await store.put('stream/b.bin', unknownLength(bytes), { sha256: sha(bytes) });
      assert.equal(info2.sha256, sha(bytes));
      assert.equal((await store.head('stream/b.bin')).sha256, sha(bytes));
    });

    test('a 17 MiB object goes multipart (streamed) and round-trips verified', async () => {
      const bytes = pattern(17 * MiB, 5);
      const digest = sha(bytes);
      const streamed = await store.put('big/streamed.bin', unknownLength(bytes, 4 * MiB + 1), {
        sha256: digest,
      });
      assert.equal(streamed.bytes, bytes.length);
      await f.assertMultipart?.('big/streamed.bin');
      const spooled = await store.put('big/spooled.bin', unknownLength(bytes, 4 * MiB + 1));
      assert.equal(spooled.sha256, digest);
      await f.assertMultipart?.('big/spooled.bin');
      const got = await store.getBytes('big/streamed.bin');
      assert.equal(got.length, bytes.length);
      assert.ok(got.equals(bytes));
      assert.equal((await store.head('big/spooled.bin')).sha256, digest);
      assert.deepEqual(
        await store.getRange('big/streamed.bin', 16 * MiB, 16 * MiB + 9),
        bytes.subarray(16 * MiB, 16 * MiB + 10),
      );
    });

    test('range reads: inclusive end, clamped past the end, refused past the start', async () => {
      const bytes = pattern(100, 6);
      await store.put('range/x', bytes);
      assert.deepEqual(await store.getRange('range/x', 5, 9), bytes.subarray(5, 10));
      assert.deepEqual(await store.getRange('range/x', 0, 0), bytes.subarray(0, 1));
      assert.deepEqual(await store.getRange('range/x', 95, 1000), bytes.subarray(95));
      await assert.rejects(store.getRange('range/x', 100, 120), ValidationError);
      await assert.rejects(store.getRange('range/x', 9, 5), ValidationError);
    });

    test('list by prefix returns every page in key order, keys relative to the store', async () => {
      const keys = ['list/a/1', 'list/a/2', 'list/a/3', 'list/a/4', 'list/a/5', 'list/ab/x', 'list/b/1'];
      for (const key of keys) await store.put(key, Buffer.from(key));
      assert.deepEqual(await collect(store.list('list/a/')), keys.slice(0, 5));
      assert.deepEqual(await collect(store.list('list/a')), keys.slice(0, 6));
      assert.deepEqual(await collect(store.list('list/')), keys);
      assert.deepEqual(await collect(store.list('list/nothing/')), []);
      const items: { key: string; bytes: number }[] = [];
      for await (const item of store.list('list/b/')) items.push({ key: item.key, bytes: item.bytes });
      assert.deepEqual(items, [{ key: 'list/b/1', bytes: 'list/b/1'.length }]);
    });

    test('delete removes; deleting a missing key is fine', async () => {
      await store.put('del/x', Buffer.from('x'));
      await store.delete('del/x');
      assert.equal(await store.exists('del/x'), false);
      await store.delete('del/x');
      await store.delete('del/never-was');
      assert.deepEqual(await collect(store.list('del/')), []);
    });

    test('missing objects raise NotFoundError from get, getBytes, head and getRange', async () => {
      await assert.rejects(store.get('nope/x'), NotFoundError);
      await assert.rejects(store.getBytes('nope/x'), NotFoundError);
      await assert.rejects(store.head('nope/x'), NotFoundError);
      await assert.rejects(store.getRange('nope/x', 0, 1), NotFoundError);
    });

    test('keys that could escape or collide are refused', async () => {
      for (const key of ['', '../x', 'a/../../x', 'a//b', '/abs', 'a/./b', 'a\\b', '.meta/x']) {
        await assert.rejects(store.put(key, Buffer.from('x')), ValidationError, JSON.stringify(key));
        await assert.rejects(store.get(key), ValidationError, JSON.stringify(key));
      }
    });

    test('bytes corrupted behind the store are detected by getBytes', async () => {
      const bytes = pattern(5000, 7);
      await store.put('corrupt/x', bytes);
      const bad = Buffer.from(bytes);
      bad[1234] = (bad[1234] ?? 0) ^ 1;
      await f.corrupt('corrupt/x', bad);
      await assert.rejects(store.getBytes('corrupt/x'), (e: unknown) => {
        assert.ok(e instanceof ChecksumMismatchError);
        assert.equal(e.code, 'CHECKSUM_MISMATCH');
        assert.equal(e.expected, sha(bytes));
        assert.equal(e.actual, sha(bad));
        return true;
      });
      assert.deepEqual(await store.getBytes('corrupt/x', { verify: false }), bad);
    });

    test('put with a wrong expected sha256 is refused and stores nothing', async () => {
      const bytes = pattern(2048, 8);
      const wrong = sha(Buffer.from('something else'));
      await assert.rejects(store.put('wrong/buf', bytes, { sha256: wrong }), ChecksumMismatchError);
      await assert.rejects(
        store.put('wrong/stream', unknownLength(bytes, 100), { sha256: wrong }),
        ChecksumMismatchError,
      );
      await assert.rejects(
        store.put('wrong/big', unknownLength(pattern(9 * MiB, 9), MiB), { sha256: wrong }),
        ChecksumMismatchError,
      );
      await assert.rejects(store.put('wrong/format', bytes, { sha256: 'abc' }), ValidationError);
      assert.deepEqual(await collect(store.list('wrong/')), []);
    });

    test('a failing source stream fails the put and stores nothing', async () => {
      const failing = Readable.from(
        (async function* () {
          yield pattern(1000, 10);
          throw new Error('source broke');
        })(),
      );
      await assert.rejects(store.put('fail/x', failing), /source broke/);
      assert.equal(await store.exists('fail/x'), false);
    });

    describe('verified cache', () => {
      let cacheDir: string;
      before(async () => {
        cacheDir = await mkdtemp(join(tmpdir(), 'spottune-cache-'));
      });
      after(() => rm(cacheDir, { recursive: true, force: true }));

      test('miss downloads and verifies; hit serves the local copy; a corrupt local copy is replaced', async () => {
        const bytes = pattern(70_000, 11);
        await store.put('cache/vol.bin', bytes);
        const cache = createVerifiedCache({ dir: join(cacheDir, 'a'), store });
        const path = await cache.fetch('cache/vol.bin', sha(bytes));
        assert.deepEqual(await readFile(path), bytes);
        // Hit: the object is gone from the store, the cached copy still serves.
        await store.delete('cache/vol.bin');
        assert.equal(await cache.fetch('cache/vol.bin', sha(bytes)), path);
        // A cached file damaged on disk is not served: it is fetched again (and here, missing).
        await writeFile(path, Buffer.from('damaged'));
        await assert.rejects(cache.fetch('cache/vol.bin', sha(bytes)), NotFoundError);
        await store.put('cache/vol.bin', bytes);
        assert.deepEqual(await readFile(await cache.fetch('cache/vol.bin', sha(bytes))), bytes);
      });

      test('concurrent fetches share one download', async () => {
        const bytes = pattern(50_000, 12);
        await store.put('cache/shared.bin', bytes);
        const cache = createVerifiedCache({ dir: join(cacheDir, 'b'), store });
        const paths = await Promise.all([1, 2, 3].map(() => cache.fetch('cache/shared.bin', sha(bytes))));
        assert.equal(new Set(paths).size, 1);
        assert.deepEqual(await filesUnder(join(cacheDir, 'b')), [sha(bytes)]);
      });

      test('a download that does not hash to the expected sha256 fails and leaves no file', async () => {
        const bytes = pattern(40_000, 13);
        await store.put('cache/bad.bin', bytes);
        const bad = Buffer.from(bytes);
        bad[0] = (bad[0] ?? 0) ^ 0xff;
        await f.corrupt('cache/bad.bin', bad);
        const dir = join(cacheDir, 'c');
        const cache = createVerifiedCache({ dir, store });
        await assert.rejects(cache.fetch('cache/bad.bin', sha(bytes)), (e: unknown) => {
          assert.ok(e instanceof ChecksumMismatchError);
          assert.equal(e.code, 'CHECKSUM_MISMATCH');
          return true;
        });
        assert.deepEqual(await filesUnder(dir), []);
        await assert.rejects(cache.fetch('cache/bad.bin', 'not-a-sha'), ValidationError);
      });
    });
  });
}
