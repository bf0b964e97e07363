import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@spottune/logger';
import {
  ExperimentRequestSchema,
  createExperiment,
  createInProcessRunner,
  createJobDeps,
  handlers,
  type ExperimentRequestInput,
} from '@spottune/jobs';
import { decodeCheckpoint, mapMedicalNetStateDict, readTorchCheckpoint } from '@spottune/model';
import { ingestSyntheticCohort, smallExperiment } from '../support/api-app.ts';
import { startHarness, WRITER, type Harness } from './fixtures/service-harness.ts';

/**
 * `training.pretrained`: a SpotTune/transfer trial starts from the shared MedicalNet-format ResNet50
 * checkpoint (widths 8,16,32,64), given as a local path or as `store:<key>`; a wrong path fails the
 * trial with BAD_WEIGHTS while the plain ResNet of the same experiment ignores it; a malformed value
 * is a 400 naming the field.
 */
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const PTH = join(root, '..', 'shared', 'data', 'medicalnet', 'resnet50_w8_zip.pth');
const STORE_KEY = 'weights/medicalnet/resnet50_w8.pth';

describe('pretrained MedicalNet weights in experiments', { timeout: 300_000 }, () => {
  let h: Harness;
  let base: ExperimentRequestInput;
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (msg: string) => void lines.push(msg) },
  });

  before(async () => {
    h = await startHarness('pretrained');
    // Resampled to 2.3 mm by preprocessing: about 16×20×20 voxels.
    const inputSize = await ingestSyntheticCohort(h, 'pretrained', {
      patients: 8,
      seed: 5,
      size: [37, 46, 46],
    });
    await h.store.put(STORE_KEY, await readFile(PTH));
    base = {
      ...smallExperiment('pretrained', inputSize, {
        epochs: 1,
        depth: 50,
        widths: [8, 16, 32, 64],
        augmentation: { flip: false, rotate: false, noise: false, deform: false },
      }),
      networks: ['spottune'],
      seed: 9,
    };
  });
  after(async () => {
    await h?.close();
  });

  /** Runs one experiment through the in-process runner; its trials, and the log lines it wrote. */
  async function runExperiment(request: ExperimentRequestInput) {
    const deps = await createJobDeps(h.config);
    const runner = createInProcessRunner(handlers, deps, { logger });
    const first = lines.length;
    const created = await createExperiment(deps.db, ExperimentRequestSchema.parse(request));
    await runner.addFlow(created.flow);
    await runner.idle();
    await runner.close();
    await deps.close();
    const trials = await h.db.db.prisma.trial.findMany({
      where: { experimentId: created.experimentId },
      orderBy: [{ network: 'asc' }, { fold: 'asc' }],
    });
    const log = lines.slice(first).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { trials, log };
  }

  test('a local .pth: every SpotTune trial loads the MedicalNet tensors', async () => {
    const sd = await readTorchCheckpoint(new Uint8Array(await readFile(PTH)));
    assert.ok(sd.size > 100, 'the shared checkpoint holds a ResNet50 state dict');
    const { trials, log } = await runExperiment({
      ...base,
      name: 'local',
      training: { ...base.training, pretrained: PTH },
    });
    assert.equal(trials.length, 2);
    for (const t of trials) assert.equal(t.status, 'SUCCEEDED', `${t.failureCode}: ${t.failureReason}`);
    const loaded = log.filter((l) => l.msg === 'pretrained weights loaded');
    assert.equal(loaded.length, 2, 'one load per trial');
    for (const l of loaded) {
      assert.equal(l.source, `MedicalNet ${PTH}`);
      // SpotTune: every block twice (frozen and fine-tuned copies) plus the stem.
      assert.ok((l.loaded as number) > sd.size, `loaded ${String(l.loaded)} tensors`);
    }
    assert.ok(!log.some((l) => String(l.msg).startsWith('no pretrained weights')));
    // The frozen copy of a block is still, after training, exactly the MedicalNet tensor (in our layout).
    const mapped = mapMedicalNetStateDict(sd, {
      arch: 'resnet50',
      widths: [8, 16, 32, 64],
      target: 'spottune',
    });
    const name = 'blocks.layer2.0.conv2.weight';
    const expected = mapped.get(name);
    assert.ok(expected !== undefined, `the mapping names ${name}`);
    const checkpoint = await h.db.db.prisma.checkpoint.findFirstOrThrow({
      where: { trialId: trials[0]!.id },
    });
    const { tensors } = decodeCheckpoint(new Uint8Array(await h.store.getBytes(checkpoint.storageKey)));
    const trained = tensors.get(`param/${name}`);
    assert.ok(
      trained !== undefined,
      `checkpoint holds ${name} (has ${[...tensors.keys()].slice(0, 12).join(', ')})`,
    );
    assert.deepEqual(trained, expected.data);
    // The fine-tuned copy started from the same tensor but moved.
    const tuned = tensors.get(`param/parallel_${name}`);
    assert.ok(tuned !== undefined && tuned.length === expected.data.length);
    assert.notDeepEqual(tuned, expected.data);
  });

  test('store:<key>: fetched through the object store into the verified cache', async () => {
    const { trials, log } = await runExperiment({
      ...base,
      name: 'store',
      training: { ...base.training, pretrained: `store:${STORE_KEY}`, faithful: { q14: true } },
    });
    for (const t of trials) assert.equal(t.status, 'SUCCEEDED', `${t.failureCode}: ${t.failureReason}`);
    const loaded = log.filter((l) => l.msg === 'pretrained weights loaded');
    assert.equal(loaded.length, 2);
    // Faithful Q14 reaches the loader: layer3 blocks 3–5 keep their random init.
    const sd = await readTorchCheckpoint(new Uint8Array(await readFile(PTH)));
    const count = (q14: boolean) =>
      mapMedicalNetStateDict(sd, {
        arch: 'resnet50',
        widths: [8, 16, 32, 64],
        target: 'spottune',
        faithful: { q14, q13: false },
      }).size;
    assert.ok(count(true) < count(false));
    for (const l of loaded) {
      assert.equal(l.source, `MedicalNet store:${STORE_KEY}`);
      assert.equal(l.loaded, count(true));
    }
    const cached = await readdir(h.config.cache.dir, { recursive: true });
    const info = await h.store.head(STORE_KEY);
    assert.ok(info.sha256 !== undefined);
    assert.ok(
      cached.some((f) => f.endsWith(info.sha256!)),
      `the .pth lies in the cache under its sha256 (${cached.join(', ')})`,
    );
  });

  test('a wrong path fails SpotTune with BAD_WEIGHTS; ResNet ignores it; no path only warns', async () => {
    const { trials } = await runExperiment({
      ...base,
      name: 'wrong',
      networks: ['resnet', 'spottune'],
      folds: 2,
      training: { ...base.training, depth: 10, pretrained: '/nonexistent/medicalnet.pth' },
    });
    const spottune = trials.filter((t) => t.network === 'spottune');
    const resnet = trials.filter((t) => t.network === 'resnet');
    assert.equal(spottune.length, 2);
    for (const t of spottune) {
      assert.equal(t.status, 'FAILED');
      assert.equal(t.failureCode, 'BAD_WEIGHTS');
      assert.match(t.failureReason ?? '', /\/nonexistent\/medicalnet\.pth/);
      assert.equal(t.attempts, 1, 'a permanent error is not retried');
    }
    for (const t of resnet) assert.equal(t.status, 'SUCCEEDED', `${t.failureCode}: ${t.failureReason}`);

    const none = await runExperiment({
      ...base,
      name: 'none',
      training: { ...base.training, depth: 10 },
    });
    for (const t of none.trials) assert.equal(t.status, 'SUCCEEDED', `${t.failureCode}: ${t.failureReason}`);
    const warnings = none.log.filter((l) => String(l.msg).startsWith('no pretrained weights'));
    assert.equal(warnings.length, 2, 'one warning per trial');
    assert.ok(!none.log.some((l) => l.msg === 'pretrained weights loaded'));
  });

  test('a malformed value is a 400 naming training.pretrained', async () => {
    for (const bad of ['relative/weights.pth', 'store:', '']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/experiments',
        headers: { authorization: `Bearer ${WRITER}` },
        payload: { ...base, name: `bad ${bad}`, training: { ...base.training, pretrained: bad } },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.body, /pretrained/);
    }
  });
});
