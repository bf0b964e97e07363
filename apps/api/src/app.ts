import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Config } from '@spottune/config';
import type { Db } from '@spottune/db';
import type { Logger } from '@spottune/logger';
import type { ObjectStore } from '@spottune/storage';
import { authPlugin } from './plugins/auth.ts';
import { docsPlugin } from './plugins/docs.ts';
import { errorHandlerPlugin } from './plugins/error-handler.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import type { QueueProducer } from '@spottune/jobs';
import { cohortRoutes } from './routes/cohorts.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import { pageRoutes } from './routes/pages.ts';
import { trialRoutes } from './routes/trials.ts';

export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  store: ObjectStore;
  queue: QueueProducer;
}

/**
 * The API as a Fastify instance, ready for `inject` or `listen` (it never listens itself). The
 * caller owns `deps` and closes them after `app.close()`.
 */
export async function buildApp(deps: AppDeps): Promise<ApiApp> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.config.api.bodyLimit,
    connectionTimeout: 120_000,
    requestTimeout: 60_000,
    // Unknown body fields are errors (the schemas say additionalProperties: false), never silently dropped.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  });
  await app.register(errorHandlerPlugin);
  await app.register(docsPlugin);
  await app.register(authPlugin, { tokens: deps.config.api.tokens });
  await app.register(metricsPlugin, { queue: deps.queue });
  await app.register(healthRoutes, { db: deps.db, queue: deps.queue, store: deps.store });
  await app.register(experimentRoutes, { db: deps.db, queue: deps.queue });
  await app.register(trialRoutes, { db: deps.db });
  await app.register(cohortRoutes, { db: deps.db, queue: deps.queue, config: deps.config });
  await app.register(pageRoutes, { db: deps.db });
  return app;
}
