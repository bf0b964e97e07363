import type { StorageConfig } from '@spottune/config';
import { ValidationError } from '@spottune/errors';
import { createObjectStore, parseObjectUri } from '@spottune/storage';
import { localFileSource, objectStoreFileSource, type FileSource } from './file-source.ts';

export interface OpenedSource {
  source: FileSource;
  close(): Promise<void>;
}

/**
 * A cohort root as a file source: a local directory (or file:// URI), or `s3://bucket/prefix` read with
 * the S3 endpoint and credentials of `storage` (the bucket and prefix come from the URI).
 */
export function openCohortSource(root: string, storage?: StorageConfig): OpenedSource {
  const uri = parseObjectUri(root);
  if (uri.kind === 'local') return { source: localFileSource(uri.dir), close: async () => {} };
  if (storage?.kind !== 's3') {
    throw new ValidationError(
      `${root}: an s3:// cohort needs S3 settings (S3_BUCKET, S3_ENDPOINT, credentials) for the endpoint to read from`,
    );
  }
  const store = createObjectStore({ ...storage, bucket: uri.bucket, prefix: '' });
  return {
    source: objectStoreFileSource(
      root,
      { list: (p) => store.list(p), getBytes: (k) => store.getBytes(k, { verify: false }) },
      uri.prefix,
    ),
    close: () => store.close(),
  };
}

/** A default cohort name: the last path segment of the root. */
export function defaultCohortName(root: string): string {
  const parts = root.replace(/\/+$/, '').split(/[/\\]/);
  return parts[parts.length - 1] || root;
}
