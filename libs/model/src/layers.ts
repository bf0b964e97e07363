import * as tf from '@tensorflow/tfjs';
import { conv3d, maxPool3d } from './ops/index.ts';
import { batchNormTrain, channelAffine } from './ops/batch-norm.ts';
import { filledTensor, viewOf } from './ops/heap.ts';
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
 * running stats take no part in a batch-mode forward, so the gradient is unaffected. Running-stats
 * mode (eval, or a frozen BN under corrected Q16) is a constant per-channel affine map: γ and β get
 * no gradient there (frozen, or not training).
 */
export function batchNorm(ctx: LayerContext, name: string, x: tf.Tensor5D): tf.Tensor5D {
  const gamma = ctx.store.get(`${name}.weight`) as unknown as tf.Tensor1D;
  const beta = ctx.store.get(`${name}.bias`) as unknown as tf.Tensor1D;
  const runMean = ctx.store.get(`${name}.running_mean`);
  const runVar = ctx.store.get(`${name}.running_var`);
  const rm = runMean.dataSync();
  const rv = runVar.dataSync();
  if (!bnUsesBatchStats(ctx, name)) {
    const g = gamma.dataSync();
    const b = beta.dataSync();
    const scale = Float64Array.from(g, (gk, k) => gk / Math.sqrt(rv[k]! + BN_EPS));
    const shift = Float64Array.from(b, (bk, k) => bk - rm[k]! * scale[k]!);
    return channelAffine(x, scale, shift);
  }
  const { y, stats } = batchNormTrain(x, gamma, beta, BN_EPS);
  const n = stats.rows;
  const unbiased = n > 1 ? n / (n - 1) : 1;
  const m = BN_MOMENTUM;
  tf.tidy(() => {
    // Not part of the loss: no gradient flows through the running-stat update.
    runMean.assign(tf.tensor1d(Float32Array.from(rm, (v, k) => (1 - m) * v + m * stats.mean[k]!)));
    runVar.assign(
      tf.tensor1d(Float32Array.from(rv, (v, k) => (1 - m) * v + m * stats.variance[k]! * unbiased)),
    );
  });
  return y;
}

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

/** Global average pool NDHWC → [B, C], in plain JS (as a tfjs matMul its gradient is a slow batched one). */
export function globalAvgPool(x: tf.Tensor5D): tf.Tensor2D {
  const [b, d, h, w, c] = x.shape;
  const vox = d * h * w;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor5D;
    return {
      value: filledTensor<tf.Rank.R2>([b, c], (out) => {
        const xv = viewOf(xi);
        const acc = new Float64Array(b * c);
        for (let i = 0; i < b; i++)
          for (let v = 0, at = i * vox * c; v < vox; v++, at += c)
            for (let k = 0; k < c; k++) acc[i * c + k]! += xv[at + k]!;
        for (let q = 0; q < acc.length; q++) out[q] = acc[q]! / vox;
      }),
      gradFunc: (dy: tf.Tensor) =>
        filledTensor<tf.Rank.R5>([b, d, h, w, c], (out) => {
          const g = viewOf(dy);
          for (let i = 0; i < b; i++)
            for (let v = 0, at = i * vox * c; v < vox; v++, at += c)
              for (let k = 0; k < c; k++) out[at + k] = g[i * c + k]! / vox;
        }),
    };
  });
  return op(x) as tf.Tensor2D;
}
