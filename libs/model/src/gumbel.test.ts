import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@spottune/random';
import { gumbelNoise, gumbelSoftmaxHard, samplePolicy } from './gumbel.ts';

function logitsOf(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal(0, 2)),
    shape,
  );
}

test('Gumbel noise is −log(−log(U + 1e-20) + 1e-20) of the Rng stream, reproducible for a seed', () => {
  const a = gumbelNoise(new Rng(5), [3, 4, 2]);
  const b = gumbelNoise(new Rng(5), [3, 4, 2]);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  const replay = new Rng(5);
  const expected = Array.from({ length: 24 }, () =>
    Math.fround(-Math.log(-Math.log(replay.uniform() + 1e-20) + 1e-20)),
  );
  assert.deepEqual(Array.from(a.dataSync()), expected);
  // One generator, never re-seeded: consecutive draws differ (Q21).
  const rng = new Rng(5);
  const first = gumbelNoise(rng, [8]);
  const second = gumbelNoise(rng, [8]);
  assert.notDeepEqual(Array.from(first.dataSync()), Array.from(second.dataSync()));
  // Standard Gumbel: mean = Euler–Mascheroni γ ≈ 0.5772, variance π²/6 ≈ 1.645.
  const big = Array.from(gumbelNoise(new Rng(11), [20000]).dataSync());
  const mean = big.reduce((s, v) => s + v, 0) / big.length;
  const variance = big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length;
  assert.ok(Math.abs(mean - 0.5772) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1.645) < 0.1, `variance ${variance}`);
  tf.dispose([a, b, first, second]);
});

test('hard Gumbel-softmax: the forward value is the one-hot of argmax(logits + G)', () => {
  const rng = new Rng(1);
  const logits = logitsOf(rng, [6, 5, 2]);
  const noise = gumbelNoise(rng, [6, 5, 2]);
  const hard = gumbelSoftmaxHard(logits, noise, 100);
  const h = hard.arraySync() as number[][][];
  const z = tf.add(logits, noise).arraySync() as number[][][];
  h.forEach((row, i) =>
    row.forEach((pair, t) => {
      assert.ok(pair.every((v) => v === 0 || v === 1));
      assert.equal(pair[0]! + pair[1]!, 1);
      assert.equal(pair[1], z[i]![t]![1]! > z[i]![t]![0]! ? 1 : 0);
    }),
  );
  // τ does not change the forward policy.
  const other = gumbelSoftmaxHard(logits, noise, 0.5);
  assert.deepEqual(other.arraySync(), h);
  tf.dispose([logits, noise, hard, other]);
});

test('straight-through gradient equals the gradient of the soft sample softmax((l + G)/τ)', () => {
  const rng = new Rng(2);
  for (const tau of [1, 100]) {
    const logits = logitsOf(rng, [4, 3, 2]);
    const noise = gumbelNoise(rng, [4, 3, 2]);
    const weights = logitsOf(rng, [4, 3, 2]);
    const hardGrad = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(gumbelSoftmaxHard(l, noise, tau), weights)))(
      logits,
    );
    const softGrad = tf.grad((l: tf.Tensor) =>
      tf.sum(tf.mul(tf.softmax(tf.div(tf.add(l, noise), tau)), weights)),
    )(logits);
    const a = hardGrad.dataSync();
    const b = softGrad.dataSync();
    assert.ok(
      b.some((v) => Math.abs(v) > 0),
      'the soft gradient is not trivially zero',
    );
    a.forEach((v, i) =>
      assert.ok(Math.abs(v - b[i]!) < 1e-6 * Math.max(1, Math.abs(b[i]!)), `τ=${tau} [${i}]`),
    );
    tf.dispose([logits, noise, weights, hardGrad, softGrad]);
  }
});

test('samplePolicy: per-sample B × nBlocks routing in {0,1}, deterministic for a seed', () => {
  const logits = logitsOf(new Rng(3), [5, 32]) as tf.Tensor2D;
  const p1 = samplePolicy(logits, new Rng(9), 100);
  const p2 = samplePolicy(logits, new Rng(9), 100);
  assert.deepEqual(p1.shape, [5, 16]);
  assert.deepEqual(p1.arraySync(), p2.arraySync());
  const values = p1.dataSync();
  assert.ok(values.every((v) => v === 0 || v === 1));
  assert.ok(values.some((v) => v === 1) && values.some((v) => v === 0));
  // Strong logits dominate the noise: pair (−50, +50) always fine-tunes.
  const forced = tf.tile(tf.tensor2d([[-50, 50]]), [3, 16]) as tf.Tensor2D;
  assert.ok(
    samplePolicy(forced, new Rng(1), 100)
      .dataSync()
      .every((v) => v === 1),
  );
  tf.dispose([logits, p1, p2, forced]);
});
