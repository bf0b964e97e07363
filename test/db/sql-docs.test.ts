import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { querySql } from '@spottune/db';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// docs/sql.md promises that its examples run: execute every ```sql block against a migrated database
// holding one experiment named as in the examples, so a renamed column or view fails here.
const docPath = fileURLToPath(new URL('../../docs/sql.md', import.meta.url));
let t: TestDatabase;

before(async () => {
  t = await createTestDatabase();
  const db = t.db.prisma;
  const experiment = await db.experiment.create({
    data: { name: 'paper-run', config: {}, configHash: 'h', seed: 1 },
  });
  const trial = await db.trial.create({
    data: {
      experimentId: experiment.id,
      network: 'spottune',
      modality: 'DSC_PH',
      fold: 0,
      hyperparameters: {},
      hpHash: 'hp',
      seed: 1,
      status: 'SUCCEEDED',
      bestEpoch: 0,
    },
  });
  await db.epochMetric.create({ data: { trialId: trial.id, epoch: 0, split: 'VAL', m: 0.1, auc: 0.7 } });
  const ensemble = await db.ensemble.create({
    data: {
      experimentId: experiment.id,
      network: 'spottune',
      level: 'combination',
      name: 'DSC+DTI',
      members: [],
      patients: 1,
    },
  });
  const cohort = await db.cohort.create({ data: { name: 'c', source: '/d', preprocessingVersion: 'v1' } });
  const patient = await db.patient.create({
    data: { cohortId: cohort.id, externalId: 'UPENN-GBM-00001', mgmt: 'METHYLATED' },
  });
  await db.prediction.create({
    data: { ensembleId: ensemble.id, patientId: patient.id, split: 'TEST', probability: 0.8, label: 1 },
  });
  await db.trial.create({
    data: {
      experimentId: experiment.id,
      network: 'resnet',
      modality: 'DTI_FA',
      fold: 1,
      hyperparameters: {},
      hpHash: 'hp',
      seed: 1,
      status: 'FAILED',
      failureCode: 'DATA_INVALID',
      failureReason: 'corrupt volume',
    },
  });
  await db.statisticalTest.create({
    data: {
      experimentId: experiment.id,
      kind: 'friedman',
      scope: 'best',
      comparison: 'all',
      inputs: {},
      pValue: 0.04,
    },
  });
  await db.ensembleMetric.create({
    data: { ensembleId: ensemble.id, metric: 'auc', value: 0.8, ciLow: 0.7, ciHigh: 0.9 },
  });
});
after(() => t.drop());

test('every SQL example in docs/sql.md runs', async () => {
  const markdown = await readFile(docPath, 'utf8');
  const blocks = [...markdown.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  assert.ok(blocks.length >= 10, `found ${blocks.length} sql blocks`);
  let withRows = 0;
  for (const sql of blocks) {
    // Through querySql, as `spottune db sql` runs them.
    const rows = await querySql(t.config, sql).catch((e: unknown) => {
      throw new Error(`docs/sql.md example failed:\n${sql}\n${String(e)}`);
    });
    if (rows.length > 0) withRows++;
  }
  // The seeded experiment answers all but two (group-level ensembles and failed volumes, absent here).
  assert.ok(withRows >= blocks.length - 2, `${withRows} of ${blocks.length} examples returned rows`);
});
