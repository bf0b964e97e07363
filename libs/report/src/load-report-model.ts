import { NotFoundError } from '@spottune/errors';
import type { PrismaClient } from '@spottune/db';
import type { EnsembleRow, ReportModel, RoutingPatient, TrialCurve } from './report-model.ts';

/** Read everything the report shows for one experiment. */
export async function loadReportModel(
  prisma: PrismaClient,
  experimentId: string,
  now = new Date(),
): Promise<ReportModel> {
  const experiment = await prisma.experiment.findUnique({ where: { id: experimentId } });
  if (experiment === null)
    throw new NotFoundError(`experiment ${experimentId} not found`, { details: { experimentId } });
  const [ensembles, statistics, trials, predictions] = await Promise.all([
    prisma.ensemble.findMany({
      where: { experimentId },
      include: { metrics: true },
      orderBy: [{ network: 'asc' }, { name: 'asc' }],
    }),
    prisma.statisticalTest.findMany({
      where: { experimentId },
      orderBy: [{ scope: 'asc' }, { kind: 'asc' }, { comparison: 'asc' }],
    }),
    prisma.trial.findMany({
      where: { experimentId },
      include: { epochMetrics: { orderBy: { epoch: 'asc' } } },
      orderBy: [{ network: 'asc' }, { modality: 'asc' }, { fold: 'asc' }],
    }),
    prisma.prediction.findMany({
      where: { split: 'TEST', trial: { experimentId, network: 'spottune' } },
      include: { patient: { select: { externalId: true } } },
    }),
  ]);
  return {
    experiment: {
      id: experiment.id,
      name: experiment.name,
      status: experiment.status,
      seed: experiment.seed,
      createdAt: experiment.createdAt.toISOString(),
      finishedAt: experiment.finishedAt?.toISOString() ?? null,
    },
    ensembles: ensembles.map((e): EnsembleRow => {
      const curves = (e.curves ?? {}) as { roc?: [number, number][]; pr?: [number, number][] };
      return {
        network: e.network,
        level: e.level,
        name: e.name,
        patients: e.patients,
        metrics: Object.fromEntries(
          e.metrics.map((m) => [m.metric, { value: m.value, ciLow: m.ciLow, ciHigh: m.ciHigh }]),
        ),
        roc: curves.roc ?? [],
        pr: curves.pr ?? [],
        missing: Array.isArray(e.missing) ? e.missing.length : 0,
      };
    }),
    statistics: statistics.map((s) => ({
      kind: s.kind,
      scope: s.scope,
      comparison: s.comparison,
      statistic: s.statistic,
      pValue: s.pValue,
    })),
    trials: trials.map((t): TrialCurve => {
      const byEpoch = new Map<
        number,
        { train?: (typeof t.epochMetrics)[number]; val?: (typeof t.epochMetrics)[number] }
      >();
      for (const m of t.epochMetrics) {
        const slot = byEpoch.get(m.epoch) ?? {};
        if (m.split === 'TRAIN') slot.train = m;
        if (m.split === 'VAL') slot.val = m;
        byEpoch.set(m.epoch, slot);
      }
      return {
        trialId: t.id,
        network: t.network,
        modality: t.modality,
        fold: t.fold,
        status: t.status,
        bestEpoch: t.bestEpoch,
        selection: t.selection,
        hyperparameters: (t.hyperparameters ?? {}) as Record<string, unknown>,
        failureReason: t.failureReason,
        epochs: [...byEpoch]
          .sort((a, b) => a[0] - b[0])
          .map(([epoch, { train, val }]) => ({
            epoch,
            trainLoss: train?.loss ?? null,
            valLoss: val?.loss ?? null,
            valAuc: val?.auc ?? null,
            valM: val?.m ?? null,
          })),
      };
    }),
    routing: averageRouting(
      predictions.map((p) => ({ patientId: p.patient.externalId, label: p.label, routing: p.routing })),
    ),
    generatedAt: now.toISOString(),
  };
}

/** Mean routing per patient over SpotTune trials (each trial's routing is already a mean over samples). */
function averageRouting(rows: { patientId: string; label: number; routing: number[] }[]): RoutingPatient[] {
  const byPatient = new Map<string, { label: number; sums: number[]; n: number }>();
  for (const row of rows) {
    if (row.routing.length === 0) continue;
    const slot = byPatient.get(row.patientId) ?? {
      label: row.label,
      sums: new Array<number>(row.routing.length).fill(0),
      n: 0,
    };
    row.routing.forEach((v, i) => (slot.sums[i] = (slot.sums[i] ?? 0) + v));
    slot.n += 1;
    byPatient.set(row.patientId, slot);
  }
  return [...byPatient].map(([patientId, s]) => ({
    patientId,
    label: s.label,
    routing: s.sums.map((v) => v / s.n),
  }));
}
