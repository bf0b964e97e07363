import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiApp } from '../../apps/api/src/app.ts';
import { startTestApi, type TestApi } from '../support/api-app.ts';
import type { TestDatabase } from '../support/database.ts';
import type { TestRedis } from '../support/redis.ts';
import { insertCohortRows } from './fixtures/cohort-rows.ts';

const WRITER = 'writer-token-0001';
const READER = 'reader-token-0001';

describe('API against Postgres and Redis', () => {
  let api: TestApi;
  let t: TestDatabase;
  let redis: TestRedis;
  let app: ApiApp;

  before(async () => {
    api = await startTestApi('api', {
      env: { SPOTTUNE_API_TOKENS: `${WRITER}:read,write;${READER}:read`, API_BODY_LIMIT: '20000' },
    });
    ({ db: t, redis, app } = api);
    await insertCohortRows(t.db, { name: 'cohort-a', patients: 30, groups: ['DSC', 'Struct'] });
  });

  after(async () => {
    await api?.close();
  });

  const body = {
    name: 'small',
    cohort: 'cohort-a',
    networks: ['spottune', 'resnet'],
    modalities: ['DSC_PH', 'T1'],
    folds: 2,
    training: { epochs: 2, widths: [4, 8, 8, 8], depth: 10, inputSize: [16, 20, 20] },
    evalSamples: 2,
  };
  const post = (payload: unknown, token = WRITER, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/experiments',
      headers: { authorization: `Bearer ${token}`, ...headers },
      payload: payload as object,
    });

  test('no token or an unknown token → 401; a read-only token on POST → 403', async () => {
    const none = await app.inject({ method: 'GET', url: '/experiments' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().code, 'UNAUTHENTICATED');
    const unknown = await app.inject({
      method: 'GET',
      url: '/experiments',
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    assert.equal(unknown.statusCode, 401);
    const read = await app.inject({
      method: 'GET',
      url: '/experiments',
      headers: { authorization: `Bearer ${READER}` },
    });
    assert.equal(read.statusCode, 200);
    const forbidden = await post(body, READER);
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'FORBIDDEN');
    assert.equal(
      (await app.inject({ method: 'GET', url: '/health' })).statusCode,
      200,
      'health needs no token',
    );
  });

  test('an invalid body → 400 naming the field path', async () => {
    const cases: [unknown, string][] = [
      [{ ...body, training: { ...body.training, epochs: 0 } }, 'training.epochs'],
      [{ ...body, networks: undefined }, 'networks'],
      [{ ...body, networks: ['vgg'] }, 'networks.0'],
      [{ ...body, modalities: ['DSC_XX'] }, 'modalities.0'],
      [{ ...body, surprise: 1 }, 'surprise'],
      [{ ...body, search: { scans: { lr: [-1] } } }, 'search.scans.lr.0'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
      const json = res.json();
      assert.equal(json.code, 'VALIDATION_FAILED');
      assert.equal(json.field, field, res.body);
      assert.equal(typeof json.message, 'string');
    }
    const missingCohort = await post({ ...body, cohort: 'nope' });
    assert.equal(missingCohort.statusCode, 404);
    assert.equal(missingCohort.json().field, 'cohort');
    assert.equal(await t.db.prisma.experiment.count(), 0, 'nothing was stored');
  });

  test('an oversized body → 413', async () => {
    const res = await post({ ...body, name: 'x'.repeat(30_000) });
    assert.equal(res.statusCode, 413);
    assert.equal(await t.db.prisma.experiment.count(), 0);
  });

  test('a valid POST stores experiment, splits and trials and enqueues one flow; a repeat with the same key creates nothing', async () => {
    const first = await post(body, WRITER, { 'idempotency-key': 'key-1' });
    assert.equal(first.statusCode, 201, first.body);
    const created = first.json();
    assert.equal(created.created, true);
    assert.equal(created.trials, 2 * 2 * 2);
    const experiment = await t.db.prisma.experiment.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(experiment.status, 'QUEUED');
    assert.equal(experiment.idempotencyKey, 'key-1');
    const trials = await t.db.prisma.trial.findMany({ where: { experimentId: created.id } });
    assert.equal(trials.length, 8);
    assert.ok(trials.every((tr) => tr.queueJobId === `train-${tr.id}` && tr.status === 'QUEUED'));
    // DSC and Struct splits: every one of the 30 patients has a role in each group.
    const splits = await t.db.prisma.split.groupBy({
      by: ['modalityGroup', 'role'],
      where: { experimentId: created.id },
      _count: { _all: true },
    });
    const count = (g: string, r: string) =>
      splits.find((s) => s.modalityGroup === g && s.role === r)?._count._all ?? 0;
    assert.equal(count('DSC', 'TEST') + count('DSC', 'TRAIN'), 30);
    assert.equal(count('DSC', 'TEST'), 9, 'ceil(0.3 · 30) held out');
    assert.equal(count('Struct', 'TEST') + count('Struct', 'TRAIN'), 30);

    const train = await redis.jobCounts('train');
    const aggregate = await redis.jobCounts('aggregate');
    assert.equal(train.waiting, 8);
    assert.equal(aggregate['waiting-children'], 1);
    const job = await redis.client.hgetall(`${redis.prefix}:train:train-${trials[0]!.id}`);
    assert.equal(JSON.parse(job.data!).trialId, trials[0]!.id);
    assert.equal(JSON.parse(job.opts!).attempts, 3);
    assert.ok(job.parentKey?.endsWith(`aggregate:aggregate-${created.id}`), job.parentKey);

    const again = await post({ ...body, name: 'changed but same key' }, WRITER, {
      'idempotency-key': 'key-1',
    });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, created.id);
    assert.equal(again.json().created, false);
    assert.equal(await t.db.prisma.experiment.count(), 1);
    assert.equal(await t.db.prisma.trial.count(), 8);
    assert.deepEqual(await redis.jobCounts('train'), train);
    assert.deepEqual(await redis.jobCounts('aggregate'), aggregate);
  });

  test('status, list, trial and cancel', async () => {
    const auth = { authorization: `Bearer ${READER}` };
    const list = await app.inject({ method: 'GET', url: '/experiments?limit=5', headers: auth });
    assert.equal(list.statusCode, 200);
    const [item] = list.json().items;
    assert.equal(item.trialCounts.total, 8);
    const detail = await app.inject({ method: 'GET', url: `/experiments/${item.id}`, headers: auth });
    assert.equal(detail.statusCode, 200);
    assert.equal(detail.json().trials.length, 8);
    assert.equal(detail.json().config.training.epochs, 2);
    const trialId = detail.json().trials[0].id;
    const trial = await app.inject({ method: 'GET', url: `/trials/${trialId}`, headers: auth });
    assert.equal(trial.statusCode, 200);
    assert.deepEqual(trial.json().epochs, []);
    const results = await app.inject({
      method: 'GET',
      url: `/experiments/${item.id}/results`,
      headers: auth,
    });
    assert.deepEqual(results.json().ensembles, []);
    assert.equal(
      (
        await app.inject({
          method: 'GET',
          url: '/experiments/00000000-0000-4000-8000-000000000000',
          headers: auth,
        })
      ).statusCode,
      404,
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/experiments/not-a-uuid', headers: auth })).statusCode,
      400,
    );

    const cancel = await app.inject({
      method: 'POST',
      url: `/experiments/${item.id}/cancel`,
      headers: { authorization: `Bearer ${WRITER}` },
    });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.deepEqual(cancel.json(), { id: item.id, status: 'CANCELLED', cancelledTrials: 8, removedJobs: 8 });
    assert.equal((await redis.jobCounts('train')).waiting, 0);
    const statuses = await t.db.prisma.trial.findMany({
      where: { experimentId: item.id },
      select: { status: true },
    });
    assert.ok(statuses.every((s) => s.status === 'CANCELLED'));
  });

  test('readiness checks the database, Redis and storage', async () => {
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 200, ready.body);
    const { checks } = ready.json();
    assert.deepEqual(Object.keys(checks).sort(), ['database', 'queue', 'storage']);
    assert.ok(Object.values(checks).every((c) => (c as { ok: boolean }).ok));
  });

  test('metrics and OpenAPI', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(
      metrics.body,
      /spottune_http_requests_total\{method="POST",route="\/experiments",status_code="201"\} 1/,
    );
    assert.match(metrics.body, /spottune_http_request_duration_seconds_bucket/);
    // The cancelled children were removed, which released the parent: it waits for the aggregator.
    assert.match(metrics.body, /spottune_queue_jobs\{queue="aggregate",state="waiting"\} 1/);
    assert.match(metrics.body, /spottune_queue_jobs\{queue="train",state="waiting"\} 0/);
    const docs = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(docs.statusCode, 200);
    const paths = docs.json().paths;
    assert.ok(paths['/experiments'].post.requestBody, 'the request schema is documented');
    assert.ok(paths['/experiments/{id}/results'].get);
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    assert.ok([200, 302].includes(ui.statusCode), `docs UI: ${ui.statusCode}`);
  });
});
