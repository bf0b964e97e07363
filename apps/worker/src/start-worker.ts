import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@spottune/config';
import type { Logger } from '@spottune/logger';
import { ConfigError } from '@spottune/errors';
import { QUEUES } from '@spottune/jobs';
import { SHUTDOWN_REASON } from './bullmq-processor.ts';

/**
 * How many times a job may stall (its lock expired: the pod died or lost Redis for longer than
 * lockDuration) before it is failed. 2: one dead pod and one unlucky restart are survivable, each
 * re-run resumes from the last epoch checkpoint; a third stall means something systematic (e.g. the
 * job OOM-kills every node it lands on). See docs/operations.md.
 */
export const MAX_STALLED_COUNT = 2;

export interface RunningWorker {
  workers: Worker[];
  /** Stop taking jobs, abort running ones between batches (they checkpoint), wait for them. */
  close(): Promise<void>;
  /** Resolves when `singleJob` mode has finished its one job. */
  done: Promise<void>;
}

export interface StartWorkerOptions {
  config: Config;
  logger: Logger;
  /** KEDA ScaledJob mode: take one training job, finish it, and stop. */
  singleJob?: boolean;
  /** Queues to consume. @defaultValue train and ingest */
  queues?: ('train' | 'ingest')[];
}

/**
 * The worker process: one BullMQ Worker per queue (train, ingest), each running the catalog's
 * processors in a sandboxed child process (a fork, not a worker thread, so tfjs-node's native state
 * and any crash stay in the child).
 */
export function startWorker(options: StartWorkerOptions): RunningWorker {
  const { config, logger } = options;
  if (config.redis === null) throw new ConfigError('the worker needs REDIS_URL');
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  connection.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const here = dirname(fileURLToPath(import.meta.url));
  const processorFile = pathToFileURL(join(here, 'sandbox', 'processor.sandbox.ts'));
  const common: WorkerOptions = {
    connection,
    prefix: config.redis.prefix,
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockDurationMs,
    maxStalledCount: MAX_STALLED_COUNT,
    // Look for expired locks every 30 s (BullMQ's default), or every lockDuration when that is shorter,
    // so a dead worker's job is taken over within about one lockDuration + 30 s.
    stalledInterval: Math.min(30_000, config.worker.lockDurationMs),
    useWorkerThreads: false,
    // The child runs the TypeScript processor file: give it tsx's loader even when this process
    // registered tsx programmatically (the spottune binary), which leaves no trace in execArgv.
    workerForkOptions: { execArgv: withTsx(process.execArgv) },
    autorun: false,
  };
  const queues = options.queues ?? [QUEUES.train, QUEUES.ingest];
  const workers = queues.map((queue) => {
    const worker = new Worker(queue, processorFile, {
      ...common,
      ...(options.singleJob === true && { concurrency: 1 }),
    });
    worker.on('error', (err) => logger.error({ err, queue }, 'worker error'));
    worker.on('failed', (job, err) =>
      logger.warn({ jobId: job?.id, queue, err: { message: err.message, name: err.name } }, 'job failed'),
    );
    worker.on('stalled', (jobId) => logger.warn({ jobId, queue }, 'job stalled; it will be re-run'));
    return worker;
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info('worker closing: no new jobs; running jobs checkpoint and stop');
      for (const w of workers) w.cancelAllJobs(SHUTDOWN_REASON);
      await Promise.all(workers.map((w) => w.close()));
      await connection.quit();
    })());
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  if (options.singleJob === true) {
    // One job per pod (KEDA ScaledJob): stop fetching once the first job starts, exit when it ends.
    for (const w of workers) {
      w.once('active', () => {
        void Promise.all(workers.map((x) => x.close())).then(async () => {
          await connection.quit();
          resolveDone();
        });
      });
    }
  }
  for (const w of workers) {
    w.run().catch((err) => logger.error({ err }, 'worker stopped with an error'));
  }
  logger.info(
    { queues, concurrency: common.concurrency, lockDurationMs: common.lockDuration },
    'worker started',
  );
  return { workers, close, done };
}

function withTsx(execArgv: string[]): string[] {
  const has =
    execArgv.some((a, i) => (a === '--import' || a === '--loader') && /tsx/.test(execArgv[i + 1] ?? '')) ||
    execArgv.some((a) => /^--(import|loader)=.*tsx/.test(a));
  return has ? execArgv : [...execArgv, '--import', 'tsx'];
}
