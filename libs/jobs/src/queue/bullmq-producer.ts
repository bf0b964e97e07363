import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { TransientError, coerceError } from '@spottune/errors';
import { JOB_CATALOG, QUEUES, type JobName } from '../catalog.ts';
import type { JobSpec } from '../flow.ts';
import type { QueueCounts, QueueProducer } from './queue-producer.ts';

/** Completed jobs are kept a week (for `GET /experiments/:id` progress), failed ones until removed. */
export const REMOVE_ON_COMPLETE = { age: 7 * 24 * 3600, count: 10_000 };

/** BullMQ options of a job, from the catalog. */
export function jobOptions(name: JobName, jobId: string): JobsOptions {
  const entry = JOB_CATALOG[name];
  return {
    jobId,
    attempts: entry.attempts,
    backoff: { type: entry.backoff.type, delay: entry.backoff.delay, jitter: entry.backoff.jitter ?? 0 },
    removeOnComplete: REMOVE_ON_COMPLETE,
    removeOnFail: false,
  };
}

const STATES = [
  'waiting',
  'waiting-children',
  'active',
  'delayed',
  'prioritized',
  'completed',
  'failed',
] as const;

/**
 * The API's BullMQ producer. `enableOfflineQueue: false` makes calls fail fast while Redis is down
 * (the API answers 503) instead of queueing them in memory (bullmq going-to-production guide).
 */
export function createBullmqProducer(redis: { url: string; prefix: string }): QueueProducer {
  const connection = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => {
    // Reported by ping() (readiness) and by the failing calls; ioredis reconnects by itself.
  });
  const prefix = redis.prefix;
  const queues = new Map(Object.values(QUEUES).map((q) => [q, new Queue(q, { connection, prefix })]));
  const flows = new FlowProducer({ connection, prefix });
  const transient = (e: unknown, what: string) =>
    new TransientError(`queue unavailable while ${what}: ${coerceError(e).message}`, { cause: e });

  return {
    async addFlow(flow) {
      try {
        await flows.add({
          name: flow.parent.name,
          queueName: JOB_CATALOG[flow.parent.name].queue,
          data: flow.parent.payload,
          opts: jobOptions(flow.parent.name, flow.parent.jobId),
          children: flow.children.map((child) => ({
            name: child.name,
            queueName: JOB_CATALOG[child.name].queue,
            data: child.payload,
            // A failed trial must not leave the aggregation waiting forever (bullmq#3362).
            opts: { ...jobOptions(child.name, child.jobId), ignoreDependencyOnFailure: true },
          })),
        });
      } catch (e) {
        throw transient(e, 'adding a flow');
      }
    },
    async addJobs(jobs: JobSpec[]) {
      try {
        for (const job of jobs) {
          await queues
            .get(JOB_CATALOG[job.name].queue)!
            .add(job.name, job.payload, jobOptions(job.name, job.jobId));
        }
      } catch (e) {
        throw transient(e, 'adding jobs');
      }
    },
    async removeWaiting(jobIds) {
      let removed = 0;
      for (const queue of queues.values()) {
        for (const id of jobIds) {
          const job = await queue.getJob(id);
          if (job === undefined) continue;
          const state = await job.getState();
          if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
            // remove() fails on a locked (active) job; between getState and remove the job may start.
            try {
              await job.remove();
              removed += 1;
            } catch (e) {
              const err = coerceError(e);
              if (!/locked|active/i.test(err.message)) throw err;
            }
          }
        }
      }
      return removed;
    },
    async counts() {
      const out: QueueCounts = {};
      for (const [name, queue] of queues) out[name] = await queue.getJobCounts(...STATES);
      return out;
    },
    async ping() {
      await connection.ping();
    },
    async close() {
      await flows.close();
      for (const q of queues.values()) await q.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
