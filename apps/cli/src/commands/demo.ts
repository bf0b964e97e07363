import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '@spottune/errors';
import { generateSyntheticCohort, ingestCohort } from '@spottune/cohort';
import {
  ExperimentRequestSchema,
  createBullmqProducer,
  createExperiment,
  createExperimentsRepository,
  createInProcessRunner,
  createJobDeps,
  handlers,
  type ExperimentRequestInput,
} from '@spottune/jobs';
import type { CliContext } from '../context.ts';
import { formatPaperTables } from '@spottune/report';

interface DemoOptions {
  paper?: boolean;
  folds?: string;
  patients?: string;
  size?: string;
  epochs: string;
  seed: string;
  networks?: string;
  modalities?: string;
  out?: string;
}

/** Defaults of the scaled-down run, and of `--paper`: the paper's full comparison at reduced size. */
const DEFAULTS = {
  size: '16x20x20',
  patients: '24',
  folds: '2',
  networks: 'spottune,resnet,transfer',
  modalities: 'DSC_PH,DTI_FA,T1GD',
};
const PAPER = {
  size: '20x32x32',
  patients: '40',
  folds: '3',
  networks: 'spottune,resnet,transfer,radiomics-rf',
  groups: ['DSC', 'DTI', 'Struct'],
};

/**
 * `spottune demo`: the whole protocol on one machine, scaled down to finish in minutes on two cores —
 * a synthetic UPENN-GBM-layout cohort → ingest (preprocessing into object storage) → DSC-anchored
 * splits → every trial → ensembles and statistics → the printed tables. Embedded by default (PGlite,
 * a local object store, the in-process runner); with DATABASE_URL, REDIS_URL and S3 settings it
 * ingests into the service's storage and submits the experiment to the distributed workers instead.
 */
export function registerDemoCommand(program: Command, context: () => CliContext): void {
  program
    .command('demo')
    .description(
      'synthetic cohort → ingest → splits → train every trial → ensembles → tables (embedded by default)',
    )
    .option(
      '--paper',
      "the paper's comparison at reduced size: SpotTune, random init, transfer and the radiomics forest over DSC, DTI, Struct and their unions; prints Tables 2–5",
    )
    .option(
      '--patients <n>',
      `labelled synthetic patients (default ${DEFAULTS.patients}; --paper ${PAPER.patients})`,
    )
    .option('--folds <n>', `cross-validation folds (default ${DEFAULTS.folds}; --paper ${PAPER.folds})`)
    .option('--size <DxHxW>', `synthetic volume size (default ${DEFAULTS.size}; --paper ${PAPER.size})`)
    .option('--epochs <n>', 'epochs per trial', '2')
    .option('--seed <n>', 'seed of the cohort and the experiment', '42')
    .option(
      '--networks <list>',
      `networks to compare; three or more enable the Friedman test (default ${DEFAULTS.networks})`,
    )
    .option(
      '--modalities <list>',
      `derivatives to train (default ${DEFAULTS.modalities}; --paper: every derivative)`,
    )
    .option('--out <dir>', 'where the synthetic cohort is written (default: SPOTTUNE_HOME/demo-cohort)')
    .action(async (options: DemoOptions) => runDemo(context(), options));
}

