import { z } from 'zod/v4';
import { ValidationError } from '@spottune/errors';

/**
 * The one job catalog: each job's queue, payload schema and retry policy. Payloads carry ids and
 * object-store keys only (BullMQ stores job data in clear text: no tensors, no secrets, no PHI).
 * The transports (the BullMQ producer here and workers in apps/*, the in-process runner here) read
 * their options from this table.
 */
export const QUEUES = {
  /** GPU workers: training (sandboxed child process). */
  train: 'train',
  /** CPU aggregator: ensembles and statistics, the parent of each experiment's flow. */
  aggregate: 'aggregate',
  /** Workers: per-patient preprocessing into object storage. */
  ingest: 'ingest',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface BackoffPolicy {
  type: 'exponential' | 'fixed';
  /** First retry delay, ms; exponential doubles it per attempt. */
  delay: number;
  /** 0..1: spread retries by up to this fraction of the delay so workers do not retry in lockstep. */
  jitter?: number;
}

export interface CatalogEntry<S extends z.ZodType> {
  queue: QueueName;
  schema: S;
  /** Total tries, the first included. */
  attempts: number;
  backoff: BackoffPolicy;
  description: string;
}

const uuid = z.string().uuid();

/**
 * An entry whose retries back off exponentially from `firstRetryMs`, each delay shortened by up to
 * half at random (jitter 0.5).
 */
function entry<S extends z.ZodType>(spec: {
  queue: QueueName;
  schema: S;
  attempts: number;
  firstRetryMs: number;
  description: string;
}): CatalogEntry<S> {
  const { firstRetryMs, ...rest } = spec;
  return { ...rest, backoff: { type: 'exponential', delay: firstRetryMs, jitter: 0.5 } };
}

export const JOB_CATALOG = {
  'train-trial': entry({
    queue: QUEUES.train,
    schema: z.object({ trialId: uuid }).strict(),
    // 3 tries: a crash, a stall or a lost GPU resume from the last epoch checkpoint, so a retry costs
    // at most one epoch. Delays 60 s, 120 s (×[0.5, 1] jitter) leave time for a node to come back.
    attempts: 3,
    firstRetryMs: 60_000,
    description: 'Train one network × modality × fold × hyper-parameter setting, checkpointing every epoch',
  }),
  'aggregate-experiment': entry({
    queue: QUEUES.aggregate,
    schema: z.object({ experimentId: uuid }).strict(),
    attempts: 5,
    firstRetryMs: 10_000,
    description: "Build an experiment's ensembles, metrics with CIs and statistical tests",
  }),
  'ingest-patient': entry({
    queue: QUEUES.ingest,
    schema: z
      .object({
        cohortId: uuid,
        /** Patient key as in the dataset (e.g. UPENN-GBM-00001). */
        patientKey: z.string().min(1).max(200),
        /** The cohort's root: a local folder or an s3:// prefix. */
        source: z.string().min(1).max(2000),
      })
      .strict(),
    attempts: 3,
    firstRetryMs: 5_000,
    description: "Preprocess one patient's volumes into object storage and record them",
  }),
  'finalize-cohort': entry({
    queue: QUEUES.aggregate,
    schema: z.object({ cohortId: uuid }).strict(),
    attempts: 5,
    firstRetryMs: 10_000,
    description: "Summarise a cohort once every patient's ingest job has finished (flow parent)",
  }),
} satisfies Record<string, CatalogEntry<z.ZodType>>;

export type Catalog = typeof JOB_CATALOG;
export type JobName = keyof Catalog;
export type JobPayload<K extends JobName> = z.output<Catalog[K]['schema']>;
export const JOB_NAMES = Object.keys(JOB_CATALOG) as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_CATALOG, name);
}

/**
 * Validate a payload against its job's schema (on enqueue and again on dequeue). A bad payload is a
 * permanent failure: retrying cannot fix it.
 */
export function parsePayload<K extends JobName>(name: K, payload: unknown): JobPayload<K> {
  const result = JOB_CATALOG[name].schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new ValidationError(`invalid payload for job ${name}: ${field || '(root)'}: ${issue?.message}`, {
      details: { job: name, field },
    });
  }
  return result.data as JobPayload<K>;
}

/** Delay before retry number `attempt` (1 = first retry), per the entry's backoff, with jitter from `random`. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const base = policy.type === 'exponential' ? policy.delay * 2 ** (attempt - 1) : policy.delay;
  const jitter = policy.jitter ?? 0;
  return Math.round(base * (1 - jitter * random()));
}
