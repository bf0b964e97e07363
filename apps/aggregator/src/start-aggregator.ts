import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@spottune/config';
import type { Logger } from '@spottune/logger';
import { ConfigError } from '@spottune/errors';
import { QUEUES, createJobDeps, handlers } from '@spottune/jobs';
import { processBullmqJob } from '../../worker/src/bullmq-processor.ts';

export interface RunningAggregator {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The aggregator: a plain (in-process, CPU-only) BullMQ Worker on the `aggregate` queue. Each job is
 * the parent of an experiment's flow and runs once every training child has finished or failed.
 */
export async function startAggregator(config: Config, logger: Logger): Promise<RunningAggregator> {
  if (config.redis === null) throw new ConfigError('the aggregator needs REDIS_URL');
  const deps = await createJobDeps(config, { logger });
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  connection.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const worker = new Worker(
    QUEUES.aggregate,
    (job, _token, signal) => processBullmqJob(handlers, deps, logger, job, signal),
    {
      connection,
      prefix: config.redis.prefix,
      concurrency: 1,
      // Aggregation is seconds of arithmetic on the event loop; the default lock is ample.
      lockDuration: 60_000,
    },
  );
  worker.on('error', (err) => logger.error({ err }, 'aggregator error'));
  logger.info('aggregator started');
  let closing: Promise<void> | undefined;
  return {
    worker,
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        await connection.quit();
        await deps.close();
      })()),
  };
}
