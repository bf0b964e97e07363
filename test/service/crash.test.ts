import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@spottune/logger';
import {
  ExperimentRequestSchema,
  createExperiment,
  createInProcessRunner,
  createJobDeps,
  handlers,
  type ExperimentRequestInput,
} from '@spottune/jobs';
import { ingestSyntheticCohort, smallExperiment } from '../support/api-app.ts';
import { waitFor } from '../support/redis.ts';
import { startHarness, WRITER, type Harness } from './fixtures/service-harness.ts';

/**
 * A worker is SIGKILLed (with its sandboxed training child) after its first epoch checkpoint; another
 * worker takes the stalled job over, resumes from that checkpoint, and the experiment ends with no
 * duplicate rows and exactly the numbers of an uninterrupted run of the same request and seed (run
 * here by the in-process runner, which also covers the Redis-free path).
 */
describe('crash and resume', { timeout: 600_000 }, () => {
  let h: Harness;
  const auth = { authorization: `Bearer ${WRITER}` };
  const logger = createLogger({ level: 'silent' });
  let request: ExperimentRequestInput;

  before(async () => {
    h = await startHarness('crash');
    const inputSize = await ingestSyntheticCohort(h, 'crash', { patients: 12, seed: 11, size: [16, 20, 20] });
    request = { ...smallExperiment('crash', inputSize, { epochs: 4 }), seed: 3 };
  });
  after(async () => {
    await h?.close();
  });

  test('SIGKILL mid-trial: another worker resumes from the checkpoint; results equal an uninterrupted run', async () => {
    const { prisma } = h.db.db;
    // Reference: the same request, uninterrupted, through the in-process runner.
    const deps = await createJobDeps(h.config);
    const events: string[] = [];
    const runner = createInProcessRunner(handlers, deps, {
      logger,
      onEvent: (e) => events.push(`${e.type}:${e.name}`),
    });
    const reference = await createExperiment(
      deps.db,
      ExperimentRequestSchema.parse({ ...request, name: 'reference' }),
    );
    await runner.addFlow(reference.flow);
    await runner.idle();
    await runner.close();
    await deps.close();
    assert.deepEqual(
      events.filter((e) => e.startsWith('completed')),
      ['completed:train-trial', 'completed:train-trial', 'completed:aggregate-experiment'],
      'the aggregation ran after both trials',
    );

    const submitted = await h.app.inject({
      method: 'POST',
      url: '/experiments',
      headers: auth,
      payload: request,
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const experimentId = submitted.json().id as string;
    const first = h.spawnWorker('first');
    const checkpoint = await waitFor(
      () =>
        prisma.checkpoint.findFirst({
          where: { trial: { experimentId } },
          select: { trialId: true, epoch: true },
        }),
      { timeoutMs: 120_000, intervalMs: 100, what: 'the first checkpoint' },
    );
    await h.kill(first, 'SIGKILL');
    const killedAt = await prisma.trial.findUniqueOrThrow({ where: { id: checkpoint.trialId } });
    assert.equal(killedAt.status, 'RUNNING', 'the trial was mid-training when its worker died');
    const epochsBefore = await prisma.epochMetric.count({ where: { trialId: checkpoint.trialId } });
    assert.ok(epochsBefore < 8, 'the kill came before the last epoch');

    const output = { text: '' };
    h.spawnWorker('second', { env: { LOG_LEVEL: 'info' }, output });
    h.spawnAggregator();
    await waitFor(
      async () => {
        const e = await prisma.experiment.findUniqueOrThrow({
          where: { id: experimentId },
          select: { status: true },
        });
        if (e.status === 'FAILED') throw new Error('experiment failed');
        return e.status === 'SUCCEEDED';
      },
      { timeoutMs: 300_000, intervalMs: 500, what: 'the experiment after the crash' },
    );
    assert.match(output.text, /resuming from checkpoint/, 'the second worker resumed rather than restarted');

    // No duplicates: one row per (trial, epoch, split), one checkpoint per epoch.
    const trials = await prisma.trial.findMany({ where: { experimentId }, orderBy: { fold: 'asc' } });
    const referenceTrials = await prisma.trial.findMany({
      where: { experimentId: reference.experimentId },
      orderBy: { fold: 'asc' },
    });
    for (const [i, t] of trials.entries()) {
      assert.equal(
        t.status,
        'SUCCEEDED',
        `${t.failureCode}: ${t.failureReason}\n${output.text.slice(-4000)}`,
      );
      assert.equal(await prisma.epochMetric.count({ where: { trialId: t.id } }), 4 * 2);
      assert.equal(await prisma.checkpoint.count({ where: { trialId: t.id } }), 4);
      const ref = referenceTrials[i]!;
      assert.equal(t.seed, ref.seed);
      assert.equal(t.bestEpoch, ref.bestEpoch);
      const metrics = (id: string) =>
        prisma.epochMetric.findMany({
          where: { trialId: id },
          orderBy: [{ epoch: 'asc' }, { split: 'asc' }],
          select: {
            epoch: true,
            split: true,
            loss: true,
            auc: true,
            sen: true,
            spe: true,
            acc: true,
            lrMain: true,
          },
        });
      assert.deepEqual(
        await metrics(t.id),
        await metrics(ref.id),
        `fold ${t.fold}: epoch metrics equal the uninterrupted run`,
      );
      const predictions = (id: string) =>
        prisma.prediction.findMany({
          where: { trialId: id },
          orderBy: [{ split: 'asc' }, { patientId: 'asc' }],
          select: { patientId: true, split: true, probability: true, label: true },
        });
      assert.deepEqual(
        await predictions(t.id),
        await predictions(ref.id),
        `fold ${t.fold}: predictions equal`,
      );
    }
    const ensembleMetrics = (id: string) =>
      prisma.ensembleMetric.findMany({
        where: { ensemble: { experimentId: id } },
        orderBy: [{ ensemble: { level: 'asc' } }, { ensemble: { name: 'asc' } }, { metric: 'asc' }],
        select: {
          metric: true,
          value: true,
          ciLow: true,
          ciHigh: true,
          ensemble: { select: { level: true, name: true } },
        },
      });
    const final = await ensembleMetrics(experimentId);
    assert.ok(final.length > 0);
    assert.deepEqual(final, await ensembleMetrics(reference.experimentId), 'ensemble metrics equal');
  });
});
