import type { Config } from '@spottune/config';
import type { Logger } from '@spottune/logger';
import { createDb } from '@spottune/db';
import { createObjectStore, createVerifiedCache } from '@spottune/storage';
import type { JobDeps } from './processor.ts';

/**
 * Build the processors' clients from the config: the database, the object store and the verified
 * volume cache. The caller closes them with the returned `close`.
 */
export async function createJobDeps(
  config: Config,
  options: { logger?: Logger; migrate?: boolean } = {},
): Promise<JobDeps & { close(): Promise<void> }> {
  const db = await createDb(config.database, {
    ...(options.logger !== undefined && { logger: options.logger }),
    ...(options.migrate !== undefined && { migrate: options.migrate }),
  });
  try {
    const store = createObjectStore(config.storage);
    const cache = createVerifiedCache({ dir: config.cache.dir, store });
    return {
      config,
      db,
      store,
      cache,
      async close() {
        await store.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
