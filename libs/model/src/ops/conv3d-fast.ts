import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';
import { filledTensor } from './heap.ts';
import { matMul2d, nativeBlas } from './native-blas.ts';
import {
  convFilterGradNative,
  convFilterGradTaps,
  convForwardNative,
  convForwardTaps,
  convInputGradNative,
  convInputGradTaps,
  useTaps,
  type Lowering,
} from './conv3d-native.ts';
import { channelMajor, col2imAdd, colPlan, im2col, im2colT, transpose2d, type ColPlan } from './im2col.ts';

/**
 * conv3d lowered to matrix products for the wasm and cpu backends, whose own Conv3D kernels run at
 * ~1 GFLOP/s. im2col is built in plain JS, chunked over output rows (the wasm heap is 32-bit: a big
 * layer's full column matrix must never exist), and each chunk goes through the backend's matMul.
 * The gradient is custom and recomputes the columns instead of keeping them on the tape:
 *   dW = im2col(x)ᵀ · dY (as dYᵀ · im2col(x), since transposed matMul operands are slow on wasm),
 *   dX = conv(dY, flipped Wᵀ) for stride 1, else col2im(dY · Wᵀ).
 */

/** Floats per im2col chunk (16 MiB). */
const MAX_COL_FLOATS = 1 << 22;

export interface FastConvOptions {
  /** Report zeros instead of computing dX (for a first layer whose input is data). */
  skipInputGradient?: boolean;
  /** Floats per im2col chunk (default 4 Mi = 16 MiB); small values exercise the chunking in tests. */
  maxColFloats?: number;
  /** Native path: column matrix or tap by tap (`auto` picks, see useTaps); tests force each. */
  lowering?: Lowering;
}

