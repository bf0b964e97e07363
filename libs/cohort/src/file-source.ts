import { opendir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NotFoundError, coerceError } from '@spottune/errors';

/**
 * The little the cohort scanner needs from where the files are: a recursive listing and a read.
 * Paths are relative to the source's root and always use '/'.
 */
export interface FileSource {
  /** The root as the user gave it (a directory or an s3:// URI), for messages and Cohort.source. */
  readonly root: string;
  /** Every file under `prefix` (relative, '/'-separated; '' = everything), in no particular order. */
  list(prefix?: string): AsyncIterable<string>;
  read(path: string): Promise<Uint8Array>;
}

/** A local directory. */
export function localFileSource(dir: string): FileSource {
  const base = resolve(dir);
  return {
    root: base,
    async *list(prefix = '') {
      yield* walk(base, prefix.replace(/\/+$/, ''));
    },
    async read(path) {
      try {
        return new Uint8Array(await readFile(join(base, path)));
      } catch (e) {
        const err = coerceError(e);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new NotFoundError(`${join(base, path)}: no such file`, { cause: err });
        }
        throw err;
      }
    },
  };
}

async function* walk(base: string, rel: string): AsyncGenerator<string> {
  let dir;
  try {
    dir = await opendir(rel === '' ? base : join(base, rel));
  } catch (e) {
    const err = coerceError(e);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (rel === '') throw new NotFoundError(`${base}: no such directory`, { cause: err });
      return;
    }
    throw err;
  }
  const subdirs: string[] = [];
  for await (const entry of dir) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) subdirs.push(path);
    else if (entry.isFile() || entry.isSymbolicLink()) yield path;
  }
  for (const sub of subdirs.sort()) yield* walk(base, sub);
}

/** What an object store must offer to serve as a file source (libs/storage's ObjectStore fits). */
export interface ListingObjectStore {
  list(prefix: string): AsyncIterable<string | { key: string }>;
  getBytes(key: string): Promise<Uint8Array>;
}

/** An `s3://bucket/prefix` root read through an object store whose keys are relative to that bucket. */
export function objectStoreFileSource(root: string, store: ListingObjectStore, prefix: string): FileSource {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return {
    root,
    async *list(sub = '') {
      for await (const item of store.list(base + sub)) {
        const key = typeof item === 'string' ? item : item.key;
        if (key.startsWith(base) && !key.endsWith('/')) yield key.slice(base.length);
      }
    },
    read: (path) => store.getBytes(base + path),
  };
}
