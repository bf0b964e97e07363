import type { Config } from '@spottune/config';
import type { Logger } from '@spottune/logger';
import type { Db } from '@spottune/db';
import type { ObjectStore, VerifiedCache } from '@spottune/storage';
import { parsePayload, type JobName, type JobPayload } from './catalog.ts';

/** The clients a processor may use, built once by the app (or the demo) and injected. */
export interface JobDeps {
  config: Config;
  db: Db;
  store: ObjectStore;
  cache: VerifiedCache;
}

/** Progress as a processor reports it (epoch, batch, loss, ...): small and JSON-safe. */
export type Progress = Record<string, string | number | boolean | null>;

export interface JobContext {
  jobId: string;
  jobName: JobName;
  /** 1 for the first try. */
  attempt: number;
  /** Tries allowed in all (the catalog's `attempts`): a processor marks its row FAILED on the last one. */
  maxAttempts: number;
  /** pino child bound to { jobId, jobName, attempt }. */
  logger: Logger;
  /** Aborted on cancellation or shutdown: stop between batches, checkpoint, and throw CancelledError. */
  signal: AbortSignal;
  reportProgress(progress: Progress): Promise<void>;
  deps: JobDeps;
}

export interface JobResults {
  'train-trial': { trialId: string; status: 'SUCCEEDED' | 'CANCELLED'; bestEpoch: number | null };
  'aggregate-experiment': { experimentId: string; ensembles: number; missingTrials: number };
  'ingest-patient': { patientId: string | null; volumes: number; skipped: number };
  'finalize-cohort': { cohortId: string; patients: number };
}

export type Processor<K extends JobName> = (
  payload: JobPayload<K>,
  ctx: JobContext,
) => Promise<JobResults[K]>;

/** One processor per catalog entry: a missing handler is a compile error. */
export type Handlers = { [K in JobName]: Processor<K> };

/** Validate the payload (dequeue side) and run the job's processor. */
export async function runProcessor<K extends JobName>(
  handlers: Handlers,
  name: K,
  payload: unknown,
  ctx: JobContext,
): Promise<JobResults[K]> {
  const parsed = parsePayload(name, payload);
  const handler = handlers[name] as Processor<K>;
  return handler(parsed, ctx);
}
