import { NotFoundError } from '@spottune/errors';
import { ingestPatient } from '@spottune/cohort';
import type { Processor } from '../processor.ts';
import { DERIVATIVES_BY_GROUP, MODALITY_GROUP_NAMES } from '../planning/modalities.ts';

/** One patient of a cohort: preprocess and store its volumes (@spottune/cohort does the work). */
export const ingestPatientJob: Processor<'ingest-patient'> = (payload, ctx) => ingestPatient(payload, ctx);

/**
 * After every ingest job of a cohort (succeeded or failed): the per-class and per-group summary from
 * the rows written, and the cohort's final status.
 */
export const finalizeCohort: Processor<'finalize-cohort'> = async ({ cohortId }, ctx) => {
  const { prisma } = ctx.deps.db;
  const cohort = await prisma.cohort.findUnique({ where: { id: cohortId }, select: { summary: true } });
  if (cohort === null) throw new NotFoundError(`cohort ${cohortId} not found`);
  const patients = await prisma.patient.findMany({
    where: { cohortId },
    select: { mgmt: true, volumes: { select: { modality: true, status: true } } },
  });
  const perClass: Record<string, number> = { METHYLATED: 0, UNMETHYLATED: 0 };
  const perGroup: Record<string, Record<string, number>> = {};
  const volumes: Record<string, number> = { READY: 0, FAILED: 0, MISSING: 0 };
  for (const p of patients) {
    perClass[p.mgmt] = (perClass[p.mgmt] ?? 0) + 1;
    for (const v of p.volumes) volumes[v.status] = (volumes[v.status] ?? 0) + 1;
    for (const g of MODALITY_GROUP_NAMES) {
      const ready = DERIVATIVES_BY_GROUP[g].every((d) =>
        p.volumes.some((v) => v.modality === d && v.status === 'READY'),
      );
      if (!ready) continue;
      const counts = (perGroup[g] ??= { METHYLATED: 0, UNMETHYLATED: 0 });
      counts[p.mgmt] = (counts[p.mgmt] ?? 0) + 1;
    }
  }
  const previous = typeof cohort.summary === 'object' && cohort.summary !== null ? cohort.summary : {};
  await prisma.cohort.update({
    where: { id: cohortId },
    data: {
      status: patients.length > 0 ? 'SUCCEEDED' : 'FAILED',
      finishedAt: new Date(),
      summary: { ...previous, patients: patients.length, perClass, perGroup, volumes },
    },
  });
  ctx.logger.info({ patients: patients.length }, 'cohort finalized');
  return { cohortId, patients: patients.length };
};
