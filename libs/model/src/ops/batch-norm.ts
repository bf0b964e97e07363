import * as tf from '@tensorflow/tfjs';
import { filledTensor, viewOf } from './heap.ts';
import { nativeBlas } from './native-blas.ts';

/**
 * BatchNorm over the last (channel) axis as single custom ops whose loops run on the tensors' own
 * memory: in the native addon when it is built, else in plain JS (the same arithmetic, in float64:
 * both give the same floats). As chains of tfjs kernels a BN costs ~20 kernel calls, and its
 * per-channel sums (matMuls with a ones row, since axis-0 reductions are slow transposes on wasm) ran
 * at ~0.5 GFLOP/s: a quarter of a SpotTune forward.
 */

export interface ChannelStats {
  mean: Float64Array;
  /** biased (divided by the row count), as BN normalises with */
  variance: Float64Array;
  rows: number;
}

/** The per-channel loops; `c` is the length of the Float64Array arguments. */
export interface BnLoops {
  bnMoments(x: Float32Array, mean: Float64Array, variance: Float64Array): void;
  bnAffine(x: Float32Array, out: Float32Array, scale: Float64Array, shift: Float64Array): void;
  /** dx = γ/σ · (dy − Σdy/R − x̂·Σ(dy·x̂)/R) into `out`, and the two sums. */
  bnBackward(
    dy: Float32Array,
    x: Float32Array,
    out: Float32Array,
    mean: Float64Array,
    inv: Float64Array,
    scale: Float64Array,
    sumDy: Float64Array,
    sumDyXhat: Float64Array,
  ): void;
}

/** The loops in plain JS (the native addon has the same, in C). */
export const jsBnLoops: BnLoops = {
  bnMoments(x, mean, variance) {
    const c = mean.length;
    const rows = x.length / c;
    mean.fill(0);
    variance.fill(0);
    for (let i = 0; i < x.length; i += c) for (let k = 0; k < c; k++) mean[k]! += x[i + k]!;
    for (let k = 0; k < c; k++) mean[k]! /= rows;
    for (let i = 0; i < x.length; i += c) {
      for (let k = 0; k < c; k++) {
        const d = x[i + k]! - mean[k]!;
        variance[k]! += d * d;
      }
    }
    for (let k = 0; k < c; k++) variance[k]! /= rows;
  },
  bnAffine(x, out, scale, shift) {
    const c = scale.length;
    for (let i = 0; i < x.length; i += c) {
      for (let k = 0; k < c; k++) out[i + k] = x[i + k]! * scale[k]! + shift[k]!;
    }
  },
  bnBackward(dy, x, out, mean, inv, scale, sumDy, sumDyXhat) {
    const c = mean.length;
    const rows = dy.length / c;
    sumDy.fill(0);
    sumDyXhat.fill(0);
    for (let i = 0; i < dy.length; i += c) {
      for (let k = 0; k < c; k++) {
        const v = dy[i + k]!;
        sumDy[k]! += v;
        sumDyXhat[k]! += v * (x[i + k]! - mean[k]!) * inv[k]!;
      }
    }
    // dx = A·dy + B·x + K per channel (x̂ = (x − μ)·inv expanded), A = γ·inv.
    const B = new Float64Array(c);
    const K = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      B[k] = (-scale[k]! * inv[k]! * sumDyXhat[k]!) / rows;
      K[k] = (-scale[k]! * sumDy[k]!) / rows - B[k]! * mean[k]!;
    }
    for (let i = 0; i < dy.length; i += c) {
      for (let k = 0; k < c; k++) out[i + k] = scale[k]! * dy[i + k]! + B[k]! * x[i + k]! + K[k]!;
    }
  },
};

function loops(): BnLoops {
  return nativeBlas() ?? jsBnLoops;
}

/** Per-channel mean and biased variance of channels-last data with `c` channels (two passes). */
export function channelStats(x: Float32Array, c: number): ChannelStats {
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  loops().bnMoments(x, mean, variance);
  return { mean, variance, rows: x.length / c };
}

/**
 * y = x·scale + shift per channel, with constant (non-differentiated) scale and shift: BN with
 * running statistics and frozen γ/β. The gradient flows to x only: dx = dy·scale.
 */
export function channelAffine<T extends tf.Tensor>(x: T, scale: Float64Array, shift: Float64Array): T {
  const zero = new Float64Array(scale.length);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor;
    const l = loops();
    return {
      value: filledTensor(xi.shape, (out) => l.bnAffine(viewOf(xi), out, scale, shift)),
      gradFunc: (dy: tf.Tensor) => filledTensor(dy.shape, (out) => l.bnAffine(viewOf(dy), out, scale, zero)),
    };
  });
  return op(x) as T;
}

/**
 * Batch-statistics BN: y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² of this batch. Returns the batch
 * statistics too (for the running-stat update). Hand-written gradient:
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy − Σdy/R − x̂·Σ(dy·x̂)/R).
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): { y: T; stats: ChannelStats } {
  const c = x.shape[x.rank - 1]!;
  let stats: ChannelStats | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, gi, bi, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const l = loops();
    // x is disposed once the forward pass ends: the backward pass reads a saved copy (made only
    // while a gradient tape records).
    save([xi]);
    const g = gi.dataSync();
    const b = bi.dataSync();
    const st = channelStats(viewOf(xi), c);
    stats = st;
    const inv = st.variance.map((v) => 1 / Math.sqrt(v + eps));
    const scale = inv.map((v, k) => g[k]! * v);
    const shift = scale.map((s, k) => b[k]! - st.mean[k]! * s);
    return {
      value: filledTensor(xi.shape, (out) => l.bnAffine(viewOf(xi), out, scale, shift)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sumDy = new Float64Array(c);
        const sumDyXhat = new Float64Array(c);
        const dx = filledTensor(dy.shape, (out) =>
          l.bnBackward(viewOf(dy), viewOf(saved[0]!), out, st.mean, inv, scale, sumDy, sumDyXhat),
        );
        return [dx, tf.tensor1d(Float32Array.from(sumDyXhat)), tf.tensor1d(Float32Array.from(sumDy))];
      },
    };
  });
  const y = op(x, gamma, beta) as T;
  return { y, stats: stats! };
}
