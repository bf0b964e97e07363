import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@spottune/random';

/**
 * Standard Gumbel noise G = −log(−log(U + 1e-20) + 1e-20), U ~ U[0,1) from the trial's Rng (one
 * generator per trial, never re-seeded inside sampling: Q21).
 */
export function gumbelNoise(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = -Math.log(-Math.log(rng.uniform() + 1e-20) + 1e-20);
  return tf.tensor(out, shape);
}

/**
 * Hard straight-through Gumbel-softmax over the last axis: the forward value is the one-hot of
 * argmax(y), y = softmax((logits + G)/τ); the gradient is that of the soft y, i.e. the value of
 * `(hard − y).detach() + y` in PyTorch.
 */
export function gumbelSoftmaxHard(logits: tf.Tensor, noise: tf.Tensor, tau: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [l, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.softmax(tf.div(tf.add(l, noise), tau));
    save([y]);
    const k = y.shape[y.shape.length - 1]!;
    const hard = tf.oneHot(tf.argMax(y, -1), k).toFloat();
    return {
      value: hard,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const s = saved[0]!;
        // d softmax(z/τ) = y ⊙ (dy − Σ dy·y) / τ
        return tf.div(tf.mul(s, tf.sub(dy, tf.sum(tf.mul(dy, s), -1, true))), tau);
      },
    };
  });
  return (op as (l: tf.Tensor) => tf.Tensor)(logits);
}

/**
 * The routing policy from agent logits [B, 2n]: pairs (freeze, fine-tune) per block → [B, n] ∈ {0,1},
 * 1 = fine-tuned copy.
 */
export function samplePolicy(agentLogits: tf.Tensor2D, rng: Rng, tau: number): tf.Tensor2D {
  const [b, twoN] = agentLogits.shape;
  const n = twoN / 2;
  return tf.tidy(() => {
    const pairs = tf.reshape(agentLogits, [b, n, 2]);
    const noise = gumbelNoise(rng, [b, n, 2]);
    const action = gumbelSoftmaxHard(pairs, noise, tau);
    return tf.reshape(tf.slice(action, [0, 0, 1], [b, n, 1]), [b, n]) as tf.Tensor2D;
  });
}
