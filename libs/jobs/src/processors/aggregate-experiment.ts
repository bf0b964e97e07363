import { NotFoundError } from '@spottune/errors';
import {
  METRIC_NAMES,
  buildEnsembles,
  compareNetworks,
  type ComparisonScope,
  type Ensemble,
  type TrialPredictions,
} from '@spottune/evaluation';
import type { DbOrTx } from '@spottune/db';
import type { JobContext, Processor } from '../processor.ts';
import { RADIOMICS_GROUP, RADIOMICS_MODALITY } from '../planning/plan-experiment.ts';
import {
  DERIVATIVES_BY_GROUP,
  MODALITY_GROUP_NAMES,
  groupOfDerivative,
  type ModalityGroup,
} from '../planning/modalities.ts';

/**
 * Aggregate an experiment (reference §8–§9): Gumbel-sample means → fold ensembles per derivative →
 * group ensembles → unions of groups, all scored on the common test patients (the DSC hold-out);
 * AUC/AP/SEN/SPE/ACC/M with bootstrap 95% CIs and ROC/PR points; then, for each ensemble name that at
 * least three networks share and for each network's best ensemble, a Friedman χ² test with the
 * **common test patients as blocks and each network's ensemble probability as the measurement**, and
 * the Nemenyi post-hoc when Friedman p < 0.05 (as the paper). Trials that did not succeed are
 * recorded as missing. Idempotent: every row is an upsert on its natural key.
 */
export const aggregateExperiment: Processor<'aggregate-experiment'> = async ({ experimentId }, ctx) => {
  const { prisma } = ctx.deps.db;
  const experiment = await prisma.experiment.findUnique({
    where: { id: experimentId },
    select: { id: true, seed: true, status: true },
  });
  if (experiment === null) throw new NotFoundError(`experiment ${experimentId} not found`);
  const trials = await prisma.trial.findMany({
    where: { experimentId },
    select: {
      id: true,
      network: true,
      modality: true,
      fold: true,
      status: true,
      predictions: {
        where: { split: 'TEST' },
        select: { patientId: true, probability: true, label: true, samples: true },
      },
    },
  });
  const succeeded = trials.filter((t) => t.status === 'SUCCEEDED' && t.predictions.length > 0);
  const missingTrials = trials.length - succeeded.length;
  const common = await prisma.split.findMany({
    where: { experimentId, modalityGroup: 'DSC', role: 'TEST' },
    select: { patientId: true },
  });
  const ensembles =
    succeeded.length === 0
      ? []
      : build(
          ctx,
          experiment.seed,
          trials,
          succeeded,
          common.map((c) => c.patientId),
        );
  for (const e of ensembles) await writeEnsemble(prisma, experimentId, e);
  const tests = compare(ctx, ensembles);
  for (const t of tests) {
    await prisma.statisticalTest.upsert({
      where: {
        experimentId_kind_scope_comparison: {
          experimentId,
          kind: t.kind,
          scope: t.scope,
          comparison: t.comparison,
        },
      },
      create: { experimentId, ...t },
      update: t,
    });
  }
  const status =
    experiment.status === 'CANCELLED' ? 'CANCELLED' : ensembles.length > 0 ? 'SUCCEEDED' : 'FAILED';
  await prisma.experiment.update({
    where: { id: experimentId },
    data: {
      status,
      finishedAt: new Date(),
      failureReason:
        status === 'FAILED'
          ? `no trial succeeded (${trials.length} planned)`
          : missingTrials > 0
            ? `${missingTrials} of ${trials.length} trials missing`
            : null,
    },
  });
  ctx.logger.info(
    { ensembles: ensembles.length, tests: tests.length, missingTrials },
    'experiment aggregated',
  );
  return { experimentId, ensembles: ensembles.length, missingTrials };
};

type TrialRow = { id: string; network: string; modality: string; fold: number; status: string };

function build(
  ctx: JobContext,
  seed: number,
  planned: TrialRow[],
  succeeded: (TrialRow & {
    predictions: { patientId: string; probability: number; label: number; samples: number }[];
  })[],
  commonPatients: string[],
): Ensemble[] {
  const toInput = (t: (typeof succeeded)[number]): TrialPredictions => ({
    trialId: t.id,
    network: t.network,
    modality: t.modality,
    fold: t.fold,
    predictions: t.predictions,
  });
  const isRadiomics = (t: TrialRow) => t.network === 'radiomics-rf';
  const input = succeeded.filter((t) => !isRadiomics(t)).map(toInput);
  const present = MODALITY_GROUP_NAMES.filter((g) =>
    planned.some((t) => groupOfDerivative(t.modality) === g),
  );
  const combinations = unions(present);
  const groups = Object.fromEntries(
    MODALITY_GROUP_NAMES.map((g) => [g, [...DERIVATIVES_BY_GROUP[g]]]),
  ) as Record<ModalityGroup, string[]>;
  const expected = (rows: TrialRow[]) =>
    rows.map((t) => ({ network: t.network, modality: t.modality, fold: t.fold }));
  const common = {
    bootstrap: { samples: 2000, alpha: 0.05, seed: `${seed}:aggregate` },
    ...(commonPatients.length > 0 && { commonPatients }),
  };
  ctx.logger.debug({ trials: input.length, combinations }, 'building ensembles');
  const ensembles =
    input.length === 0
      ? []
      : buildEnsembles(input, {
          groups,
          combinations,
          expected: expected(planned.filter((t) => !isRadiomics(t))),
          ...common,
        });
  // The radiomics baseline is one model per fold on the structural scans: its only group is Struct,
  // and it takes part in no union (a "DSC+Struct" of a Struct-only model would be a mislabelled copy).
  // Patients with an empty tumour region have undefined features and no radiomics prediction (as in
  // the paper: 54 radiomics test patients against the networks' 57), so its ensembles are scored on the
  // common test patients it could predict; the Friedman tests use the patients shared by all networks.
  const radiomics = succeeded.filter(isRadiomics).map(toInput);
  if (radiomics.length > 0) {
    const predicted = radiomics.map((t) => new Set(t.predictions.map((p) => p.patientId)));
    const scored = commonPatients.filter((id) => predicted.every((s) => s.has(id)));
    ensembles.push(
      ...buildEnsembles(radiomics, {
        groups: { [RADIOMICS_GROUP]: [RADIOMICS_MODALITY] },
        combinations: [],
        expected: expected(planned.filter(isRadiomics)),
        ...common,
        ...(commonPatients.length > 0 && { commonPatients: scored }),
      }),
    );
  }
  return ensembles;
}

