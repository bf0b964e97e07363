import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The reporting views (prisma/migrations/20261127000100_views, docs/sql.md) over a small seeded
// experiment whose expected answers are worked out by hand in the comments.
let t: TestDatabase;
let experimentId: string;
const ids: Record<string, string> = {};

before(async () => {
  t = await createTestDatabase();
  const db = t.db.prisma;
  const cohort = await db.cohort.create({ data: { name: 'c', source: '/d', preprocessingVersion: 'v1' } });
  const p1 = await db.patient.create({
    data: { cohortId: cohort.id, externalId: 'UPENN-GBM-00001', mgmt: 'METHYLATED' },
  });
  const p2 = await db.patient.create({
    data: { cohortId: cohort.id, externalId: 'UPENN-GBM-00002', mgmt: 'UNMETHYLATED' },
  });
  const experiment = await db.experiment.create({
    data: { name: 'paper-run', config: {}, configHash: 'h', seed: 1 },
  });
  experimentId = experiment.id;
  const trial = (network: string, extra: object) =>
    db.trial.create({
      data: {
        experimentId,
        network,
        modality: 'DSC_PH',
        fold: 0,
        hyperparameters: {},
        hpHash: 'hp',
        seed: 1,
        ...extra,
      },
    });
  const ok = await trial('spottune', {
    status: 'SUCCEEDED',
    attempts: 1,
    bestEpoch: 1,
    selection: 'best',
    durationMs: 65_000,
  });
  const failed = await trial('resnet', {
    status: 'FAILED',
    attempts: 3,
    failureCode: 'DATA_INVALID',
    failureReason: 'volume DSC_PH of UPENN-GBM-00002: sha256 mismatch',
  });
  ids.ok = ok.id;
  ids.failed = failed.id;
  for (const [epoch, m] of [
    [0, -0.1],
    [1, 0.12],
  ] as const) {
    await db.epochMetric.create({
      data: { trialId: ok.id, epoch, split: 'VAL', m, auc: 0.5 + epoch / 10, lrMain: 0.001 },
    });
    await db.epochMetric.create({ data: { trialId: ok.id, epoch, split: 'TRAIN', loss: 0.7 - epoch / 10 } });
  }
  const ensemble = async (network: string, level: string, name: string, metrics: Record<string, number>) => {
    const e = await db.ensemble.create({
      data: { experimentId, network, level, name, members: [], patients: 2 },
    });
    for (const [metric, value] of Object.entries(metrics)) {
      await db.ensembleMetric.create({
        data: { ensembleId: e.id, metric, value, ciLow: value - 0.1, ciHigh: value + 0.1 },
      });
    }
    ids[`${network}:${name}`] = e.id;
    return e;
  };
  // spottune: DSC and DSC+DTI tie at 0.8 → DSC (name order). resnet: DSC 0.7 beats DTI 0.6.
  await ensemble('spottune', 'combination', 'DSC+DTI', { auc: 0.8, ap: 0.75 });
  const best = await ensemble('spottune', 'group', 'DSC', {
    auc: 0.8,
    ap: 0.7,
    sen: 0.6,
    spe: 0.9,
    acc: 0.75,
  });
  await ensemble('spottune', 'group', 'DTI', { auc: 0.55 });
  await ensemble('resnet', 'group', 'DTI', { auc: 0.6 });
  await ensemble('resnet', 'group', 'DSC', { auc: 0.7 });
  await db.prediction.create({
    data: { trialId: ok.id, patientId: p1.id, split: 'TEST', probability: 0.9, label: 1, samples: 20 },
  });
  await db.prediction.create({
    data: { ensembleId: best.id, patientId: p2.id, split: 'TEST', probability: 0.2, label: 0, samples: 3 },
  });
  await db.statisticalTest.create({
    data: {
      experimentId,
      kind: 'friedman',
      scope: 'best',
      comparison: 'all',
      inputs: {},
      statistic: 7.1,
      pValue: 0.03,
    },
  });
  await db.statisticalTest.create({
    data: {
      experimentId,
      kind: 'nemenyi',
      scope: 'best',
      comparison: 'resnet~spottune',
      inputs: {},
      pValue: 0.2,
    },
  });
});
after(() => t.drop());

const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> =>
  t.db.prisma.$queryRawUnsafe<T[]>(sql, ...params);

