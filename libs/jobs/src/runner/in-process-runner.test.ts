import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CancelledError, DataError, TransientError } from '@spottune/errors';
import { createLogger } from '@spottune/logger';
import { experimentFlow } from '../flow.ts';
import type { Handlers, JobDeps } from '../processor.ts';
import { createInProcessRunner, type RunnerEvent } from './in-process-runner.ts';

// The runner never touches deps itself; these processors do not either.
const deps = {} as JobDeps;
const logger = createLogger({ level: 'silent' });

function handlersWith(train: Handlers['train-trial'], order: string[]): Handlers {
  return {
    'train-trial': train,
    'aggregate-experiment': async ({ experimentId }) => {
      order.push('aggregate');
      return { experimentId, ensembles: 0, missingTrials: 0 };
    },
    'ingest-patient': async () => ({ patientId: null, volumes: 0, skipped: 0 }),
    'finalize-cohort': async ({ cohortId }) => ({ cohortId, patients: 0 }),
  };
}

test('flow: the parent runs after every child, including failed ones; transient errors retry with backoff', async () => {
  const order: string[] = [];
  const tries = new Map<string, number>();
  const [ok, flaky, bad] = [randomUUID(), randomUUID(), randomUUID()];
  const delays: number[] = [];
  const events: RunnerEvent[] = [];
  const runner = createInProcessRunner(
    handlersWith(async ({ trialId }, ctx) => {
      tries.set(trialId, (tries.get(trialId) ?? 0) + 1);
      assert.equal(ctx.attempt, tries.get(trialId));
      assert.equal(ctx.maxAttempts, 3);
      await ctx.reportProgress({ epoch: 1 });
      if (trialId === flaky && ctx.attempt < 3) throw new TransientError('redis blip');
      if (trialId === bad) throw new DataError('wrong shape');
      order.push(trialId);
      return { trialId, status: 'SUCCEEDED', bestEpoch: 1 };
    }, order),
    deps,
    {
      logger,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0,
      onEvent: (e) => events.push(e),
    },
  );
  const flow = experimentFlow(randomUUID(), [ok, flaky, bad]);
  await runner.addFlow(flow);
  await runner.addFlow(flow); // same ids: a no-op, as in BullMQ
  await runner.idle();
  assert.deepEqual(order, [ok, flaky, 'aggregate']);
  assert.equal(tries.get(flaky), 3);
  assert.equal(tries.get(bad), 1, 'a permanent error is not retried');
  // Catalog: exponential from 60 s, no jitter with random() = 0.
  assert.deepEqual(delays, [60_000, 120_000]);
  assert.equal(runner.state(flow.children[2]!.jobId), 'failed');
  assert.equal(runner.state(flow.parent.jobId), 'completed');
  assert.equal(events.filter((e) => e.type === 'progress').length, 5);
  assert.equal(events.filter((e) => e.type === 'retrying').length, 2);
  await runner.close();
});

test('cancel: a running job sees its signal abort; a waiting one never starts', async () => {
  const order: string[] = [];
  const [first, second] = [randomUUID(), randomUUID()];
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const runner = createInProcessRunner(
    handlersWith(async ({ trialId }, ctx) => {
      order.push(`start ${trialId === first ? 'first' : 'second'}`);
      started();
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      throw new CancelledError('stopped between batches');
    }, order),
    deps,
    { logger, concurrency: 1 },
  );
  const flow = experimentFlow(randomUUID(), [first, second]);
  await runner.addFlow(flow);
  await running;
  assert.equal(runner.cancel(flow.children[1]!.jobId), true, 'the waiting child is dropped');
  assert.equal(runner.cancel(flow.children[0]!.jobId), true);
  await runner.idle();
  assert.deepEqual(order, ['start first', 'aggregate']);
  assert.equal(runner.state(flow.children[0]!.jobId), 'failed');
  assert.equal(runner.cancel('no-such-job'), false);
  await runner.close();
});

test('an invalid payload fails permanently on dequeue', async () => {
  const order: string[] = [];
  const events: RunnerEvent[] = [];
  const runner = createInProcessRunner(
    handlersWith(async () => assert.fail('the processor must not run'), order),
    deps,
    { logger, onEvent: (e) => events.push(e) },
  );
  await runner.add({ name: 'train-trial', payload: { trialId: 'not-a-uuid' }, jobId: 'bad-payload' });
  await runner.idle();
  const failed = events.find((e) => e.type === 'failed');
  assert.match(failed?.error?.message ?? '', /invalid payload for job train-trial: trialId/);
  assert.equal(events.filter((e) => e.type === 'active').length, 1, 'not retried');
  await runner.close();
});
