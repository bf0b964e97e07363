import * as tf from '@tensorflow/tfjs';

/**
 * Binary cross-entropy on logits, averaged over the batch (torch `BCEWithLogitsLoss()`), in the
 * numerically stable form max(z, 0) − z·y + log(1 + e^(−|z|)).
 */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perSample = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, labels)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return tf.mean(perSample);
  });
}

/** The same loss on plain numbers (per-epoch bookkeeping, tests). */
export function bceWithLogitsValue(logit: number, label: number): number {
  return Math.max(logit, 0) - logit * label + Math.log1p(Math.exp(-Math.abs(logit)));
}

/** Logistic sigmoid, stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
