import { createHash } from 'node:crypto';
import {
  AppError,
  CancelledError,
  DataError,
  NotFoundError,
  coerceError,
  isRetryable,
} from '@spottune/errors';
import {
  corrected,
  describeCompute,
  initBackend,
  trainModel,
  type EpochReport,
  type TrainSettings,
} from '@spottune/model';
import type { JobContext, JobResults, Processor } from '../processor.ts';
import type { TrialHyperparameters } from '../planning/plan-experiment.ts';
import { loadTrialData } from './load-trial-data.ts';
import { trainRadiomicsTrial } from './train-radiomics.ts';
import { resolvePretrained } from './pretrained-weights.ts';

/** How often a running trial re-reads its row to notice `POST /experiments/:id/cancel`. */
const CANCEL_POLL_MS = 2_000;

export function checkpointKey(experimentId: string, trialId: string, epoch: number): string {
  return `checkpoints/${experimentId}/${trialId}/epoch-${epoch}.bin`;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Train one trial. Idempotent under retries: every row is an upsert on its natural key, and a retry
 * resumes from the trial's latest checkpoint (so a crash, stall or SIGTERM costs at most one epoch).
 * Cancellation (ctx.signal, or the trial row set to CANCELLED by the API) stops between batches.
 */
export const trainTrial: Processor<'train-trial'> = async ({ trialId }, ctx) => {
  const { prisma } = ctx.deps.db;
  const trial = await prisma.trial.findUnique({
    where: { id: trialId },
    include: { experiment: { select: { status: true } } },
  });
  if (trial === null) throw new NotFoundError(`trial ${trialId} not found`);
  if (trial.status === 'SUCCEEDED') return { trialId, status: 'SUCCEEDED', bestEpoch: trial.bestEpoch };
  if (trial.status === 'CANCELLED' || trial.experiment.status === 'CANCELLED') {
    return { trialId, status: 'CANCELLED', bestEpoch: null };
  }
  const started = Date.now();
  await prisma.trial.update({
    where: { id: trialId },
    data: {
      status: 'RUNNING',
      attempts: ctx.attempt,
      startedAt: trial.startedAt ?? new Date(),
      failureCode: null,
      failureReason: null,
    },
  });
  await prisma.experiment.updateMany({
    where: { id: trial.experimentId, status: { in: ['PLANNED', 'QUEUED'] } },
    data: { status: 'RUNNING', startedAt: new Date() },
  });
  const controller = new AbortController();
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await run(ctx, trial, controller);
    return result;
  } catch (e) {
    const err = coerceError(e);
    const row = await prisma.trial.findUnique({ where: { id: trialId }, select: { status: true } });
    if (err instanceof CancelledError && row?.status === 'CANCELLED') {
      ctx.logger.info('trial cancelled');
      return { trialId, status: 'CANCELLED', bestEpoch: null };
    }
    const final = !isRetryable(err) || ctx.attempt >= ctx.maxAttempts;
    const shutdown = err instanceof CancelledError;
    await prisma.trial.update({
      where: { id: trialId },
      data:
        final && !shutdown
          ? {
              status: 'FAILED',
              failureCode: failureCode(err),
              failureReason: err.message.slice(0, 2000),
              finishedAt: new Date(),
              durationMs: Date.now() - started,
            }
          : { status: 'QUEUED', failureCode: failureCode(err), failureReason: err.message.slice(0, 2000) },
    });
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
};

function failureCode(err: Error): string {
  if (err instanceof AppError) {
    const specific = err.details?.failureCode;
    return typeof specific === 'string' ? specific : err.code;
  }
  return 'INTERNAL';
}

async function run(
  ctx: JobContext,
  trial: {
    id: string;
    experimentId: string;
    network: string;
    modality: string;
    fold: number;
    seed: number;
    hyperparameters: unknown;
  },
  controller: AbortController,
): Promise<JobResults['train-trial']> {
  const { prisma } = ctx.deps.db;
  const { store } = ctx.deps;
  const hp = trial.hyperparameters as TrialHyperparameters;
  if (trial.network === 'radiomics-rf') return trainRadiomicsTrial(ctx, trial);
  const data = await loadTrialData(ctx.deps, trial, hp);
  const latest = await prisma.checkpoint.findFirst({
    where: { trialId: trial.id },
    orderBy: { epoch: 'desc' },
  });
  let resume: Uint8Array | undefined;
  if (latest !== null) {
    // A fresh, zero-offset copy: a Buffer from the store may be a view into a shared pool, and the
    // checkpoint decoder reads typed arrays from its ArrayBuffer (a resume once failed on exactly that).
    resume = new Uint8Array(await store.getBytes(latest.storageKey));
    if (sha256(resume) !== latest.sha256) {
      throw new DataError(`checkpoint ${latest.storageKey}: sha256 mismatch`, {
        details: { failureCode: 'CHECKSUM_MISMATCH' },
      });
    }
    ctx.logger.info({ epoch: latest.epoch }, 'resuming from checkpoint');
  }
  const backend = await initBackend(ctx.deps.config.compute.backend, ctx.deps.config.compute);
  ctx.logger.info({ backend, compute: describeCompute() }, 'compute backend');
  // Read once per job, before training; on resume the checkpoint already holds the weights.
  const pretrained =
    resume === undefined ? await resolvePretrained(ctx.deps, trial.network, hp.pretrained, ctx.logger) : null;
  const settings: TrainSettings = {
    network: trial.network as TrainSettings['network'],
    depth: hp.depth,
    widths: [hp.widths[0]!, hp.widths[1]!, hp.widths[2]!, hp.widths[3]!],
    epochs: hp.epochs,
    batchSize: hp.batchSize,
    lr: hp.lr,
    agentLr: hp.agentLr,
    weightDecay: hp.weightDecay,
    temperature: hp.temperature,
    evalSamples: hp.evalSamples,
    seed: trial.seed,
    faithful: { ...corrected(), ...hp.faithful },
    plateauFactor: hp.plateauFactor,
    plateauPatience: hp.plateauPatience,
    ...(hp.earlyStoppingPatience !== undefined && { earlyStoppingPatience: hp.earlyStoppingPatience }),
    ...(hp.unfreezeBlocks !== undefined && { unfreezeBlocks: hp.unfreezeBlocks }),
    pretrained,
  };
  let lastPoll = Date.now();
  const result = await trainModel(data, settings, {
    signal: controller.signal,
    ...(resume !== undefined && { resume }),
    logger: ctx.logger,
    onBatch: async (p) => {
      if (Date.now() - lastPoll >= CANCEL_POLL_MS) {
        lastPoll = Date.now();
        const row = await prisma.trial.findUnique({ where: { id: trial.id }, select: { status: true } });
        if (row?.status === 'CANCELLED') controller.abort(new CancelledError('trial cancelled by request'));
      }
      await ctx.reportProgress({ epoch: p.epoch, batch: p.batch, batches: p.batches, loss: p.loss });
    },
    onEpoch: async (report) => {
      await writeEpoch(ctx, trial.id, report);
    },
    onCheckpoint: async ({ epoch, bytes, isBest }) => {
      const key = checkpointKey(trial.experimentId, trial.id, epoch);
      await store.put(key, bytes);
      const fields = { storageKey: key, sha256: sha256(bytes), bytes: BigInt(bytes.byteLength), isBest };
      await prisma.$transaction(async (tx) => {
        if (isBest)
          await tx.checkpoint.updateMany({
            where: { trialId: trial.id, isBest: true },
            data: { isBest: false },
          });
        await tx.checkpoint.upsert({
          where: { trialId_epoch: { trialId: trial.id, epoch } },
          create: { trialId: trial.id, epoch, ...fields },
          update: fields,
        });
      });
    },
  });
  await prisma.$transaction(async (tx) => {
    for (const p of result.predictions) {
      const split = p.split === 'val' ? 'VAL' : 'TEST';
      const fields = {
        probability: p.probability,
        label: p.label,
        samples: p.samples,
        routing: p.routing ?? [],
      };
      await tx.prediction.upsert({
        where: { trialId_patientId_split: { trialId: trial.id, patientId: p.patientId, split } },
        create: { trialId: trial.id, patientId: p.patientId, split, ...fields },
        update: fields,
      });
    }
    const row = await tx.trial.findUniqueOrThrow({ where: { id: trial.id }, select: { startedAt: true } });
    await tx.trial.update({
      where: { id: trial.id },
      data: {
        status: 'SUCCEEDED',
        backend: result.backend || backend,
        bestEpoch: result.bestEpoch,
        selection: result.selection,
        finishedAt: new Date(),
        durationMs: row.startedAt === null ? null : Date.now() - row.startedAt.getTime(),
        progress: { epoch: result.epochs.at(-1)?.epoch ?? 0, done: true },
        failureCode: null,
        failureReason: null,
      },
    });
  });
  ctx.logger.info(
    { bestEpoch: result.bestEpoch, selection: result.selection, backend: result.backend },
    'trial trained',
  );
  return { trialId: trial.id, status: 'SUCCEEDED', bestEpoch: result.bestEpoch };
}

async function writeEpoch(ctx: JobContext, trialId: string, report: EpochReport): Promise<void> {
  const { prisma } = ctx.deps.db;
  const common = {
    lrMain: report.lrMain,
    lrAgent: report.lrAgent,
    durationMs: Math.round(report.durationMs),
  };
  await prisma.$transaction(async (tx) => {
    for (const [split, m] of [
      ['TRAIN', report.train],
      ['VAL', report.val],
    ] as const) {
      const fields = {
        loss: finite(m.loss),
        auc: finite(m.auc),
        ap: finite(m.ap),
        sen: finite(m.sen),
        spe: finite(m.spe),
        acc: finite(m.acc),
        m: finite(m.m),
        ...common,
        ...(split === 'TRAIN' && report.policyStats !== undefined && { policyStats: report.policyStats }),
      };
      await tx.epochMetric.upsert({
        where: { trialId_epoch_split: { trialId, epoch: report.epoch, split } },
        create: { trialId, epoch: report.epoch, split, ...fields },
        update: fields,
      });
    }
    await tx.trial.update({
      where: { id: trialId },
      data: { progress: { epoch: report.epoch, valAuc: finite(report.val.auc), valM: finite(report.val.m) } },
    });
  });
}

/** NaN (e.g. AUC of a one-class validation fold) is stored as NULL. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
