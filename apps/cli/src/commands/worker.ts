import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { serve } from './serve.ts';

/** `spottune worker`: shorthand for `spottune serve worker` (a training + ingest worker). */
export function registerWorkerCommand(program: Command, context: () => CliContext): void {
  program
    .command('worker')
    .description('run a training and ingest worker (same as `serve worker`)')
    .option('--single-job', 'take one training job, finish it and exit (KEDA ScaledJob)')
    .action(async (options: { singleJob?: boolean }) => {
      await serve('worker', context(), options.singleJob === true);
    });
}
