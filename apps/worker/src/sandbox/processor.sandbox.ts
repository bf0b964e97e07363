import type { Job, SandboxedJob } from 'bullmq';
import { parseEnv } from '@spottune/config';
import { createLogger } from '@spottune/logger';
import { createJobDeps, handlers, type JobDeps } from '@spottune/jobs';
import { processBullmqJob } from '../bullmq-processor.ts';

/**
 * The BullMQ sandboxed processor: runs in a child process (useWorkerThreads: false), so tfjs's
 * synchronous kernels never block the parent's lock renewal. BullMQ reuses the child between jobs,
 * so the clients are built once per child and live as long as it does.
 */
let ready: Promise<{ deps: JobDeps; logger: ReturnType<typeof createLogger> }> | undefined;

function setup() {
  ready ??= (async () => {
    const config = parseEnv();
    const logger = createLogger({
      level: config.log.level,
      pretty: config.log.pretty,
      base: { app: 'worker-sandbox' },
    });
    const deps = await createJobDeps(config, { logger });
    return { deps, logger };
  })();
  return ready;
}

export default async function sandboxedProcessor(
  job: SandboxedJob,
  _token?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const { deps, logger } = await setup();
  // SandboxedJob offers the subset of Job the adapter uses (name, id, data, opts, attemptsMade, updateProgress).
  return processBullmqJob(handlers, deps, logger, job as unknown as Job, signal);
}
