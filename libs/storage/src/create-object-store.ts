import type { StorageConfig } from '@spottune/config';
import { LocalObjectStore } from './local-object-store.ts';
import type { ObjectStore, ObjectStoreOptions } from './object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

/** The configured object store: S3 when S3_BUCKET is set, else the local directory. */
export function createObjectStore(config: StorageConfig, options: ObjectStoreOptions = {}): ObjectStore {
  return config.kind === 's3' ? new S3ObjectStore(config, options) : new LocalObjectStore(config.dir);
}
