import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { initBackend } from './ops/index.ts';
import { corrected, defaultTrainSettings, type FaithfulFlags, type TrainSettings } from './settings.ts';
import { trainModel } from './train.ts';
import type { EpochReport, TrainData, TrainResult, TrainSample } from './train-types.ts';

const SHAPE: [number, number, number] = [12, 16, 16];

/** A tiny cohort: label-1 volumes carry a bright blob. */
function cohort(seed: number): TrainData {
  const rng = new Rng(seed);
  const make = (n: number, tag: string): TrainSample[] =>
    Array.from({ length: n }, (_, i) => {
      const label = (i % 2) as 0 | 1;
      const data = new Float32Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
      for (let v = 0; v < data.length; v++) data[v] = rng.uniform() * 0.5;
      if (label === 1) for (let v = 0; v < 400; v++) data[1000 + v]! += 1;
      return { patientId: `${tag}${i}`, label, data, shape: SHAPE };
    });
  return { train: make(8, 't'), val: make(6, 'v'), test: make(4, 'x') };
}

function settings(over: Partial<TrainSettings> = {}): TrainSettings {
  return defaultTrainSettings({
    network: 'spottune',
    depth: 10,
    widths: [4, 8, 16, 32],
    epochs: 3,
    batchSize: 4,
    lr: 1e-3,
    agentLr: 1e-3,
    evalSamples: 3,
    seed: 17,
    ...over,
  });
}

/** Reports without wall-clock durations (the only thing allowed to differ between runs). */
function timeless(r: TrainResult): unknown {
  return { ...r, epochs: r.epochs.map(({ durationMs: _d, ...rest }) => rest) };
}

before(async () => {
  await initBackend('wasm');
});

test('3 epochs keep tf.memory().numTensors flat, and nothing is left after training', async () => {
  const baseline = tf.memory().numTensors;
  const counts: number[] = [];
  const batches: number[] = [];
  const r = await trainModel(cohort(1), settings(), {
    onBatch: (p) => void batches.push(p.batch),
    onEpoch: async () => void counts.push(tf.memory().numTensors),
  });
  assert.equal(counts.length, 3);
  assert.ok(
    counts.every((c) => c === counts[0]),
    `numTensors per epoch: ${counts.join(', ')}`,
  );
  assert.equal(tf.memory().numTensors, baseline);
  assert.deepEqual(batches, [1, 2, 1, 2, 1, 2]);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.epochs.length, 3);
  assert.equal(r.predictions.length, 10);
  for (const p of r.predictions) {
    assert.ok(p.probability > 0 && p.probability < 1);
    assert.equal(p.samples, 3);
    assert.equal(p.routing?.length, 4);
  }
  assert.equal(r.epochs[0]!.policyStats?.fineTunedFraction.length, 4);
  assert.equal(r.selection, r.bestEpoch === null ? 'last' : 'best');
});

test('a run cancelled mid-way and resumed from its last checkpoint ends bit-identical to an uninterrupted one', async () => {
  const data = cohort(2);
  const full = await trainModel(data, settings());
  const checkpoints: { epoch: number; bytes: Uint8Array }[] = [];
  const controller = new AbortController();
  await assert.rejects(
    trainModel(data, settings(), {
      signal: controller.signal,
      onBatch: (p) => {
        if (p.epoch === 2 && p.batch === 1) controller.abort();
      },
      onCheckpoint: async (c) => void checkpoints.push(c),
    }),
    (e: unknown) => e instanceof CancelledError && /epoch 2/.test(e.message),
  );
  assert.deepEqual(
    checkpoints.map((c) => c.epoch),
    [1],
  );
  const resumed = await trainModel(data, settings(), { resume: checkpoints[0]!.bytes });
  assert.deepEqual(timeless(resumed), timeless(full));
  // A checkpoint of another network is refused.
  await assert.rejects(
    trainModel(data, settings({ widths: [4, 8, 16, 16] }), { resume: checkpoints[0]!.bytes }),
    /another network/,
  );
});

test('Q23 faithful: validation SEN/SPE include the training epoch predictions; the rest is unchanged', async () => {
  const data = cohort(3);
  // q33 only changes the final evaluation (random train-mode agent, one Gumbel sample).
  const leak: FaithfulFlags = { ...corrected(), q23: true, q33: true };
  const fixed = await trainModel(data, settings({ epochs: 2, evalSamples: 2 }));
  const leaky = await trainModel(data, settings({ epochs: 2, evalSamples: 2, faithful: leak }));
  assert.ok(fixed.predictions.every((p) => p.samples === 2));
  assert.ok(leaky.predictions.every((p) => p.samples === 1 && p.routing?.every((v) => v === 0 || v === 1)));
  const pos = (split: TrainSample[]) => split.filter((s) => s.label === 1).length;
  const pTrain = pos(data.train);
  const nTrain = data.train.length - pTrain;
  const pVal = pos(data.val);
  const nVal = data.val.length - pVal;
  fixed.epochs.forEach((f: EpochReport, i) => {
    const l = leaky.epochs[i]!;
    assert.deepEqual(l.train, f.train);
    for (const k of ['loss', 'auc', 'ap', 'acc'] as const) assert.equal(l.val[k], f.val[k]);
    const sen = (f.train.sen * pTrain + f.val.sen * pVal) / (pTrain + pVal);
    const spe = (f.train.spe * nTrain + f.val.spe * nVal) / (nTrain + nVal);
    assert.ok(Math.abs(l.val.sen - sen) < 1e-12, `epoch ${i + 1} SEN ${l.val.sen} vs ${sen}`);
    assert.ok(Math.abs(l.val.spe - spe) < 1e-12, `epoch ${i + 1} SPE ${l.val.spe} vs ${spe}`);
    assert.ok(Math.abs(l.val.m - (0.6 * (sen - 0.5) + 0.4 * (spe - 0.5))) < 1e-12);
  });
});

test('settings and data are validated with messages naming the field', async () => {
  assert.throws(() => defaultTrainSettings({ depth: 20 as never }), /TrainSettings\.depth/);
  assert.throws(() => defaultTrainSettings({ widths: [4, 8, 16] as never }), /TrainSettings\.widths/);
  assert.throws(() => defaultTrainSettings({ lr: 0 }), /TrainSettings\.lr/);
  const data = cohort(5);
  data.val[1] = { ...data.val[1]!, shape: [12, 16, 8], data: new Float32Array(12 * 16 * 8) };
  await assert.rejects(trainModel(data, settings()), /val sample v1 has shape 1×12×16×8/);
  await assert.rejects(trainModel({ ...cohort(5), val: [] }, settings()), /validation split is empty/);
});

test('baselines train: random ResNet and transfer (head only) without an agent', async () => {
  const data = cohort(4);
  for (const network of ['resnet', 'transfer'] as const) {
    const r = await trainModel(data, settings({ network, epochs: 1 }));
    assert.equal(r.epochs[0]!.policyStats, undefined);
    assert.ok(r.predictions.every((p) => p.samples === 1 && p.routing === undefined));
  }
});
