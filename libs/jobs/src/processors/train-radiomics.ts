import { DataError } from '@spottune/errors';
import {
  RADIOMICS_FEATURE_NAMES,
  binaryMetrics,
  radiomicsSettingsHash,
  trainRadiomicsForest,
} from '@spottune/evaluation';
import type { JobContext, JobResults } from '../processor.ts';
import { RADIOMICS_GROUP } from '../planning/plan-experiment.ts';

/** Forest settings of the paper (§10): 10,000 trees, max depth 5, at least 10 samples per leaf. */
export const RADIOMICS_FOREST = { nEstimators: 10_000, maxDepth: 5, minSamplesLeaf: 10 } as const;

interface RadiomicsTrial {
  id: string;
  experimentId: string;
  fold: number;
  seed: number;
  hyperparameters: unknown;
}

/**
 * The radiomics-rf baseline as a trial: a random forest on the six Li et al. features (stored per
 * patient at ingest) of the fold's training patients, scored on its validation fold and the hold-out
 * test set of the Struct split. Patients lacking a feature (an empty region) are left out and
 * counted. Writes the same rows as a network trial (one "epoch", predictions), so the radiomics
 * baseline enters the ensembles, tables and statistics like any network.
 */
export async function trainRadiomicsTrial(
  ctx: JobContext,
  trial: RadiomicsTrial,
): Promise<JobResults['train-trial']> {
  const { prisma } = ctx.deps.db;
  const started = Date.now();
  const hp = (trial.hyperparameters ?? {}) as { radiomics?: { trees?: number; binWidth?: number } };
  const settingsHash = radiomicsSettingsHash(
    hp.radiomics?.binWidth === undefined ? {} : { binWidth: hp.radiomics.binWidth },
  );
  const splits = await prisma.split.findMany({
    where: { experimentId: trial.experimentId, modalityGroup: RADIOMICS_GROUP },
    select: {
      role: true,
      fold: true,
      patient: {
        select: {
          id: true,
          externalId: true,
          mgmt: true,
          radiomicsFeatures: { where: { settingsHash }, select: { name: true, value: true } },
        },
      },
    },
    orderBy: { patient: { externalId: 'asc' } },
  });
  const rows = splits.map((s) => {
    const byName = new Map(s.patient.radiomicsFeatures.map((f) => [f.name, f.value]));
    const features = RADIOMICS_FEATURE_NAMES.map((n) => byName.get(n) ?? NaN);
    return {
      patientId: s.patient.id,
      label: s.patient.mgmt === 'METHYLATED' ? 1 : 0,
      part: s.role === 'TEST' ? 'test' : s.fold === trial.fold ? 'val' : 'train',
      features,
      complete: features.every(Number.isFinite),
    };
  });
  const usable = rows.filter((r) => r.complete);
  const train = usable.filter((r) => r.part === 'train');
  if (train.length === 0 || new Set(train.map((r) => r.label)).size < 2) {
    throw new DataError(
      `radiomics trial ${trial.id}: ${train.length} training patients with all ${RADIOMICS_FEATURE_NAMES.length} features (need both classes); were the structural scans ingested?`,
      { details: { failureCode: 'NO_RADIOMICS_FEATURES', settingsHash } },
    );
  }
  const forest = trainRadiomicsForest(
    train.map((r) => r.features),
    train.map((r) => r.label),
    {
      ...RADIOMICS_FOREST,
      ...(hp.radiomics?.trees !== undefined && { nEstimators: hp.radiomics.trees }),
      seed: trial.seed,
    },
  );
  const scored = usable.filter((r) => r.part !== 'train');
  const probabilities = forest.predictProba(scored.map((r) => r.features));
  const val = scored
    .map((r, i) => ({ ...r, probability: probabilities[i]! }))
    .filter((r) => r.part === 'val');
  const metrics = (subset: { label: number; probability: number }[]) =>
    subset.length === 0
      ? null
      : binaryMetrics(
          subset.map((r) => r.label),
          subset.map((r) => r.probability),
        );
  const trainProbabilities = forest.predictProba(train.map((r) => r.features));
  const trainMetrics = metrics(
    train.map((r, i) => ({ label: r.label, probability: trainProbabilities[i]! })),
  );
  const valMetrics = metrics(val);
  const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
  await prisma.$transaction(async (tx) => {
    for (const [split, m] of [
      ['TRAIN', trainMetrics],
      ['VAL', valMetrics],
    ] as const) {
      if (m === null) continue;
      const fields = {
        auc: finite(m.auc),
        ap: finite(m.ap),
        sen: finite(m.sen),
        spe: finite(m.spe),
        acc: finite(m.acc),
        m: finite(m.m),
      };
      await tx.epochMetric.upsert({
        where: { trialId_epoch_split: { trialId: trial.id, epoch: 1, split } },
        create: { trialId: trial.id, epoch: 1, split, ...fields },
        update: fields,
      });
    }
    for (const [i, r] of scored.entries()) {
      const split = r.part === 'val' ? 'VAL' : 'TEST';
      const fields = { probability: probabilities[i]!, label: r.label, samples: 1, routing: [] };
      await tx.prediction.upsert({
        where: { trialId_patientId_split: { trialId: trial.id, patientId: r.patientId, split } },
        create: { trialId: trial.id, patientId: r.patientId, split, ...fields },
        update: fields,
      });
    }
    await tx.trial.update({
      where: { id: trial.id },
      data: {
        status: 'SUCCEEDED',
        backend: 'cpu',
        bestEpoch: 1,
        selection: 'best',
        finishedAt: new Date(),
        durationMs: Date.now() - started,
        progress: { epoch: 1, done: true, excludedPatients: rows.length - usable.length },
        failureCode: null,
        failureReason: null,
      },
    });
  });
  ctx.logger.info(
    { train: train.length, scored: scored.length, excluded: rows.length - usable.length },
    'radiomics forest trained',
  );
  return { trialId: trial.id, status: 'SUCCEEDED', bestEpoch: 1 };
}
