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

/**
 * The whole column matrix of one input-data volume, kept for its next use: SpotTune's main stem and
 * its agent's stem unroll the same batch with the same geometry, and the agent stem's dW unrolls it
 * again (the stems' 343-tap, one-channel columns are the costliest im2col of a step). Keyed by the
 * input's data identity (tfjs data is immutable) and the geometry; at most COL_CACHE_FLOATS.
 */
const COL_CACHE_FLOATS = 1 << 24;
const dataCols = { key: undefined as WeakRef<object> | undefined, geom: '', col: new Float32Array(0) };

/** The cached columns of `dataKey`'s volume, unrolled from `x()` when not cached; undefined if too big. */
function cachedDataCols(
  native: SgemmAddon,
  g: ConvGeometry,
  dataKey: object,
  x: () => Float32Array,
): Float32Array | undefined {
  const floats = rowsOf(g) * colsOf(g);
  if (floats > COL_CACHE_FLOATS) return undefined;
  const geom = geometryArray(g);
  const geomKey = geom.join(',');
  if (dataCols.key?.deref() !== dataKey || dataCols.geom !== geomKey) {
    if (dataCols.col.length < floats) dataCols.col = new Float32Array(floats);
    native.im2col(geom, x(), 0, rowsOf(g), dataCols.col);
    dataCols.key = new WeakRef(dataKey);
    dataCols.geom = geomKey;
  }
  return dataCols.col;
}

/**
 * Calls `use(col, r0, rows)` over the column matrix of `x`: the cached whole matrix of an input-data
 * volume (`dataKey`: the data identity of a volume whose columns are worth keeping), else chunk by
 * chunk in the reused scratch buffer.
 */
function forEachColumnChunk(
  native: SgemmAddon,
  g: ConvGeometry,
  x: tf.Tensor,
  maxColFloats: number,
  dataKey: object | undefined,
  use: (col: Float32Array, r0: number, rows: number) => void,
): void {
  const total = rowsOf(g);
  const cached = dataKey === undefined ? undefined : cachedDataCols(native, g, dataKey, () => viewOf(x));
  if (cached !== undefined) {
    use(cached, 0, total);
    return;
  }
  const chunk = chunkOf(g, maxColFloats);
  const geom = geometryArray(g);
  const col = scratchOf(chunk * colsOf(g));
  const xv = viewOf(x);
  for (let r0 = 0; r0 < total; r0 += chunk) {
    const rows = Math.min(chunk, total - r0);
    native.im2col(geom, xv, r0, rows, col);
    use(col, r0, rows);
  }
}

/** y [rows, cout] = im2col(x) · W. */
export function convForwardNative(
  native: SgemmAddon,
  g: ConvGeometry,
  src: tf.Tensor,
  w2: tf.Tensor2D,
  maxColFloats: number,
  dataKey?: object,
): tf.Tensor2D {
  const cols = colsOf(g);
  return filledTensor<tf.Rank.R2>([rowsOf(g), g.cout], (out) => {
    const w = viewOf(w2);
    forEachColumnChunk(native, g, src, maxColFloats, dataKey, (col, r0, rows) =>
      native.sgemm(col, w, out.subarray(r0 * g.cout), rows, g.cout, cols, false, false, false),
    );
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
  dataKey?: object,
): tf.Tensor2D {
  const cols = colsOf(g);
  return filledTensor<tf.Rank.R2>([cols, g.cout], (dw) => {
    const d = viewOf(dy);
    forEachColumnChunk(native, g, x, maxColFloats, dataKey, (col, r0, rows) =>
      native.sgemm(col, d.subarray(r0 * g.cout), dw, cols, g.cout, rows, true, false, r0 > 0),
    );
  });
}

/** One axis: Σ over kernel offsets of the outputs whose input lies inside the volume. */
function validPairs(o: number, n: number, s: number, p: number, d: number, k: number): number {
  let sum = 0;
  for (let t = 0; t < k; t++) {
    const lo = Math.max(0, Math.ceil((p - t * d) / s));
    const hi = Math.min(o, Math.floor((n - 1 + p - t * d) / s) + 1);
    sum += Math.max(0, hi - lo);
  }
  return sum;
}

/** The fraction of the column matrix's (row, tap) entries that read inside the volume (not padding). */
export function insideFraction(g: ConvGeometry): number {
  let f = 1;
  for (let a = 0; a < 3; a++) {
    const [o, n, s, p, d, k] = [
      g.outShape[a]!,
      g.inShape[a]!,
      g.strides[a]!,
      g.padding[a]!,
      g.dilations[a]!,
      g.kernel[a]!,
    ];
    f *= validPairs(o, n, s, p, d, k) / (o * k);
  }
  return f;
}

export type Lowering = 'auto' | 'im2col' | 'taps';

/**
 * Whether to run a convolution tap by tap (one product per kernel offset over the outputs it reaches)
 * instead of through the column matrix: when much of the column matrix would be padding (dilated
 * layers on small volumes: ResNet's stages 3–4 at 5×6×6 read 31% padding undilated, 56% at dilation
 * 2, 86% at dilation 4) and there are enough channels for per-tap products to stay efficient.
 */
export function useTaps(g: ConvGeometry, lowering: Lowering): boolean {
  if (lowering !== 'auto') return lowering === 'taps';
  return Math.min(g.cin, g.cout) >= 32 && insideFraction(g) < 0.75;
}

/** y [rows, cout] = conv(x, W), tap by tap. */
export function convForwardTaps(
  native: SgemmAddon,
  g: ConvGeometry,
  x: tf.Tensor,
  w2: tf.Tensor2D,
): tf.Tensor2D {
  return filledTensor<tf.Rank.R2>([rowsOf(g), g.cout], (out) =>
    native.tapConv(geometryArray(g), 0, viewOf(x), viewOf(w2), out, false),
  );
}

/** dX (shape of x), tap by tap. */
export function convInputGradTaps(
  native: SgemmAddon,
  g: ConvGeometry,
  dy: tf.Tensor,
  w2: tf.Tensor2D,
  xShape: number[],
): tf.Tensor {
  return filledTensor(xShape, (dx) => native.tapConv(geometryArray(g), 1, dx, viewOf(w2), viewOf(dy), false));
}

/** dW [cols, cout], tap by tap. */
export function convFilterGradTaps(
  native: SgemmAddon,
  g: ConvGeometry,
  x: tf.Tensor,
  dy: tf.Tensor,
): tf.Tensor2D {
  return filledTensor<tf.Rank.R2>([colsOf(g), g.cout], (dw) =>
    native.tapConv(geometryArray(g), 2, viewOf(x), dw, viewOf(dy), false),
  );
}