/** Every union of two or more of the groups present, in DSC, DTI, Struct order ('DSC+DTI', …). */
function unions(groups: ModalityGroup[]): string[] {
  const out: string[] = [];
  for (let mask = 1; mask < 1 << groups.length; mask++) {
    const members = groups.filter((_, i) => mask & (1 << i));
    if (members.length >= 2) out.push(members.join('+'));
  }
  return out;
}

async function writeEnsemble(prisma: DbOrTx, experimentId: string, e: Ensemble): Promise<void> {
  const curves = {
    roc: e.curves.roc.fpr.map((fpr, i) => [fpr, e.curves.roc.tpr[i]!]),
    pr: e.curves.pr.recall.map((recall, i) => [recall, e.curves.pr.precision[i]!]),
  };
  const fields = { members: e.members, missing: e.missing, patients: e.predictions.length, curves };
  const row = await prisma.ensemble.upsert({
    where: {
      experimentId_network_level_name: { experimentId, network: e.network, level: e.level, name: e.name },
    },
    create: { experimentId, network: e.network, level: e.level, name: e.name, ...fields },
    update: fields,
    select: { id: true },
  });
  for (const metric of METRIC_NAMES) {
    const value = e.metrics[metric];
    if (!Number.isFinite(value)) continue;
    const ci = e.metrics.ci?.[metric];
    const m = {
      value,
      ciLow: ci !== undefined && Number.isFinite(ci.low) ? ci.low : null,
      ciHigh: ci !== undefined && Number.isFinite(ci.high) ? ci.high : null,
    };
    await prisma.ensembleMetric.upsert({
      where: { ensembleId_metric: { ensembleId: row.id, metric } },
      create: { ensembleId: row.id, metric, ...m },
      update: m,
    });
  }
  for (const p of e.predictions) {
    const fields = { probability: p.probability, label: p.label, samples: p.samples };
    await prisma.prediction.upsert({
      where: { ensembleId_patientId_split: { ensembleId: row.id, patientId: p.patientId, split: 'TEST' } },
      create: { ensembleId: row.id, patientId: p.patientId, split: 'TEST', ...fields },
      update: fields,
    });
  }
}

interface TestRow {
  kind: string;
  scope: string;
  comparison: string;
  statistic: number | null;
  pValue: number;
  inputs: object;
}

function compare(ctx: JobContext, ensembles: Ensemble[]): TestRow[] {
  const allNetworks = [...new Set(ensembles.map((e) => e.network))].sort();
  // Friedman needs three or more treatments: each scope compares the networks that have it (the
  // radiomics baseline, for one, only has a Struct ensemble).
  const scopes: { label: string; scope: ComparisonScope; networks: string[] }[] = [];
  for (const level of ['group', 'combination'] as const) {
    for (const name of [...new Set(ensembles.filter((e) => e.level === level).map((e) => e.name))].sort()) {
      const networks = allNetworks.filter((n) =>
        ensembles.some((e) => e.network === n && e.level === level && e.name === name),
      );
      if (networks.length >= 3) scopes.push({ label: name, scope: { name, level }, networks });
    }
  }
  if (allNetworks.length >= 3)
    scopes.push({ label: 'best', scope: { bestOverall: {} }, networks: allNetworks });
  const rows: TestRow[] = [];
  for (const { label, scope, networks } of scopes) {
    const c = compareNetworks(ensembles, scope, {
      networks,
      measure: 'probability',
      nemenyi: 'ifSignificant',
    });
    const inputs = {
      networks: c.networks,
      ensembles: c.ensembles,
      measure: c.measure,
      blocks: c.patients.length,
      meanRanks: c.friedman.meanRanks,
    };
    rows.push({
      kind: 'friedman',
      scope: label,
      comparison: 'all',
      statistic: c.friedman.statistic,
      pValue: c.friedman.pValue,
      inputs,
    });
    if (c.nemenyi !== undefined) {
      for (let i = 0; i < c.networks.length; i++) {
        for (let j = i + 1; j < c.networks.length; j++) {
          rows.push({
            kind: 'nemenyi',
            scope: label,
            comparison: `${c.networks[i]}~${c.networks[j]}`,
            statistic: c.nemenyi.statistics[i]![j]!,
            pValue: c.nemenyi.pValues[i]![j]!,
            inputs: { ...inputs, criticalDifference: c.nemenyi.criticalDifference, alpha: c.nemenyi.alpha },
          });
        }
      }
    }
  }
  ctx.logger.debug({ tests: rows.length }, 'statistical tests');
  return rows;
}
