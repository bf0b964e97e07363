import closeWithGrace from 'close-with-grace';
import type { Config } from '@spottune/config';
import type { Logger } from '@spottune/logger';
import { ConfigError } from '@spottune/errors';
import { createBullmqProducer, createJobDeps } from '@spottune/jobs';
import { buildApp } from './app.ts';

/**
 * Start the API: clients, the app, listen; close everything on SIGTERM/SIGINT or a fatal error
 * (close-with-grace, 10 s delay). Returns a function that closes it (tests, the CLI).
 */
export async function startServer(
  config: Config,
  logger: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  if (config.redis === null)
    throw new ConfigError('the API needs REDIS_URL (the embedded mode runs `spottune demo`)');
  const deps = await createJobDeps(config, { logger });
  const queue = createBullmqProducer(config.redis);
  const app = await buildApp({ config, logger, db: deps.db, store: deps.store, queue });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await queue.close();
      await deps.close();
    })());
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err !== undefined) logger.error({ err }, 'closing after an error');
    await close();
  });
  const url = await app.listen({ host: config.api.host, port: config.api.port });
  return { url, close };
}
