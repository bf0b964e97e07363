import type { Flow, JobSpec } from '../flow.ts';

/** Job counts per state, per queue. */
export type QueueCounts = Record<string, Record<string, number>>;

/**
 * What the API needs from the job transport. The BullMQ implementation is in bullmq-producer.ts; the
 * embedded mode passes the in-process runner through the same interface.
 */
export interface QueueProducer {
  addFlow(flow: Flow): Promise<void>;
  addJobs(jobs: JobSpec[]): Promise<void>;
  /** Remove jobs that have not started; returns how many were removed (running ones are left alone). */
  removeWaiting(jobIds: string[]): Promise<number>;
  counts(): Promise<QueueCounts>;
  /** Throws when the transport is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
