import type { Db } from '@spottune/db';
import { NotFoundError } from '@spottune/errors';

const trialSelect = {
  id: true,
  network: true,
  modality: true,
  fold: true,
  hpHash: true,
  seed: true,
  status: true,
  attempts: true,
  backend: true,
  progress: true,
  bestEpoch: true,
  selection: true,
  failureCode: true,
  failureReason: true,
  durationMs: true,
} as const;

/** Read side of experiments and trials for the API and the CLI (writes: create-experiment.ts). */
export function createExperimentsRepository(db: Db) {
  const { prisma } = db;

  async function trialCounts(experimentIds: string[]): Promise<Map<string, Record<string, number>>> {
    const groups = await prisma.trial.groupBy({
      by: ['experimentId', 'status'],
      where: { experimentId: { in: experimentIds } },
      _count: { _all: true },
    });
    const out = new Map<string, Record<string, number>>();
    for (const g of groups) {
      const counts = out.get(g.experimentId) ?? { total: 0 };
      counts[g.status] = g._count._all;
      counts.total = (counts.total ?? 0) + g._count._all;
      out.set(g.experimentId, counts);
    }
    return out;
  }

  return {
    async list(limit: number, offset: number) {
      const rows = await prisma.experiment.findMany({
        orderBy: { createdAt: 'desc' },
        take: limit,
        skip: offset,
      });
      const counts = await trialCounts(rows.map((r) => r.id));
      return rows.map((r) => ({ ...r, trialCounts: counts.get(r.id) ?? { total: 0 } }));
    },

    async get(id: string) {
      const row = await prisma.experiment.findUnique({
        where: { id },
        include: {
          trials: {
            select: trialSelect,
            orderBy: [{ network: 'asc' }, { modality: 'asc' }, { fold: 'asc' }],
          },
        },
      });
      if (row === null) throw new NotFoundError(`experiment ${id} not found`);
      const counts = await trialCounts([id]);
      return { ...row, trialCounts: counts.get(id) ?? { total: 0 } };
    },

    async results(id: string) {
      const experiment = await prisma.experiment.findUnique({
        where: { id },
        select: { id: true, status: true },
      });
      if (experiment === null) throw new NotFoundError(`experiment ${id} not found`);
      const ensembles = await prisma.ensemble.findMany({
        where: { experimentId: id },
        include: { metrics: true },
        orderBy: [{ network: 'asc' }, { level: 'asc' }, { name: 'asc' }],
      });
      const tests = await prisma.statisticalTest.findMany({
        where: { experimentId: id },
        orderBy: [{ scope: 'asc' }, { kind: 'asc' }, { comparison: 'asc' }],
      });
      return {
        experimentId: id,
        status: experiment.status,
        ensembles: ensembles.map((e) => ({
          id: e.id,
          network: e.network,
          level: e.level,
          name: e.name,
          patients: e.patients,
          members: e.members,
          missing: e.missing,
          curves: e.curves,
          metrics: Object.fromEntries(
            e.metrics.map((m) => [m.metric, { value: m.value, ciLow: m.ciLow, ciHigh: m.ciHigh }]),
          ),
        })),
        tests: tests.map((t) => ({
          kind: t.kind,
          scope: t.scope,
          comparison: t.comparison,
          statistic: t.statistic,
          pValue: t.pValue,
          inputs: t.inputs,
        })),
      };
    },

    /**
     * Mark every unfinished trial and the experiment CANCELLED. Workers poll the trial status between
     * batches and stop (after a checkpoint); waiting jobs are removed by the caller. Returns the job
     * ids of the trials cancelled.
     */
    async cancel(id: string): Promise<{ jobIds: string[]; status: string }> {
      return prisma.$transaction(async (tx) => {
        const experiment = await tx.experiment.findUnique({ where: { id }, select: { status: true } });
        if (experiment === null) throw new NotFoundError(`experiment ${id} not found`);
        const open = await tx.trial.findMany({
          where: { experimentId: id, status: { in: ['PLANNED', 'QUEUED', 'RUNNING'] } },
          select: { id: true, queueJobId: true },
        });
        await tx.trial.updateMany({
          where: { id: { in: open.map((t) => t.id) } },
          data: { status: 'CANCELLED', failureCode: 'CANCELLED', failureReason: 'cancelled by request' },
        });
        const finished = ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(experiment.status);
        const status = finished ? experiment.status : 'CANCELLED';
        if (!finished) {
          await tx.experiment.update({
            where: { id },
            data: { status: 'CANCELLED', finishedAt: new Date() },
          });
        }
        return { jobIds: open.flatMap((t) => (t.queueJobId === null ? [] : [t.queueJobId])), status };
      });
    },

    async trial(id: string) {
      const trial = await prisma.trial.findUnique({
        where: { id },
        include: {
          epochMetrics: { orderBy: [{ epoch: 'asc' }, { split: 'asc' }] },
          checkpoints: { orderBy: { epoch: 'asc' }, select: { epoch: true, isBest: true, storageKey: true } },
        },
      });
      if (trial === null) throw new NotFoundError(`trial ${id} not found`);
      const { epochMetrics, checkpoints, ...rest } = trial;
      return { ...rest, epochs: epochMetrics, checkpoints };
    },
  };
}

export type ExperimentsRepository = ReturnType<typeof createExperimentsRepository>;
