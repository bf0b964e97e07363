import type { Command } from 'commander';
import { ValidationError } from '@spottune/errors';
import type { CliContext } from '../context.ts';

const APPS = ['api', 'worker', 'aggregator'] as const;
type AppName = (typeof APPS)[number];

/**
 * `spottune serve api|worker|aggregator`: start one of the service's processes in the foreground
 * (each handles SIGTERM/SIGINT itself). Needs DATABASE_URL, REDIS_URL and the storage settings.
 */
export function registerServeCommand(program: Command, context: () => CliContext): void {
  program
    .command('serve')
    .description('run the API, a training worker or the aggregator (the distributed service)')
    .argument('<app>', `one of ${APPS.join(', ')}`)
    .option('--single-job', 'worker only: take one training job, finish it and exit (KEDA ScaledJob)')
    .action(async (app: string, options: { singleJob?: boolean }) => {
      if (!(APPS as readonly string[]).includes(app)) {
        throw new ValidationError(`unknown app "${app}" (expected ${APPS.join(', ')})`);
      }
      await serve(app as AppName, context(), options.singleJob === true);
    });
}

export async function serve(app: AppName, { config, logger }: CliContext, singleJob: boolean): Promise<void> {
  if (app === 'api') {
    const { startServer } = await import('../../../api/src/server.ts');
    const { url } = await startServer(config, logger);
    logger.info({ url }, 'API listening');
    await new Promise(() => {}); // close-with-grace exits the process on SIGTERM/SIGINT
  } else if (app === 'worker') {
    const { runWorker } = await import('../../../worker/src/main.ts');
    await runWorker(config, logger, { singleJob });
  } else {
    const { runAggregator } = await import('../../../aggregator/src/main.ts');
    await runAggregator(config, logger);
  }
}
