import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '@spottune/logger';
import { CancelledError, TransientError, coerceError, isRetryable } from '@spottune/errors';
import { JOB_CATALOG, isJobName, runProcessor, type Handlers, type JobDeps } from '@spottune/jobs';

/** The abort reason the worker uses on SIGTERM: the job is retried (and resumes), not cancelled. */
export const SHUTDOWN_REASON = 'worker shutting down';

/**
 * Adapt a catalog processor to BullMQ: validate the payload on dequeue, bind the job's logger and
 * progress, and map errors at the edge: permanent AppErrors (bad data, missing volume, checksum
 * mismatch, cancellation) → UnrecoverableError (no retry); shutdown → a retryable error.
 */
export async function processBullmqJob(
  handlers: Handlers,
  deps: JobDeps,
  logger: Logger,
  job: Job,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const name = job.name;
  if (!isJobName(name)) throw new UnrecoverableError(`unknown job name "${name}"`);
  const attempt = job.attemptsMade + 1;
  const log = logger.child({ jobId: job.id, jobName: name, attempt });
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  try {
    const result = await runProcessor(handlers, name, job.data, {
      jobId: job.id ?? '',
      jobName: name,
      attempt,
      maxAttempts: job.opts.attempts ?? JOB_CATALOG[name].attempts,
      logger: log,
      signal: controller.signal,
      reportProgress: (progress) => job.updateProgress(progress),
      deps,
    });
    log.info({ ms: Date.now() - started }, 'job completed');
    return result;
  } catch (e) {
    const err = coerceError(e);
    const reason: unknown = signal?.reason;
    const shutdown =
      reason === SHUTDOWN_REASON || (reason instanceof Error && reason.message === SHUTDOWN_REASON);
    if (shutdown && err instanceof CancelledError) {
      log.warn(
        { ms: Date.now() - started },
        'job interrupted by shutdown; it will resume from its checkpoint',
      );
      throw new TransientError(SHUTDOWN_REASON, { cause: err });
    }
    if (!isRetryable(err)) {
      log.error({ err, ms: Date.now() - started }, 'job failed permanently');
      const unrecoverable = new UnrecoverableError(err.message);
      unrecoverable.stack = err.stack;
      throw unrecoverable;
    }
    log.warn({ err, ms: Date.now() - started }, 'job failed, will retry');
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
