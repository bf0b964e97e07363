import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@spottune/random';
import { batchNorm, BN_EPS } from './layers.ts';
import { Model, toBatch } from './model.ts';
import { defineNetwork } from './network.ts';
import { ParameterStore } from './parameter-store.ts';
import { corrected, faithful } from './settings.ts';

const widths = [4, 8, 16, 32] as const;

function randomInput(seed: number, shape: [number, number, number, number, number]): tf.Tensor5D {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  ) as tf.Tensor5D;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(
      Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)),
      `${what}[${i}]: ${a[i]} vs ${b[i]}`,
    );
}

test('forward output shapes for depth 10/18/34/50, SpotTune and plain, on a tiny input', () => {
  for (const depth of [10, 18, 34, 50] as const) {
    for (const network of ['spottune', 'resnet', 'transfer'] as const) {
      const model = new Model({ network, depth, widths, inChannels: 1, faithful: corrected() }, new Rng(1));
      const x = randomInput(2, [2, 16, 20, 20, 1]);
      const before = tf.memory().numTensors;
      const r = model.forward(x, { training: false, rng: new Rng(3), temperature: 100 });
      assert.deepEqual(r.logits.shape, [2], `${network}-${depth}`);
      assert.ok(r.logits.dataSync().every(Number.isFinite));
      if (network === 'spottune')
        assert.deepEqual(r.policy?.shape, [2, { 10: 4, 18: 8, 34: 16, 50: 16 }[depth]]);
      else assert.equal(r.policy, undefined);
      tf.dispose([r.logits, ...(r.policy ? [r.policy] : [])]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
      x.dispose();
      model.dispose();
    }
  }
});

test('SpotTune routing: policy 0 = the frozen copy alone, policy 1 = the fine-tuned copy alone', () => {
  for (const flags of [corrected(), faithful()]) {
    const spot = new Model(
      { network: 'spottune', depth: 50, widths, inChannels: 1, faithful: flags },
      new Rng(4),
    );
    const plain = new Model(
      { network: 'resnet', depth: 50, widths, inChannels: 1, faithful: flags },
      new Rng(5),
    );
    const x = randomInput(6, [2, 16, 20, 20, 1]);
    for (const [copy, value] of [
      ['blocks.', 0],
      ['parallel_blocks.', 1],
    ] as const) {
      for (const name of plain.store.names()) {
        const src = spot.store.has(`${copy}${name}`) ? `${copy}${name}` : name;
        plain.store.assign(name, spot.store.read(src));
      }
      const policy = tf.fill([2, 16], value) as tf.Tensor2D;
      const a = tf.tidy(() => spot.forward(x, { training: false, policy }).logits);
      const b = tf.tidy(() => plain.forward(x, { training: false }).logits);
      close(a.dataSync(), b.dataSync(), 1e-5, copy);
      // Mixed routing differs from both pure routes.
      tf.dispose([a, b, policy]);
    }
    const mixed = tf.tensor2d([
      Array.from({ length: 16 }, (_, t) => t % 2),
      Array(16).fill(1),
    ]) as tf.Tensor2D;
    const m = tf.tidy(() => spot.forward(x, { training: false, policy: mixed }).logits);
    const p1 = tf.tidy(() => plain.forward(x, { training: false }).logits);
    assert.notEqual(m.dataSync()[0], p1.dataSync()[0]);
    close([m.dataSync()[1]!], [p1.dataSync()[1]!], 1e-5, 'sample 2 all fine-tuned');
    tf.dispose([m, p1, mixed, x]);
    spot.dispose();
    plain.dispose();
  }
});

test('batch-statistics BN: hand-written gradient equals autodiff of the textbook formula', () => {
  const store = new ParameterStore(
    defineNetwork({ network: 'resnet', depth: 10, widths, inChannels: 1, faithful: corrected() }).specs,
    new Rng(7),
  );
  const rng = new Rng(8);
  store.assign(
    'bn1.weight',
    Float32Array.from({ length: 4 }, () => rng.normal(1, 0.3)),
  );
  store.assign(
    'bn1.bias',
    Float32Array.from({ length: 4 }, () => rng.normal()),
  );
  const x = randomInput(9, [2, 3, 4, 5, 4]);
  const w = randomInput(10, [2, 3, 4, 5, 4]);
  const gamma = store.get('bn1.weight');
  const beta = store.get('bn1.bias');
  const ctx = { store, training: true, frozenBnBatchStats: true };
  const ours = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    void g;
    void b;
    return tf.sum(tf.mul(batchNorm(ctx, 'bn1', xx as tf.Tensor5D), w));
  });
  const ref = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(xx, [0, 1, 2, 3]);
    const y = tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, BN_EPS))), g), b);
    return tf.sum(tf.mul(y, w));
  });
  // `ours` reads γ/β from the store: differentiate through the store's variables.
  const { grads } = tf.variableGrads(
    () => tf.sum(tf.mul(batchNorm(ctx, 'bn1', x), w)) as tf.Scalar,
    [gamma, beta],
  );
  const [dxOurs] = ours([x, gamma, beta]);
  const [dxRef, dgRef, dbRef] = ref([x, gamma, beta]);
  close(dxOurs!.dataSync(), dxRef!.dataSync(), 1e-4, 'dx');
  close(grads[gamma.name]!.dataSync(), dgRef!.dataSync(), 1e-4, 'dγ');
  close(grads[beta.name]!.dataSync(), dbRef!.dataSync(), 1e-4, 'dβ');
  store.dispose();
});

