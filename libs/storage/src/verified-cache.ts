import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { coerceError } from '@spottune/errors';
import { writeFileAtomic } from './atomic-file.ts';
import { HashingStream, assertSha256 } from './hashing-stream.ts';
import type { ObjectStore } from './object-store.ts';

export interface VerifiedCache {
  /**
   * Local path of the object's bytes, which hash to `sha256`: the cached copy when it still does,
   * else a fresh download (verified before it is renamed into place). A download that does not
   * match raises ChecksumMismatchError (code CHECKSUM_MISMATCH) and leaves no file.
   */
  fetch(key: string, sha256: string): Promise<string>;
}

/**
 * A content-addressed local cache of objects (`<dir>/<sha256[0:2]>/<sha256>`), so workers read
 * volumes from disk and a key rewritten with other bytes can never be served stale. Concurrent
 * fetches of one object in this process share one download; across processes each writes its own
 * temp file and the rename is atomic.
 */
export function createVerifiedCache(options: { dir: string; store: ObjectStore }): VerifiedCache {
  const { dir, store } = options;
  const inFlight = new Map<string, Promise<string>>();

  async function cachedCopyMatches(path: string, sha256: string): Promise<boolean> {
    const hasher = new HashingStream(path);
    try {
      await pipeline(createReadStream(path), hasher, async (source) => {
        for await (const chunk of source) void chunk;
      });
    } catch (e) {
      const err = coerceError(e);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    return hasher.sha256 === sha256;
  }

  async function load(key: string, sha256: string): Promise<string> {
    const path = join(dir, sha256.slice(0, 2), sha256);
    if (await cachedCopyMatches(path, sha256)) return path;
    // A stale or corrupt copy is replaced; remove it first so a failed download leaves no bad file.
    await rm(path, { force: true });
    await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
    const body = await store.get(key);
    await writeFileAtomic(path, body, new HashingStream(`${store.description}${key}`, sha256));
    return path;
  }

  return {
    async fetch(key: string, sha256: string): Promise<string> {
      assertSha256(sha256, `expected sha256 of ${key}`);
      const id = `${sha256}\n${key}`;
      let pending = inFlight.get(id);
      if (pending === undefined) {
        pending = load(key, sha256).finally(() => inFlight.delete(id));
        inFlight.set(id, pending);
      }
      return pending;
    },
  };
}
