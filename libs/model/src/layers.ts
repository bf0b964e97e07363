import * as tf from '@tensorflow/tfjs';
import { conv3d, maxPool3d } from './ops/index.ts';
import type { ParameterStore } from './parameter-store.ts';

/** PyTorch BatchNorm defaults. */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * How one sub-network runs: `training` selects batch statistics for BNs whose affine parameters train;
 * frozen BNs (non-trainable γ) use batch statistics only when `frozenBnBatchStats` (Q16 faithful).
 */
export interface LayerContext {
  store: ParameterStore;
  training: boolean;
  frozenBnBatchStats: boolean;
}

export interface ConvArgs {
  stride?: number;
  dilation?: number;
  padding?: number;
  /** The input is data: its gradient is never needed. */
  skipInputGradient?: boolean;
}

export function conv(ctx: LayerContext, name: string, x: tf.Tensor5D, a: ConvArgs = {}): tf.Tensor5D {
  const w = ctx.store.get(`${name}.weight`) as unknown as tf.Tensor5D;
  return conv3d(x, w, {
    strides: a.stride ?? 1,
    dilations: a.dilation ?? 1,
    padding: a.padding ?? 0,
    skipInputGradient: a.skipInputGradient,
  });
}

/** Whether BN `name` normalises with batch statistics (and updates its running stats) in this pass. */
export function bnUsesBatchStats(ctx: LayerContext, name: string): boolean {
  if (!ctx.training) return false;
  return ctx.store.entry(`${name}.weight`).spec.trainable || ctx.frozenBnBatchStats;
}

/**
 * BatchNorm3d over NDHWC. Batch mode: biased batch variance for normalising, running stats updated
 * with momentum 0.1 and the unbiased variance (as PyTorch). The update is assigned right here: the
 * running stats take no part in a batch-mode forward, so the gradient is unaffected.
 */
export function batchNorm(ctx: LayerContext, name: string, x: tf.Tensor5D): tf.Tensor5D {
  const gamma = ctx.store.get(`${name}.weight`) as unknown as tf.Tensor1D;
  const beta = ctx.store.get(`${name}.bias`) as unknown as tf.Tensor1D;
  const runMean = ctx.store.get(`${name}.running_mean`);
  const runVar = ctx.store.get(`${name}.running_var`);
  const c = x.shape[4];
  const rows = x.size / c;
  if (!bnUsesBatchStats(ctx, name)) {
    return tf.tidy(() => {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(runVar, BN_EPS)));
      return tf.add(tf.mul(tf.sub(x, runMean), scale), beta) as tf.Tensor5D;
    });
  }
  tf.tidy(() => {
    // Not part of the loss: no gradient flows through the running-stat update.
    const { mean, variance } = channelMoments(tf.reshape(x, [rows, c]) as tf.Tensor2D);
    runMean.assign(tf.add(tf.mul(runMean, 1 - BN_MOMENTUM), tf.mul(tf.reshape(mean, [c]), BN_MOMENTUM)));
    const unbiased = rows > 1 ? tf.mul(variance, rows / (rows - 1)) : variance;
    runVar.assign(tf.add(tf.mul(runVar, 1 - BN_MOMENTUM), tf.mul(tf.reshape(unbiased, [c]), BN_MOMENTUM)));
  });
  return tf.tidy(() =>
    tf.reshape(batchNormTrain(tf.reshape(x, [rows, c]) as tf.Tensor2D, gamma, beta), x.shape),
  );
}

/**
 * Per-channel mean and biased variance of [R, C] as [1, C], through matMul with a 1/R row: reductions
 * over leading axes (and their gradients) are slow transposes on wasm/cpu; matMul is fast.
 */
export function channelMoments(x2: tf.Tensor2D): { mean: tf.Tensor2D; variance: tf.Tensor2D } {
  const [mean, variance] = tf.tidy(() => {
    const avg = tf.fill([1, x2.shape[0]], 1 / x2.shape[0]) as tf.Tensor2D;
    const m = tf.matMul(avg, x2);
    return [m, tf.matMul(avg, tf.square(tf.sub(x2, m)))];
  });
  return { mean: mean as tf.Tensor2D, variance: variance as tf.Tensor2D };
}

/**
 * Batch-statistics BN on [R, C] with a hand-written gradient (every reduction a matMul):
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy − Σdy/R − x̂·Σ(dy·x̂)/R).
 */
const batchNormTrain = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x2, gamma, beta, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
  const rows = x2.shape[0];
  const { mean, variance } = channelMoments(x2);
  const inv = tf.rsqrt(tf.add(variance, BN_EPS));
  const xhat = tf.mul(tf.sub(x2, mean), inv);
  save([xhat, inv, gamma]);
  return {
    value: tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xh, iv, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const ones = tf.fill([1, rows], 1) as tf.Tensor2D;
      const sumDy = tf.matMul(ones, dy);
      const sumDyXhat = tf.matMul(ones, tf.mul(dy, xh));
      const dx = tf.mul(
        tf.sub(tf.sub(dy, tf.div(sumDy, rows)), tf.mul(xh, tf.div(sumDyXhat, rows))),
        tf.mul(iv, g),
      );
      const c = g.shape[0];
      return [dx, tf.reshape(sumDyXhat, [c]), tf.reshape(sumDy, [c])];
    },
  };
}) as (x2: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;

/** x [B, in] · W [in, out] + b. */
export function linear(ctx: LayerContext, name: string, x: tf.Tensor2D): tf.Tensor2D {
  const w = ctx.store.get(`${name}.weight`) as unknown as tf.Tensor2D;
  const b = ctx.store.get(`${name}.bias`);
  return tf.add(tf.matMul(x, w), b);
}

/** Stem: conv 7³/2 pad 3 → BN → ReLU → max-pool 3³/2 pad 1. */
export function stem(ctx: LayerContext, prefix: string, x: tf.Tensor5D): tf.Tensor5D {
  const c = conv(ctx, `${prefix}conv1`, x, { stride: 2, padding: 3, skipInputGradient: true });
  const h = tf.relu(batchNorm(ctx, `${prefix}bn1`, c));
  return maxPool3d(h, { kernel: 3, stride: 2, padding: 1 });
}

/** Global average pool NDHWC → [B, C], as a batched matMul (fast on wasm, gradient included). */
export function globalAvgPool(x: tf.Tensor5D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, d, h, w, c] = x.shape;
    const vox = d * h * w;
    const avg = tf.fill([b, 1, vox], 1 / vox) as tf.Tensor3D;
    return tf.reshape(tf.matMul(avg, tf.reshape(x, [b, vox, c]) as tf.Tensor3D), [b, c]) as tf.Tensor2D;
  });
}