test('v_trial_status: status, attempts and why a trial failed', async () => {
  const rows = await q(
    `SELECT experiment, network, status::text, attempts, best_epoch, selection, failure_code, failure_reason,
            extract(epoch FROM duration)::float AS seconds
     FROM v_trial_status WHERE experiment_id = $1::uuid ORDER BY network`,
    experimentId,
  );
  assert.deepEqual(rows, [
    {
      experiment: 'paper-run',
      network: 'resnet',
      status: 'FAILED',
      attempts: 3,
      best_epoch: null,
      selection: null,
      failure_code: 'DATA_INVALID',
      failure_reason: 'volume DSC_PH of UPENN-GBM-00002: sha256 mismatch',
      seconds: null,
    },
    {
      experiment: 'paper-run',
      network: 'spottune',
      status: 'SUCCEEDED',
      attempts: 1,
      best_epoch: 1,
      selection: 'best',
      failure_code: null,
      failure_reason: null,
      seconds: 65,
    },
  ]);
});

test('v_epoch_curves: per-fold validation M over epochs', async () => {
  const rows = await q(
    `SELECT network, fold, epoch, m, auc, lr_main FROM v_epoch_curves
     WHERE experiment_id = $1::uuid AND split = 'VAL' ORDER BY epoch`,
    experimentId,
  );
  assert.deepEqual(rows, [
    { network: 'spottune', fold: 0, epoch: 0, m: -0.1, auc: 0.5, lr_main: 0.001 },
    { network: 'spottune', fold: 0, epoch: 1, m: 0.12, auc: 0.6, lr_main: 0.001 },
  ]);
});

test('v_ensemble_results: one row per ensemble and metric with its CI', async () => {
  const rows = await q<{ name: string; metric: string; value: number; ci_low: number }>(
    `SELECT name, metric, value, ci_low FROM v_ensemble_results
     WHERE experiment_id = $1::uuid AND network = 'spottune' AND level = 'group' ORDER BY name, metric`,
    experimentId,
  );
  assert.deepEqual(
    rows.map((r) => `${r.name}:${r.metric}`),
    ['DSC:acc', 'DSC:ap', 'DSC:auc', 'DSC:sen', 'DSC:spe', 'DTI:auc'],
  );
  assert.ok(Math.abs((rows[2]?.ci_low ?? 0) - 0.7) < 1e-12);
});

test('v_best_ensemble_per_network: highest AUC per network, ties broken by name', async () => {
  const rows = await q(
    `SELECT network, level, name, auc, ap, sen, spe, acc FROM v_best_ensemble_per_network
     WHERE experiment_id = $1::uuid ORDER BY network`,
    experimentId,
  );
  assert.deepEqual(rows, [
    { network: 'resnet', level: 'group', name: 'DSC', auc: 0.7, ap: null, sen: null, spe: null, acc: null },
    { network: 'spottune', level: 'group', name: 'DSC', auc: 0.8, ap: 0.7, sen: 0.6, spe: 0.9, acc: 0.75 },
  ]);
});

test('v_patient_predictions: trial and ensemble predictions with the patient id', async () => {
  const rows = await q(
    `SELECT source, network, modality, fold, level, ensemble_name, patient, mgmt::text, split::text, label,
            probability, samples
     FROM v_patient_predictions WHERE experiment_id = $1::uuid ORDER BY patient`,
    experimentId,
  );
  assert.deepEqual(rows, [
    {
      source: 'trial',
      network: 'spottune',
      modality: 'DSC_PH',
      fold: 0,
      level: null,
      ensemble_name: null,
      patient: 'UPENN-GBM-00001',
      mgmt: 'METHYLATED',
      split: 'TEST',
      label: 1,
      probability: 0.9,
      samples: 20,
    },
    {
      source: 'ensemble',
      network: 'spottune',
      modality: null,
      fold: null,
      level: 'group',
      ensemble_name: 'DSC',
      patient: 'UPENN-GBM-00002',
      mgmt: 'UNMETHYLATED',
      split: 'TEST',
      label: 0,
      probability: 0.2,
      samples: 3,
    },
  ]);
});

test('v_statistical_tests: Friedman and Nemenyi with significance at 0.05', async () => {
  const rows = await q(
    `SELECT kind, comparison, statistic, p_value, significant FROM v_statistical_tests
     WHERE experiment_id = $1::uuid ORDER BY kind`,
    experimentId,
  );
  assert.deepEqual(rows, [
    { kind: 'friedman', comparison: 'all', statistic: 7.1, p_value: 0.03, significant: true },
    { kind: 'nemenyi', comparison: 'resnet~spottune', statistic: null, p_value: 0.2, significant: false },
  ]);
});