test('BN running statistics: momentum 0.1 with the unbiased variance; eval mode uses them', () => {
  const store = new ParameterStore(
    defineNetwork({ network: 'resnet', depth: 10, widths, inChannels: 1, faithful: corrected() }).specs,
    new Rng(7),
  );
  const x = randomInput(11, [2, 2, 3, 3, 4]);
  const values = Array.from(x.dataSync());
  const n = values.length / 4;
  const mean = [0, 1, 2, 3].map((c) => values.filter((_, i) => i % 4 === c).reduce((s, v) => s + v, 0) / n);
  const uvar = [0, 1, 2, 3].map(
    (c) => values.filter((_, i) => i % 4 === c).reduce((s, v) => s + (v - mean[c]!) ** 2, 0) / (n - 1),
  );
  const train = { store, training: true, frozenBnBatchStats: false };
  tf.dispose(batchNorm(train, 'bn1', x)); // bn1 of a `resnet` is trainable: batch stats
  close(
    store.read('bn1.running_mean'),
    mean.map((m) => 0.1 * m),
    1e-5,
    'running mean',
  );
  close(
    store.read('bn1.running_var'),
    uvar.map((v) => 0.9 + 0.1 * v),
    1e-5,
    'running var',
  );
  const evalOut = batchNorm({ ...train, training: false }, 'bn1', x);
  const rm = store.read('bn1.running_mean');
  const rv = store.read('bn1.running_var');
  close(
    evalOut.dataSync(),
    Array.from(values, (v, i) => (v - rm[i % 4]!) / Math.sqrt(rv[i % 4]! + BN_EPS)),
    1e-5,
    'eval BN',
  );
  tf.dispose([evalOut, x]);
  store.dispose();
});

test('frozen BNs: eval mode in training when corrected, batch statistics and drift with Q16', () => {
  for (const [flag, drifts] of [
    [false, false],
    [true, true],
  ] as const) {
    const model = new Model(
      { network: 'spottune', depth: 10, widths, inChannels: 1, faithful: corrected() },
      new Rng(1),
    );
    const x = randomInput(3, [2, 16, 20, 20, 1]);
    const before = model.store.read('blocks.layer1.0.bn1.running_mean').slice();
    const tunedBefore = model.store.read('parallel_blocks.layer1.0.bn1.running_mean').slice();
    tf.dispose(
      tf.tidy(() => model.forward(x, { training: true, frozenBnBatchStats: flag, rng: new Rng(2) }).logits),
    );
    const after = model.store.read('blocks.layer1.0.bn1.running_mean');
    assert.equal(
      after.some((v, i) => v !== before[i]),
      drifts,
    );
    // The fine-tuned copy's BNs always train.
    assert.ok(
      model.store.read('parallel_blocks.layer1.0.bn1.running_mean').some((v, i) => v !== tunedBefore[i]),
    );
    x.dispose();
    model.dispose();
  }
});

test('toBatch stacks single- and multi-channel (channel-first) samples as NDHWC', () => {
  const one = toBatch([
    { data: Float32Array.from([1, 2, 3, 4]), shape: [1, 2, 2] },
    { data: Float32Array.from([5, 6, 7, 8]), shape: [1, 2, 2] },
  ]);
  assert.deepEqual(one.shape, [2, 1, 2, 2, 1]);
  assert.deepEqual(Array.from(one.dataSync()), [1, 2, 3, 4, 5, 6, 7, 8]);
  const two = toBatch([
    { data: Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), shape: [1, 2, 2], channels: 2 },
  ]);
  assert.deepEqual(two.shape, [1, 1, 2, 2, 2]);
  assert.deepEqual(Array.from(two.dataSync()), [1, 10, 2, 20, 3, 30, 4, 40]);
  tf.dispose([one, two]);
});