async function runDemo(ctx: CliContext, options: DemoOptions): Promise<void> {
  const { config, logger, stdout } = ctx;
  const sizeText = options.size ?? (options.paper === true ? PAPER.size : DEFAULTS.size);
  const size = sizeText.split('x').map(Number);
  if (size.length !== 3 || size.some((n) => !Number.isInteger(n) || n < 8)) {
    throw new ValidationError(`--size must be DxHxW with each ≥ 8, got ${sizeText}`);
  }
  const seed = Number(options.seed);
  const paper = options.paper === true;
  const patients = options.patients ?? (paper ? PAPER.patients : DEFAULTS.patients);
  const folds = Number(options.folds ?? (paper ? PAPER.folds : DEFAULTS.folds));
  const networks = (options.networks ?? (paper ? PAPER.networks : DEFAULTS.networks))
    .split(',')
    .map((n) => n.trim());
  const modalities = options.modalities ?? (paper ? undefined : DEFAULTS.modalities);
  const distributed =
    config.redis !== null && config.database.kind === 'postgres' && config.storage.kind === 's3';
  const deps = await createJobDeps(config, { logger, migrate: !distributed });
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  try {
    await deps.store.ensureReady();
    const outDir = options.out ?? join(config.home, 'demo-cohort');
    stdout(`[${elapsed()}] writing a synthetic cohort of ${patients} patients (${sizeText}) to ${outDir}\n`);
    await generateSyntheticCohort({
      patients: Number(patients),
      outDir,
      seed,
      effect: 2,
      size: [size[0]!, size[1]!, size[2]!],
      missingDsc: 0,
      missingDti: 0,
    });
    const name = `demo-${seed}-${patients}-${sizeText}`;
    const cohort = await ingestCohort({
      source: outDir,
      name,
      db: deps.db,
      store: deps.store,
      logger,
      storage: config.storage,
      onPatient: (done, total) => stdout(`\r[${elapsed()}] ingest ${done}/${total} patients`),
    });
    stdout(`\n[${elapsed()}] cohort ${cohort.name} ingested\n`);
    const volume = await deps.db.prisma.volume.findFirstOrThrow({
      where: { status: 'READY', patient: { cohortId: cohort.cohortId } },
      select: { shape: true },
    });
    const input: ExperimentRequestInput = {
      name: `demo ${new Date().toISOString()}`,
      cohort: cohort.cohortId,
      networks: networks as ExperimentRequestInput['networks'],
      ...(modalities === undefined
        ? { groups: PAPER.groups }
        : { modalities: modalities.split(',').map((m) => m.trim()) }),
      folds,
      training: {
        epochs: Number(options.epochs),
        batchSize: 4,
        depth: 10,
        widths: [4, 8, 8, 8],
        inputSize: volume.shape,
        augmentation: { flip: true, rotate: false, noise: true, deform: false },
      },
      evalSamples: 4,
      seed,
    };
    const parsed = ExperimentRequestSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ValidationError(`${issue.path.join('.')}: ${issue.message}`);
    }
    const created = await createExperiment(deps.db, parsed.data);
    stdout(`[${elapsed()}] experiment ${created.experimentId}: ${created.trials} trials\n`);
    if (distributed) {
      const queue = createBullmqProducer(config.redis!);
      try {
        await queue.addFlow(created.flow);
      } finally {
        await queue.close();
      }
      stdout(
        `submitted to the service; follow it with: spottune experiment status ${created.experimentId} --watch\n`,
      );
      return;
    }
    let done = 0;
    let line = '';
    const runner = createInProcessRunner(handlers, deps, {
      logger,
      concurrency: 1,
      onEvent: (event) => {
        if (event.name === 'train-trial' && (event.type === 'completed' || event.type === 'failed'))
          done += 1;
        if (event.type === 'progress' && event.progress !== undefined) {
          const p = event.progress;
          line = ` epoch ${p.epoch ?? '?'} batch ${p.batch ?? '?'}/${p.batches ?? '?'}`;
        }
        if (event.name === 'aggregate-experiment' && event.type === 'active') line = ' aggregating';
        stdout(`\r[${elapsed()}] trials ${done}/${created.trials}${line}`.padEnd(70));
      },
    });
    const abort = () => void runner.close();
    process.once('SIGINT', abort);
    try {
      await runner.addFlow(created.flow);
      await runner.idle();
    } finally {
      process.off('SIGINT', abort);
      await runner.close();
    }
    stdout(`\n[${elapsed()}] done\n\n`);
    const results = await createExperimentsRepository(deps.db).results(created.experimentId);
    stdout(`experiment ${created.experimentId}: ${results.status}\n\n`);
    stdout(formatPaperTables(results));
    stdout(
      `\nresults: ${config.database.kind === 'pglite' ? config.database.dir : 'the database'} (spottune db sql 'select * from v_ensemble_results'); report: spottune report ${created.experimentId} --out report\n`,
    );
  } finally {
    await deps.close();
  }
}
