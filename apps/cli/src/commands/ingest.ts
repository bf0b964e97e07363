import type { Command } from 'commander';
import type { CliContext, RegisterCommand } from '../context.ts';

/** `spottune ingest DIR|s3://bucket/prefix`: preprocess a UPENN-GBM-layout cohort into storage. */
export const registerIngestCommand: RegisterCommand = (program: Command, context: () => CliContext) => {
  program
    .command('ingest')
    .description('ingest a UPENN-GBM-layout cohort: preprocess every volume into object storage, record rows')
    .argument('<source>', 'cohort root: a directory or s3://bucket/prefix')
    .option('--name <name>', 'cohort name (default: the last path segment of the source)')
    .option('--json', 'print the summary as JSON')
    .action(async (source: string, flags: { name?: string; json?: boolean }) => {
      const { config, logger, stdout } = context();
      const [{ createDb }, { createObjectStore }, { formatCohortSummary, ingestCohort }] = await Promise.all([
        import('@spottune/db'),
        import('@spottune/storage'),
        import('@spottune/cohort'),
      ]);
      const db = await createDb(config.database, { migrate: true, logger });
      const store = createObjectStore(config.storage);
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await store.ensureReady();
        const result = await ingestCohort({
          source,
          ...(flags.name !== undefined && { name: flags.name }),
          db,
          store,
          logger,
          storage: config.storage,
          signal: abort.signal,
          onPatient: (done, total, outcome) =>
            logger.info({ done, total, patient: outcome.key }, 'patient ingested'),
        });
        if (flags.json === true)
          stdout(`${JSON.stringify({ cohortId: result.cohortId, ...result.summary })}\n`);
        else stdout(`cohort ${result.name} (${result.cohortId})\n${formatCohortSummary(result.summary)}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await store.close();
        await db.close();
      }
    });
};
