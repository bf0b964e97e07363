import type { Config } from '@spottune/config';
import { parseEnv } from '@spottune/config';
import { createLogger, type Logger } from '@spottune/logger';
import { coerceError } from '@spottune/errors';
import { startWorker } from './start-worker.ts';

/**
 * Run a worker until a signal. SIGTERM/SIGINT: stop taking jobs, abort the running one between
 * batches (the training loop has checkpointed the last epoch; the job is retried and resumes), exit 0.
 * A second signal forces exit 1 at once (graphile-worker's convention). `singleJob`: exit 0 after one job.
 */
export async function runWorker(
  config: Config,
  logger: Logger,
  options: { singleJob?: boolean } = {},
): Promise<void> {
  const worker = startWorker({ config, logger, singleJob: options.singleJob === true });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.error({ signal }, 'second signal: forcing exit');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    worker.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: coerceError(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (options.singleJob === true) {
    await worker.done;
    logger.info('single job done');
    process.exit(0);
  }
  await new Promise(() => {}); // runs until a signal
}

/** Entry point: parse the environment once, then run. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const config = parseEnv();
  const logger = createLogger({
    level: config.log.level,
    pretty: config.log.pretty,
    base: { app: 'worker' },
  });
  await runWorker(config, logger, { singleJob: argv.includes('--single-job') });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`worker: ${coerceError(e).stack}\n`);
    process.exit(1);
  });
}
