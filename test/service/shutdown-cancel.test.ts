import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { ingestSyntheticCohort, smallExperiment } from '../support/api-app.ts';
import { waitFor } from '../support/redis.ts';
import { startHarness, WRITER, type Harness } from './fixtures/service-harness.ts';

/**
 * SIGTERM to a worker mid-trial: it stops at the next batch, exits 0, and the job goes back to the
 * queue (delayed retry) rather than failing. Then `POST /experiments/:id/cancel` while another worker
 * trains: the running trial stops within a few seconds and stays CANCELLED, the waiting one is removed.
 */
describe('graceful shutdown and cancellation', { timeout: 600_000 }, () => {
  let h: Harness;
  let queue: Queue;
  let inputSize: number[];
  const auth = { authorization: `Bearer ${WRITER}` };

  before(async () => {
    h = await startHarness('shutdown');
    queue = new Queue('train', { connection: { url: h.redis.url }, prefix: h.redis.prefix });
    inputSize = await ingestSyntheticCohort(h, 'shutdown', { patients: 12, seed: 4, size: [16, 20, 20] });
  });
  after(async () => {
    await queue?.close();
    await h?.close();
  });

  test('SIGTERM: exit 0, job retried later; cancel: the running trial stops', async () => {
    const { prisma } = h.db.db;
    const submitted = await h.app.inject({
      method: 'POST',
      url: '/experiments',
      headers: auth,
      // Many epochs: training this small model is fast (seconds for 30 epochs), and the cancel below
      // must reach a trial that is still running.
      payload: smallExperiment('shutdown', inputSize, { epochs: 1000 }),
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const experimentId = submitted.json().id as string;

    const first = h.spawnWorker('first');
    const checkpoint = await waitFor(
      () => prisma.checkpoint.findFirst({ where: { trial: { experimentId } }, select: { trialId: true } }),
      { timeoutMs: 120_000, intervalMs: 100, what: 'the first checkpoint' },
    );
    const exit = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    process.kill(first.pid!, 'SIGTERM'); // the worker process only, as Kubernetes signals PID 1
    assert.equal(await exit, 0, 'the worker exits cleanly');
    const job = await queue.getJob(`train-${checkpoint.trialId}`);
    assert.ok(job);
    assert.equal(await job.getState(), 'delayed', 'the interrupted job will be retried, not failed');
    assert.equal(job.attemptsMade, 1);
    const interrupted = await prisma.trial.findUniqueOrThrow({ where: { id: checkpoint.trialId } });
    assert.equal(interrupted.status, 'QUEUED');

    // Skip the 60 s backoff; a second worker takes up training (either fold), then cancel mid-trial.
    await job.promote();
    const inExperiment = { trial: { experimentId } };
    const before = await prisma.epochMetric.count({ where: inExperiment });
    h.spawnWorker('second');
    await waitFor(async () => (await prisma.epochMetric.count({ where: inExperiment })) > before, {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: 'the second worker to train an epoch',
    });
    const running = await prisma.trial.findFirstOrThrow({ where: { experimentId, status: 'RUNNING' } });
    const runningJob = (await queue.getJob(`train-${running.id}`))!;
    assert.equal(await runningJob.getState(), 'active');
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/experiments/${experimentId}/cancel`,
      headers: auth,
    });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.equal(cancel.json().status, 'CANCELLED');
    assert.equal(cancel.json().cancelledTrials, 2);
    assert.equal(cancel.json().removedJobs, 1, 'the other fold was waiting and is removed');
    await waitFor(async () => (await runningJob.getState()) === 'completed', {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the running job to stop after the cancel',
    });
    const done = (await queue.getJob(`train-${running.id}`))!;
    assert.deepEqual(done.returnvalue, { trialId: running.id, status: 'CANCELLED', bestEpoch: null });
    const stoppedAt = await prisma.epochMetric.count({ where: { trialId: running.id } });
    assert.ok(stoppedAt < 2 * 1000, 'stopped before the last epoch');
    const trials = await prisma.trial.findMany({ where: { experimentId }, select: { status: true } });
    assert.deepEqual(
      trials.map((t) => t.status),
      ['CANCELLED', 'CANCELLED'],
    );
    const experiment = await prisma.experiment.findUniqueOrThrow({ where: { id: experimentId } });
    assert.equal(experiment.status, 'CANCELLED');
  });
});
