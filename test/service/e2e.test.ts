import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateSyntheticCohort, type SyntheticCohort } from '@spottune/cohort';
import { waitFor } from '../support/redis.ts';
import { startHarness, WRITER, type Harness } from './fixtures/service-harness.ts';

/**
 * The whole service on real Postgres, Redis and S3: a synthetic UPENN-GBM-layout cohort is ingested
 * through `POST /cohorts` (one job per patient), an experiment of 2 networks × 2 modalities × 2 folds
 * is submitted, two worker processes train it (sandboxed children), the aggregator process builds the
 * ensembles, and `GET /experiments/:id/results` and the SQL views report the same numbers.
 */
describe('end to end: ingest → experiment → two workers → aggregator → results', { timeout: 600_000 }, () => {
  let h: Harness;
  let synth: SyntheticCohort;
  const auth = { authorization: `Bearer ${WRITER}` };

  before(async () => {
    h = await startHarness('e2e');
    synth = await generateSyntheticCohort({
      patients: 20,
      outDir: join(h.work, 'cohort'),
      seed: 5,
      effect: 2,
      size: [16, 20, 20],
      missingDti: 0,
      missingDsc: 0,
    });
    h.spawnWorker('w1');
    h.spawnWorker('w2');
    h.spawnAggregator();
  });
  after(async () => {
    await h?.close();
  });

  test('ingest, train, aggregate, report', async () => {
    const cohort = await h.app.inject({
      method: 'POST',
      url: '/cohorts',
      headers: auth,
      payload: { source: join(h.work, 'cohort'), name: 'synthetic' },
    });
    assert.equal(cohort.statusCode, 202, cohort.body);
    assert.equal(cohort.json().patients, synth.labelled);
    const cohortId = cohort.json().id as string;
    const ingested = await waitFor(
      async () => {
        const res = await h.app.inject({ method: 'GET', url: `/cohorts/${cohortId}`, headers: auth });
        const body = res.json();
        return body.status === 'SUCCEEDED' ? body : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500, what: 'the cohort ingest' },
    );
    assert.equal(ingested.patients, synth.labelled);
    assert.equal(ingested.perClass.METHYLATED, synth.methylated);
    assert.ok(ingested.volumes.READY >= synth.labelled * 11 - 11, JSON.stringify(ingested.volumes));
    const volume = await h.db.db.prisma.volume.findFirstOrThrow({
      where: { status: 'READY', modality: 'T1' },
    });
    const inputSize = volume.shape;

    const submitted = await h.app.inject({
      method: 'POST',
      url: '/experiments',
      headers: auth,
      payload: {
        name: 'e2e',
        cohort: 'synthetic',
        networks: ['spottune', 'resnet'],
        modalities: ['DSC_PH', 'T1'],
        folds: 2,
        training: {
          epochs: 1,
          batchSize: 4,
          depth: 10,
          widths: [4, 4, 4, 4],
          inputSize,
          augmentation: { flip: true, rotate: false, noise: false, deform: false },
        },
        evalSamples: 2,
        seed: 7,
      },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const experimentId = submitted.json().id as string;
    const finished = await waitFor(
      async () => {
        const res = await h.app.inject({ method: 'GET', url: `/experiments/${experimentId}`, headers: auth });
        const body = res.json();
        if (body.status === 'FAILED') throw new Error(`experiment failed: ${res.body}`);
        return body.status === 'SUCCEEDED' ? body : undefined;
      },
      { timeoutMs: 400_000, intervalMs: 1000, what: 'the experiment' },
    );
    assert.equal(finished.trials.length, 8);
    for (const t of finished.trials) assert.equal(t.status, 'SUCCEEDED', JSON.stringify(t));

    const { prisma } = h.db.db;
    const trialIds = finished.trials.map((t: { id: string }) => t.id);
    assert.equal(
      await prisma.epochMetric.count({ where: { trialId: { in: trialIds } } }),
      8 * 2,
      'train + val per epoch',
    );
    assert.equal(await prisma.checkpoint.count({ where: { trialId: { in: trialIds } } }), 8);
    const commonTest = await prisma.split.count({
      where: { experimentId, modalityGroup: 'DSC', role: 'TEST' },
    });

    const results = await h.app.inject({
      method: 'GET',
      url: `/experiments/${experimentId}/results`,
      headers: auth,
    });
    assert.equal(results.statusCode, 200);
    const { ensembles } = results.json() as {
      ensembles: {
        id: string;
        network: string;
        level: string;
        name: string;
        patients: number;
        metrics: Record<string, { value: number; ciLow: number | null; ciHigh: number | null }>;
      }[];
    };
    const names = ensembles.map((e) => `${e.network}/${e.level}/${e.name}`).sort();
    for (const network of ['resnet', 'spottune']) {
      for (const name of ['fold/DSC_PH', 'fold/T1', 'group/DSC', 'group/Struct', 'combination/DSC+Struct']) {
        assert.ok(names.includes(`${network}/${name}`), `${network}/${name} in ${names.join(', ')}`);
      }
    }
    for (const e of ensembles) {
      assert.equal(e.patients, commonTest, `${e.name} is scored on the common test patients`);
      const auc = e.metrics.auc!;
      assert.ok(auc.value >= 0 && auc.value <= 1);
      assert.ok(
        auc.ciLow !== null && auc.ciHigh !== null && auc.ciLow <= auc.value && auc.value <= auc.ciHigh,
      );
    }

    // The SQL view reports exactly what the API does.
    const rows = await prisma.$queryRaw<{ ensemble_id: string; metric: string; value: number }[]>`
      SELECT ensemble_id::text AS ensemble_id, metric, value FROM v_ensemble_results WHERE experiment_id = ${experimentId}::uuid`;
    assert.equal(
      rows.length,
      ensembles.reduce((n, e) => n + Object.keys(e.metrics).length, 0),
    );
    for (const row of rows) {
      const e = ensembles.find((x) => x.id === row.ensemble_id)!;
      assert.equal(row.value, e.metrics[row.metric]!.value);
    }
  });
});
