import { parsePayload, type JobName, type JobPayload } from './catalog.ts';
import { aggregateJobId, trainJobId } from './planning/plan-experiment.ts';

/** A job to enqueue, independent of the transport. */
export interface JobSpec<K extends JobName = JobName> {
  name: K;
  payload: JobPayload<K>;
  /** Deterministic id: adding an existing id is a no-op, which makes submission idempotent. */
  jobId: string;
}

/**
 * One experiment's flow: the aggregation runs once every training child has finished, whether it
 * succeeded or failed (BullMQ: `ignoreDependencyOnFailure` on each child), so a failed trial never
 * leaves the parent waiting; the aggregator records what is missing.
 */
export interface ExperimentFlow {
  parent: JobSpec<'aggregate-experiment'>;
  children: JobSpec<'train-trial'>[];
}

/** Any flow: a parent that runs after all its children. */
export interface Flow {
  parent: JobSpec;
  children: JobSpec[];
}

export function experimentFlow(experimentId: string, trialIds: readonly string[]): ExperimentFlow {
  return {
    parent: job('aggregate-experiment', { experimentId }, aggregateJobId(experimentId)),
    children: trialIds.map((trialId) => job('train-trial', { trialId }, trainJobId(trialId))),
  };
}

/** A job spec whose payload is validated now (enqueue side). */
export function job<K extends JobName>(name: K, payload: JobPayload<K>, jobId: string): JobSpec<K> {
  if (jobId.includes(':')) throw new TypeError(`job id "${jobId}" contains ':' (reserved by BullMQ)`);
  return { name, payload: parsePayload(name, payload), jobId };
}

/** A cohort ingest: one job per patient, then the summary (again ignoring failed children). */
export interface CohortFlow {
  parent: JobSpec<'finalize-cohort'>;
  children: JobSpec<'ingest-patient'>[];
}

export function cohortFlow(cohortId: string, source: string, patientKeys: readonly string[]): CohortFlow {
  return {
    parent: job('finalize-cohort', { cohortId }, `finalize-${cohortId}`),
    children: patientKeys.map((patientKey) =>
      job(
        'ingest-patient',
        { cohortId, patientKey, source },
        `ingest-${cohortId}-${patientKey.replaceAll(':', '_')}`,
      ),
    ),
  };
}
