import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Logger } from '@spottune/logger';
import { CancelledError, coerceError, isRetryable } from '@spottune/errors';
import { JOB_CATALOG, backoffDelay, type JobName } from '../catalog.ts';
import type { Flow, JobSpec } from '../flow.ts';
import { runProcessor, type Handlers, type JobDeps, type Progress } from '../processor.ts';

export type JobState = 'waiting' | 'waiting-children' | 'active' | 'delayed' | 'completed' | 'failed';

export interface RunnerEvent {
  type: 'active' | 'progress' | 'completed' | 'failed' | 'retrying';
  jobId: string;
  name: JobName;
  attempt: number;
  progress?: Progress;
  error?: Error;
  result?: unknown;
}

export interface InProcessRunnerOptions {
  logger: Logger;
  /** Jobs run at once (the embedded demo: 1; tfjs on one core gains nothing from more). */
  concurrency?: number;
  /** Multiplies every backoff delay (tests and the demo shrink the catalog's minutes to ms). @defaultValue 1 */
  backoffScale?: number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  onEvent?: (event: RunnerEvent) => void;
}

export interface InProcessRunner {
  /** Run each child, then the parent once every child has finished (succeeded or failed). */
  addFlow(flow: Flow): Promise<void>;
  add(job: JobSpec): Promise<void>;
  /** Abort a running job (its processor checkpoints and stops) or drop a waiting one. */
  cancel(jobId: string, reason?: string): boolean;
  state(jobId: string): JobState | undefined;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Abort everything and wait for running jobs to stop. */
  close(): Promise<void>;
}

interface Entry {
  spec: JobSpec;
  state: JobState;
  attempt: number;
  controller: AbortController;
  /** Parent waiting for this many children. */
  pendingChildren: number;
  parent: Entry | undefined;
}

/**
 * The same processors as the BullMQ workers, run in this process with the same semantics: catalog
 * retries with exponential backoff, permanent errors not retried, flows whose parent runs after all
 * children, cancellation through the job's AbortSignal. Used by the embedded mode and Redis-free tests.
 */
export function createInProcessRunner(
  handlers: Handlers,
  deps: JobDeps,
  options: InProcessRunnerOptions,
): InProcessRunner {
  const concurrency = options.concurrency ?? 1;
  const backoffScale = options.backoffScale ?? 1;
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ??
    ((ms: number, signal: AbortSignal) => sleepMs(ms, undefined, { signal }).catch(() => {}));
  const jobs = new Map<string, Entry>();
  const queue: Entry[] = [];
  const running = new Set<Promise<void>>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const emit = (event: RunnerEvent): void => options.onEvent?.(event);

  function addEntry(spec: JobSpec, parent: Entry | undefined, state: JobState): Entry | undefined {
    const existing = jobs.get(spec.jobId);
    if (existing !== undefined) return undefined; // same id: a no-op, as in BullMQ
    const entry: Entry = {
      spec,
      state,
      attempt: 0,
      controller: new AbortController(),
      pendingChildren: 0,
      parent,
    };
    jobs.set(spec.jobId, entry);
    return entry;
  }

  function pump(): void {
    while (!closed && running.size < concurrency && queue.length > 0) {
      const entry = queue.shift()!;
      if (entry.state !== 'waiting') continue;
      const run = execute(entry).finally(() => {
        running.delete(run);
        pump();
      });
      running.add(run);
    }
    if (running.size === 0 && queue.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async function execute(entry: Entry): Promise<void> {
    const { spec } = entry;
    const entryDef = JOB_CATALOG[spec.name];
    for (;;) {
      entry.attempt += 1;
      entry.state = 'active';
      const logger = options.logger.child({ jobId: spec.jobId, jobName: spec.name, attempt: entry.attempt });
      emit({ type: 'active', jobId: spec.jobId, name: spec.name, attempt: entry.attempt });
      try {
        const result = await runProcessor(handlers, spec.name, spec.payload, {
          jobId: spec.jobId,
          jobName: spec.name,
          attempt: entry.attempt,
          maxAttempts: entryDef.attempts,
          logger,
          signal: entry.controller.signal,
          reportProgress: async (progress) =>
            emit({ type: 'progress', jobId: spec.jobId, name: spec.name, attempt: entry.attempt, progress }),
          deps,
        });
        finish(entry, 'completed');
        emit({ type: 'completed', jobId: spec.jobId, name: spec.name, attempt: entry.attempt, result });
        return;
      } catch (e) {
        const error = coerceError(e);
        const retry =
          isRetryable(error) &&
          !(error instanceof CancelledError) &&
          !entry.controller.signal.aborted &&
          entry.attempt < entryDef.attempts;
        if (!retry) {
          logger.warn({ err: error }, 'job failed');
          finish(entry, 'failed');
          emit({ type: 'failed', jobId: spec.jobId, name: spec.name, attempt: entry.attempt, error });
          return;
        }
        const delay = backoffDelay(entryDef.backoff, entry.attempt, random) * backoffScale;
        logger.info({ err: error, delayMs: delay }, 'job failed, retrying');
        emit({ type: 'retrying', jobId: spec.jobId, name: spec.name, attempt: entry.attempt, error });
        entry.state = 'delayed';
        await sleep(delay, entry.controller.signal);
      }
    }
  }

  function finish(entry: Entry, state: 'completed' | 'failed'): void {
    entry.state = state;
    const parent = entry.parent;
    if (parent === undefined) return;
    parent.pendingChildren -= 1;
    // ignoreDependencyOnFailure: the parent goes on whether the child succeeded or failed.
    if (parent.pendingChildren === 0 && parent.state === 'waiting-children') {
      parent.state = 'waiting';
      queue.push(parent);
    }
  }

  return {
    async addFlow(flow) {
      const parent = addEntry(flow.parent, undefined, 'waiting-children');
      if (parent === undefined) return;
      for (const child of flow.children) {
        const entry = addEntry(child, parent, 'waiting');
        if (entry === undefined) continue;
        parent.pendingChildren += 1;
        queue.push(entry);
      }
      if (parent.pendingChildren === 0) {
        parent.state = 'waiting';
        queue.push(parent);
      }
      pump();
    },
    async add(job) {
      const entry = addEntry(job, undefined, 'waiting');
      if (entry === undefined) return;
      queue.push(entry);
      pump();
    },
    cancel(jobId, reason = 'cancelled') {
      const entry = jobs.get(jobId);
      if (entry === undefined || entry.state === 'completed' || entry.state === 'failed') return false;
      entry.controller.abort(new CancelledError(reason));
      if (entry.state === 'waiting') {
        finish(entry, 'failed');
        emit({
          type: 'failed',
          jobId,
          name: entry.spec.name,
          attempt: entry.attempt,
          error: new CancelledError(reason),
        });
        pump();
      }
      return true;
    },
    state: (jobId) => jobs.get(jobId)?.state,
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      for (const entry of jobs.values()) {
        if (entry.state === 'active' || entry.state === 'delayed')
          entry.controller.abort(new CancelledError('runner closed'));
      }
      await Promise.allSettled([...running]);
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
  };
}
