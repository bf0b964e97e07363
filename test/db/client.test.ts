import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError, TransientError } from '@spottune/errors';
import { classifyDbError, createDb, migrate, type DbOrTx } from '@spottune/db';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

async function seedTrial(db: DbOrTx, suffix: string): Promise<string> {
  const experiment = await db.experiment.create({
    data: { name: `exp-${suffix}`, config: {}, configHash: 'h', seed: 1 },
  });
  const trial = await db.trial.create({
    data: {
      experimentId: experiment.id,
      network: 'spottune',
      modality: 'DSC_PH',
      fold: 0,
      hyperparameters: { lr: 0.001 },
      hpHash: 'hp',
      seed: 7,
    },
  });
  return trial.id;
}

test('the test database is migrated and already recorded', async () => {
  const result = await migrate(t.config);
  assert.deepEqual(result.applied, []);
  assert.ok(result.alreadyApplied.length >= 1);
});

test('upserts keyed on the natural unique key are idempotent (a retried job writes one row)', async () => {
  const { prisma } = t.db;
  const trialId = await seedTrial(prisma, 'upsert');
  const write = (auc: number) =>
    prisma.epochMetric.upsert({
      where: { trialId_epoch_split: { trialId, epoch: 3, split: 'VAL' } },
      create: { trialId, epoch: 3, split: 'VAL', auc, m: 0.1 },
      update: { auc, m: 0.1 },
    });
  await write(0.61);
  await write(0.64);
  const rows = await prisma.epochMetric.findMany({ where: { trialId } });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.auc, 0.64);

  // createMany with skipDuplicates is the other idempotent write path (predictions in bulk).
  const cohort = await prisma.cohort.create({
    data: { name: 'c-upsert', source: '/data', preprocessingVersion: 'v1' },
  });
  const patient = await prisma.patient.create({
    data: { cohortId: cohort.id, externalId: 'UPENN-GBM-00001', mgmt: 'METHYLATED' },
  });
  const prediction = {
    trialId,
    patientId: patient.id,
    split: 'TEST' as const,
    probability: 0.7,
    label: 1,
    routing: [0.5, 0.25],
  };
  await prisma.prediction.createMany({ data: [prediction], skipDuplicates: true });
  await prisma.prediction.createMany({ data: [prediction], skipDuplicates: true });
  const predictions = await prisma.prediction.findMany({ where: { trialId } });
  assert.equal(predictions.length, 1);
  assert.deepEqual(predictions[0]?.routing, [0.5, 0.25]);
});

test('a duplicate natural key is classified as ConflictError naming the fields', async () => {
  const { prisma } = t.db;
  const trialId = await seedTrial(prisma, 'conflict');
  await prisma.checkpoint.create({
    data: { trialId, epoch: 1, storageKey: 'k', sha256: 'a'.repeat(64), bytes: 10n },
  });
  let caught: unknown;
  try {
    await prisma.checkpoint.create({
      data: { trialId, epoch: 1, storageKey: 'k2', sha256: 'b'.repeat(64), bytes: 11n },
    });
  } catch (e) {
    caught = e;
  }
  const err = classifyDbError(caught);
  assert.ok(err instanceof ConflictError, `got ${String(err)}`);
  assert.deepEqual(err.details?.fields, ['trial_id', 'epoch']);
  assert.match(err.message, /epoch/);
});

test('a missing record is NotFoundError; an unreachable server is TransientError', async () => {
  let caught: unknown;
  try {
    await t.db.prisma.cohort.update({ where: { name: 'no-such-cohort' }, data: { source: 'x' } });
  } catch (e) {
    caught = e;
  }
  assert.ok(classifyDbError(caught) instanceof NotFoundError);

  // Port 1 on localhost: nothing listens there, so the connection is refused.
  const dead = await createDb({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
  try {
    await assert.rejects(dead.prisma.cohort.count(), (e: unknown) => {
      const err = classifyDbError(e);
      assert.ok(err instanceof TransientError, `got ${String(err)}`);
      assert.equal(err.retryable, true);
      return true;
    });
    await assert.rejects(
      migrate({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }),
      (e: unknown) => {
        assert.ok(classifyDbError(e) instanceof TransientError);
        return true;
      },
    );
  } finally {
    await dead.close();
  }
  const plain = new Error('something else');
  assert.equal(classifyDbError(plain), plain, 'unknown errors come back unchanged');
  assert.ok(classifyDbError('a string') instanceof Error);
});

test('interactive transactions roll back as a unit', async () => {
  const { prisma } = t.db;
  await assert.rejects(
    prisma.$transaction(async (tx) => {
      await seedTrial(tx, 'tx');
      throw new Error('abort');
    }),
    /abort/,
  );
  assert.equal(await prisma.experiment.count({ where: { name: 'exp-tx' } }), 0);
});