function f32(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

function rowsOf(g: ConvGeometry): number {
  return g.n * g.outShape[0] * g.outShape[1] * g.outShape[2];
}

function isPointwise(g: ConvGeometry): boolean {
  return g.kernel.every((k) => k === 1) && g.strides.every((s) => s === 1) && g.padding.every((p) => p === 0);
}

function chunkRows(plan: ColPlan, total: number, maxColFloats: number): number {
  return Math.max(1, Math.min(total, Math.floor(maxColFloats / plan.cols)));
}

/** [rows, cout] = im2col(src) · w2, chunk by chunk. */
function convRows(plan: ColPlan, src: Float32Array, w2: tf.Tensor2D, maxColFloats: number): tf.Tensor2D {
  const total = rowsOf(plan.g);
  const chunk = chunkRows(plan, total, maxColFloats);
  const parts: tf.Tensor2D[] = [];
  for (let r0 = 0; r0 < total; r0 += chunk) {
    const rows = Math.min(chunk, total - r0);
    const col = filledTensor<tf.Rank.R2>([rows, plan.cols], (out) => im2col(plan, src, r0, rows, out));
    parts.push(matMul2d(col, w2));
    col.dispose();
  }
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
}

/**
 * dW [cols, cout] = Σ_chunks im2col(src)ᵀ_chunk · dY_chunk, the transposed columns built directly
 * (im2colT). wasm's matMul packs its right operand on every call: keep the small dY there, not the
 * columns; and a transposed-operand matMul is slow on wasm.
 */
function filterGrad(
  plan: ColPlan,
  src: Float32Array,
  dy: Float32Array,
  cout: number,
  maxColFloats: number,
): tf.Tensor2D {
  const g = plan.g;
  const total = rowsOf(g);
  const ow = g.outShape[2];
  // whole output lines per chunk
  const chunk = Math.min(total, Math.max(1, Math.floor(maxColFloats / plan.cols / ow)) * ow);
  const xT = channelMajor(src, g.n, g.inShape[0] * g.inShape[1] * g.inShape[2], plan.c);
  let acc: tf.Tensor | undefined;
  for (let r0 = 0; r0 < total; r0 += chunk) {
    const rows = Math.min(chunk, total - r0);
    const colT = filledTensor<tf.Rank.R2>([plan.cols, rows], (out) => im2colT(plan, xT, r0, rows, out));
    const dyRows = tf.tensor2d(dy.subarray(r0 * cout, (r0 + rows) * cout), [rows, cout]);
    const part = matMul2d(colT, dyRows);
    colT.dispose();
    dyRows.dispose();
    if (acc === undefined) acc = part;
    else {
      const next = tf.add(acc, part);
      acc.dispose();
      part.dispose();
      acc = next;
    }
  }
  return acc as tf.Tensor2D;
}

/** dX for stride > 1 (or padding beyond the kernel span): col2im of dY · Wᵀ, chunk by chunk. */
function inputGradCol2im(
  plan: ColPlan,
  dy: Float32Array,
  w2T: tf.Tensor2D,
  maxColFloats: number,
): Float32Array {
  const g = plan.g;
  const total = rowsOf(g);
  const chunk = chunkRows(plan, total, maxColFloats);
  const dx = new Float32Array(g.n * g.inShape[0] * g.inShape[1] * g.inShape[2] * g.cin);
  for (let r0 = 0; r0 < total; r0 += chunk) {
    const rows = Math.min(chunk, total - r0);
    const dyRows = tf.tensor2d(dy.subarray(r0 * g.cout, (r0 + rows) * g.cout), [rows, g.cout]);
    const dcol = matMul2d(dyRows, w2T);
    col2imAdd(plan, f32(dcol), r0, rows, dx);
    dyRows.dispose();
    dcol.dispose();
  }
  return dx;
}

/** W[k−1−a, k−1−b, k−1−c, co, ci] from W[a, b, c, ci, co], in JS (tf.reverse of a 5-D tensor is slow on wasm). */
function flipFilter(w: Float32Array, g: ConvGeometry): Float32Array {
  const taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const { cin, cout } = g;
  const out = new Float32Array(w.length);
  for (let t = 0; t < taps; t++) {
    const src = (taps - 1 - t) * cin * cout;
    const dst = t * cin * cout;
    for (let ci = 0; ci < cin; ci++) {
      for (let co = 0; co < cout; co++) out[dst + co * cin + ci] = w[src + ci * cout + co]!;
    }
  }
  return out;
}

/** Geometry of dX = conv(dY, flipped Wᵀ) for a stride-1 convolution, or undefined if not applicable. */
function transposedGeometry(g: ConvGeometry): ConvGeometry | undefined {
  if (g.strides.some((s) => s !== 1)) return undefined;
  const padding = [0, 1, 2].map((i) => g.dilations[i]! * (g.kernel[i]! - 1) - g.padding[i]!) as [
    number,
    number,
    number,
  ];
  if (padding.some((p) => p < 0)) return undefined;
  return { ...g, inShape: g.outShape, outShape: g.inShape, cin: g.cout, cout: g.cin, padding };
}

function forward(
  x: tf.Tensor5D,
  filter: tf.Tensor5D,
  g: ConvGeometry,
  cache: { x?: Float32Array },
  maxColFloats: number,
  dataKey: object | undefined,
  lowering: Lowering,
): tf.Tensor5D {
  const [kd, kh, kw] = g.kernel;
  const w2 = filter.reshape([kd * kh * kw * g.cin, g.cout]) as tf.Tensor2D;
  const outShape: [number, number, number, number, number] = [g.n, ...g.outShape, g.cout];
  if (isPointwise(g)) {
    return matMul2d(x.reshape([rowsOf(g), g.cin]) as tf.Tensor2D, w2).reshape(outShape);
  }
  const native = nativeBlas();
  if (native !== undefined) {
    return (
      useTaps(g, lowering)
        ? convForwardTaps(native, g, x, w2)
        : convForwardNative(native, g, x, w2, maxColFloats, dataKey)
    ).reshape(outShape);
  }
  cache.x = f32(x);
  return convRows(colPlan(g, g.cin), cache.x, w2, maxColFloats).reshape(outShape);
}

function backward(
  dy: tf.Tensor5D,
  /** the input, saved when dW is needed by the pointwise or the native path */
  x: tf.Tensor5D | undefined,
  xShape: number[],
  filter: tf.Tensor5D,
  g: ConvGeometry,
  cache: { x?: Float32Array },
  options: FastConvOptions & { frozenFilter: boolean; dataKey: object | undefined },
): [tf.Tensor, tf.Tensor] {
  const [kd, kh, kw] = g.kernel;
  const cols = kd * kh * kw * g.cin;
  const rows = rowsOf(g);
  const w2 = filter.reshape([cols, g.cout]) as tf.Tensor2D;
  const maxColFloats = options.maxColFloats ?? MAX_COL_FLOATS;
  const native = nativeBlas();
  if (native !== undefined) {
    const dy2 = dy.reshape([rows, g.cout]) as tf.Tensor2D;
    const pointwise = isPointwise(g);
    const taps = !pointwise && useTaps(g, options.lowering ?? 'auto');
    const dx = options.skipInputGradient
      ? tf.zeros(xShape)
      : pointwise
        ? matMul2d(dy2, w2, false, true).reshape(xShape)
        : taps
          ? convInputGradTaps(native, g, dy, w2, xShape)
          : convInputGradNative(native, g, dy, w2, xShape, maxColFloats);
    const dw = options.frozenFilter
      ? tf.zerosLike(filter)
      : pointwise
        ? matMul2d(x!.reshape([rows, g.cin]) as tf.Tensor2D, dy2, true, false).reshape(filter.shape)
        : taps
          ? convFilterGradTaps(native, g, x!, dy).reshape(filter.shape)
          : convFilterGradNative(native, g, x!, dy, maxColFloats, options.dataKey).reshape(filter.shape);
    return [dx, dw];
  }
  const dyData = f32(dy);
  let dx: tf.Tensor;
  if (options.skipInputGradient) {
    dx = tf.zeros(xShape);
  } else if (isPointwise(g)) {
    dx = matMul2d(dy.reshape([rows, g.cout]) as tf.Tensor2D, tf.transpose(w2)).reshape(xShape);
  } else {
    const tg = transposedGeometry(g);
    if (tg !== undefined) {
      const wFlip = tf.tensor2d(flipFilter(f32(filter), g), [kd * kh * kw * g.cout, g.cin]);
      dx = convRows(colPlan(tg, g.cout), dyData, wFlip, maxColFloats).reshape(xShape);
    } else {
      dx = tf.tensor(inputGradCol2im(colPlan(g, g.cin), dyData, tf.transpose(w2), maxColFloats), xShape);
    }
  }
  let dw: tf.Tensor;
  if (options.frozenFilter === true) {
    dw = tf.zerosLike(filter);
  } else {
    const xData = cache.x ?? f32(x!);
    if (isPointwise(g) && g.cin <= g.cout) {
      // [cin, cout] directly: transpose the narrower operand in JS.
      const xT = tf.tensor2d(transpose2d(xData, rows, g.cin), [g.cin, rows]);
      dw = matMul2d(xT, dy.reshape([rows, g.cout]) as tf.Tensor2D).reshape(filter.shape);
    } else if (isPointwise(g)) {
      const dyT = tf.tensor2d(transpose2d(dyData, rows, g.cout), [g.cout, rows]);
      dw = tf.transpose(matMul2d(dyT, x!.reshape([rows, g.cin]) as tf.Tensor2D)).reshape(filter.shape);
    } else {
      dw = filterGrad(colPlan(g, g.cin), xData, dyData, g.cout, maxColFloats).reshape(filter.shape);
    }
  }
  return [dx, dw];
}

/** Differentiable conv3d (NDHWC) on the im2col + matMul path. */
export function conv3dFast(
  x: tf.Tensor5D,
  filter: tf.Tensor5D,
  g: ConvGeometry,
  options: FastConvOptions = {},
): tf.Tensor5D {
  const cache: { x?: Float32Array } = {};
  // save() clones (a full copy on wasm): keep only what the backward pass reads as a tensor. The
  // tfjs-matMul path keeps x as JS data from its forward im2col instead.
  const pointwise = isPointwise(g);
  // An input-data volume (a stem's): its columns are cached by data identity (conv3d-native.ts); the
  // backward pass sees a clone, so the forward input's identity is the key.
  const dataKey = options.skipInputGradient === true ? (x.dataId as object) : undefined;
  // A non-trainable variable's gradient is never used: skip dW (the frozen copy of SpotTune's blocks).
  const bwdOptions = {
    ...options,
    frozenFilter: filter instanceof tf.Variable && !filter.trainable,
    dataKey,
  };
  const run = tf.customGrad((xi, fi, save) => {
    const xt = xi as tf.Tensor5D;
    const ft = fi as tf.Tensor5D;
    // Saved only while a gradient tape records (a clone on wasm; a heap copy, cheap).
    const needX = !bwdOptions.frozenFilter && (pointwise || nativeBlas() !== undefined);
    (save as tf.GradSaveFunc)(needX ? [ft, xt] : [ft]);
    return {
      value: tf.tidy(() =>
        forward(
          xt,
          ft,
          g,
          cache,
          options.maxColFloats ?? MAX_COL_FLOATS,
          dataKey,
          options.lowering ?? 'auto',
        ),
      ),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() =>
          backward(
            dy as tf.Tensor5D,
            saved[1] as tf.Tensor5D | undefined,
            xt.shape,
            saved[0] as tf.Tensor5D,
            g,
            cache,
            bwdOptions,
          ),
        ),
    };
  });
  return run(x, filter) as tf.Tensor5D;
}
