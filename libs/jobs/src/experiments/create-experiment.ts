import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '@spottune/errors';
import { classifyDbError, type Db, type DbOrTx } from '@spottune/db';
import { importSplitsCsv, planSplits, type LabelledPatient } from '@spottune/cohort';
import type { ExperimentRequest } from '../planning/experiment-request.ts';
import { planExperiment, trainJobId, type PlannedTrial } from '../planning/plan-experiment.ts';
import { DERIVATIVES_BY_GROUP, MODALITY_GROUP_NAMES, type ModalityGroup } from '../planning/modalities.ts';
import { experimentFlow, type ExperimentFlow } from '../flow.ts';

export interface CreatedExperiment {
  experimentId: string;
  /** False when the idempotency key matched an earlier experiment: nothing was created. */
  created: boolean;
  trials: number;
  /** The flow to enqueue (only when created). */
  flow: ExperimentFlow;
}

interface SplitAssignment {
  group: ModalityGroup;
  test: string[];
  folds: string[][];
}

/**
 * Store an experiment, its splits and its planned trials in one transaction, and return the flow to
 * enqueue. With an idempotency key, a repeated call returns the first experiment and creates nothing.
 */
export async function createExperiment(
  db: Db,
  request: ExperimentRequest,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<CreatedExperiment> {
  const key = options.idempotencyKey;
  if (key !== undefined) {
    const existing = await findByIdempotencyKey(db.prisma, key);
    if (existing !== undefined) return existing;
  }
  const cohort = await resolveCohort(db.prisma, request.cohort);
  const plan0 = planExperiment(request);
  const patients = await db.prisma.patient.findMany({
    where: { cohortId: cohort.id },
    select: {
      id: true,
      externalId: true,
      mgmt: true,
      volumes: { where: { status: 'READY' }, select: { modality: true } },
    },
  });
  // A patient belongs to a group when every derivative of the group is ready (DSC anchors the split).
  const byGroup: Partial<Record<ModalityGroup, LabelledPatient[]>> = {};
  for (const group of MODALITY_GROUP_NAMES) {
    if (group !== 'DSC' && !plan0.groups.includes(group)) continue;
    const members = patients.filter((p) =>
      DERIVATIVES_BY_GROUP[group].every((d) => p.volumes.some((v) => v.modality === d)),
    );
    if (members.length > 0) {
      byGroup[group] = members.map((p) => ({ id: p.externalId, label: p.mgmt === 'METHYLATED' ? 1 : 0 }));
    }
  }
  for (const group of plan0.groups) {
    if (byGroup[group] === undefined) {
      throw new ValidationError(`cohort ${cohort.name} has no patient with every ${group} volume ready`, {
        details: { field: 'modalities', group },
      });
    }
  }
  const assignments = splitAssignments(request, byGroup);
  const folds = Math.min(
    ...assignments.filter((a) => plan0.groups.includes(a.group)).map((a) => a.folds.length),
  );
  const plan = planExperiment(request, folds);
  const idOf = new Map(patients.map((p) => [p.externalId, p.id]));
  const experimentId = randomUUID();
  const trialIds = plan.trials.map(() => randomUUID());
  try {
    await db.prisma.$transaction(async (tx) => {
      await tx.experiment.create({
        data: {
          id: experimentId,
          name: request.name,
          cohortId: cohort.id,
          config: request as object,
          configHash: plan.configHash,
          seed: request.seed,
          status: 'QUEUED',
          idempotencyKey: key ?? null,
        },
      });
      await tx.split.createMany({ data: splitRows(experimentId, assignments, idOf) });
      await tx.trial.createMany({
        data: plan.trials.map((t: PlannedTrial, i) => ({
          id: trialIds[i]!,
          experimentId,
          network: t.network,
          modality: t.modality,
          fold: t.fold,
          hyperparameters: t.hyperparameters as object,
          hpHash: t.hpHash,
          seed: t.seed,
          status: 'QUEUED' as const,
          queueJobId: trainJobId(trialIds[i]!),
        })),
      });
    });
  } catch (e) {
    const err = classifyDbError(e);
    // Two concurrent requests with the same key: the loser returns the winner's experiment.
    if (err instanceof ConflictError && key !== undefined) {
      const existing = await findByIdempotencyKey(db.prisma, key);
      if (existing !== undefined) return existing;
    }
    throw err;
  }
  return {
    experimentId,
    created: true,
    trials: trialIds.length,
    flow: experimentFlow(experimentId, trialIds),
  };
}

async function findByIdempotencyKey(prisma: DbOrTx, key: string): Promise<CreatedExperiment | undefined> {
  const found = await prisma.experiment.findUnique({
    where: { idempotencyKey: key },
    select: { id: true, trials: { select: { id: true }, orderBy: { createdAt: 'asc' } } },
  });
  if (found === null) return undefined;
  const ids = found.trials.map((t) => t.id);
  return { experimentId: found.id, created: false, trials: ids.length, flow: experimentFlow(found.id, ids) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cohort by id (uuid) or by name. */
export async function resolveCohort(prisma: DbOrTx, ref: string): Promise<{ id: string; name: string }> {
  const cohort = UUID.test(ref)
    ? await prisma.cohort.findUnique({ where: { id: ref }, select: { id: true, name: true } })
    : await prisma.cohort.findUnique({ where: { name: ref }, select: { id: true, name: true } });
  if (cohort === null) {
    throw new NotFoundError(`cohort "${ref}" not found`, { details: { field: 'cohort' } });
  }
  return cohort;
}

/** The split of each group: the imported CSV (rows without a group apply to every group), or a planned one. */
function splitAssignments(
  request: ExperimentRequest,
  byGroup: Partial<Record<ModalityGroup, LabelledPatient[]>>,
): SplitAssignment[] {
  const groups = MODALITY_GROUP_NAMES.filter((g) => byGroup[g] !== undefined);
  if (request.split !== undefined) {
    const known = new Set(groups.flatMap((g) => byGroup[g]!.map((p) => p.id)));
    let imported;
    try {
      imported = importSplitsCsv(request.split.csv, { patients: known, fileName: 'split.csv' });
    } catch (e) {
      if (e instanceof ValidationError) {
        throw new ValidationError(e.message, { cause: e, details: { field: 'split.csv' } });
      }
      throw e;
    }
    return groups.map((group) => {
      const members = new Set(byGroup[group]!.map((p) => p.id));
      const source = imported.groups[group] ?? imported.groups['*'];
      if (source === undefined) {
        throw new ValidationError(`split.csv has no rows for group ${group}`, {
          details: { field: 'split.csv' },
        });
      }
      return {
        group,
        test: source.test.filter((id) => members.has(id)),
        folds: source.folds.map((f) => f.filter((id) => members.has(id))),
      };
    });
  }
  const plan = planSplits({
    groups: byGroup,
    testFraction: request.testFraction,
    folds: request.folds,
    seed: request.seed,
  });
  return groups.map((group) => {
    const split = plan.groups[group];
    if (split === undefined) throw new ValidationError(`no split was planned for group ${group}`);
    return { group, test: split.test, folds: split.folds };
  });
}

function splitRows(experimentId: string, assignments: SplitAssignment[], idOf: Map<string, string>) {
  const rows: {
    experimentId: string;
    patientId: string;
    modalityGroup: string;
    role: 'TRAIN' | 'TEST';
    fold: number | null;
  }[] = [];
  const id = (external: string): string => {
    const found = idOf.get(external);
    if (found === undefined) throw new ValidationError(`split names unknown patient ${external}`);
    return found;
  };
  for (const a of assignments) {
    for (const p of a.test)
      rows.push({ experimentId, patientId: id(p), modalityGroup: a.group, role: 'TEST', fold: null });
    a.folds.forEach((fold, k) => {
      for (const p of fold)
        rows.push({ experimentId, patientId: id(p), modalityGroup: a.group, role: 'TRAIN', fold: k });
    });
  }
  return rows;
}
