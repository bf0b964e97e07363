import type * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';
import { filledTensor, viewOf } from './heap.ts';
import type { SgemmAddon } from './native-blas.ts';

/**
 * The conv3d lowering on the native addon (OpenBLAS sgemm + C im2col/col2im): the same column matrix
 * as im2col.ts, built chunk by chunk into one reused scratch buffer, multiplied straight into the
 * output tensor's memory. Gradients: dX = col2im(dY · Wᵀ), dW = Σ_chunks colᵀ · dY (transposes are
 * free in BLAS, so no transposed copies are built).
 */

let scratch = new Float32Array(0);

function scratchOf(floats: number): Float32Array {
  if (scratch.length < floats) scratch = new Float32Array(floats);
  return scratch;
}

function geometryArray(g: ConvGeometry): Int32Array {
  return Int32Array.from([
    g.n,
    ...g.inShape,
    g.cin,
    ...g.outShape,
    ...g.kernel,
    ...g.strides,
    ...g.dilations,
    ...g.padding,
  ]);
}

function rowsOf(g: ConvGeometry): number {
  return g.n * g.outShape[0] * g.outShape[1] * g.outShape[2];
}

function colsOf(g: ConvGeometry): number {
  return g.kernel[0] * g.kernel[1] * g.kernel[2] * g.cin;
}

function chunkOf(g: ConvGeometry, maxColFloats: number): number {
  return Math.max(1, Math.min(rowsOf(g), Math.floor(maxColFloats / colsOf(g))));
}

/** y [rows, cout] = im2col(x) · W. */
export function convForwardNative(
  native: SgemmAddon,
  g: ConvGeometry,
  src: tf.Tensor,
  w2: tf.Tensor2D,
  maxColFloats: number,
): tf.Tensor2D {
  const total = rowsOf(g);
  const cols = colsOf(g);
  const chunk = chunkOf(g, maxColFloats);
  const geom = geometryArray(g);
  const col = scratchOf(chunk * cols);
  return filledTensor<tf.Rank.R2>([total, g.cout], (out) => {
    const x = viewOf(src);
    const w = viewOf(w2);
    for (let r0 = 0; r0 < total; r0 += chunk) {
      const rows = Math.min(chunk, total - r0);
      native.im2col(geom, x, r0, rows, col);
      native.sgemm(col, w, out.subarray(r0 * g.cout), rows, g.cout, cols, false, false, false);
    }
  });
}

/** dX (NDHWC, shape of x) = col2im(dY · Wᵀ). */
export function convInputGradNative(
  native: SgemmAddon,
  g: ConvGeometry,
  dy: tf.Tensor,
  w2: tf.Tensor2D,
  xShape: number[],
  maxColFloats: number,
): tf.Tensor {
  const total = rowsOf(g);
  const cols = colsOf(g);
  const chunk = chunkOf(g, maxColFloats);
  const geom = geometryArray(g);
  const dcol = scratchOf(chunk * cols);
  return filledTensor(xShape, (dx) => {
    dx.fill(0);
    const d = viewOf(dy);
    const w = viewOf(w2);
    for (let r0 = 0; r0 < total; r0 += chunk) {
      const rows = Math.min(chunk, total - r0);
      native.sgemm(d.subarray(r0 * g.cout), w, dcol, rows, cols, g.cout, false, true, false);
      native.col2imAdd(geom, dcol, r0, rows, dx);
    }
  });
}

/** dW [cols, cout] = Σ_chunks im2col(x)ᵀ · dY. */
export function convFilterGradNative(
  native: SgemmAddon,
  g: ConvGeometry,
  x: tf.Tensor,
  dy: tf.Tensor,
  maxColFloats: number,
): tf.Tensor2D {
  const total = rowsOf(g);
  const cols = colsOf(g);
  const chunk = chunkOf(g, maxColFloats);
  const geom = geometryArray(g);
  const col = scratchOf(chunk * cols);
  return filledTensor<tf.Rank.R2>([cols, g.cout], (dw) => {
    const xv = viewOf(x);
    const d = viewOf(dy);
    for (let r0 = 0; r0 < total; r0 += chunk) {
      const rows = Math.min(chunk, total - r0);
      native.im2col(geom, xv, r0, rows, col);
      native.sgemm(col, d.subarray(r0 * g.cout), dw, cols, g.cout, rows, true, false, r0 > 0);
    }
  });
}
