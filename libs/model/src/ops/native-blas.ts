import { createRequire } from 'node:module';
import { ValidationError } from '@spottune/errors';
import * as tf from '@tensorflow/tfjs';
import type { BnLoops } from './batch-norm.ts';
import { filledTensor, viewOf } from './heap.ts';

/**
 * The optional native matrix product (libs/model/native/sgemm.c, OpenBLAS), for the wasm and cpu
 * backends: it works on the tensors' own memory (views of the wasm heap), ~3× faster than tfjs-wasm's
 * matMul on the conv3d lowering's shapes. Absent (not built), disabled, or on another backend, every
 * product goes through tf.matMul instead.
 */
/** The addon's functions (libs/model/native/sgemm.c); its BN loops are batch-norm.ts's BnLoops. */
export interface SgemmAddon extends BnLoops {
  sgemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
  ): void;
  im2col(geometry: Int32Array, src: Float32Array, row0: number, rows: number, out: Float32Array): void;
  col2imAdd(geometry: Int32Array, col: Float32Array, row0: number, rows: number, dst: Float32Array): void;
  maxPool3d(geometry: Int32Array, x: Float32Array, out: Float32Array, argmax: Int32Array): void;
  adamUpdate(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    hyper: Float32Array,
  ): void;
  /** mode 0: y = conv(x, w); 1: x = dX from y = dY; 2: w = dW (see sgemm.c). */
  tapConv(
    geometry: Int32Array,
    mode: 0 | 1 | 2,
    x: Float32Array,
    w: Float32Array,
    y: Float32Array,
    accumulate: boolean,
  ): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

const ADDON_PATH = '../../native/build/spottune_sgemm.node';

let addon: SgemmAddon | null | undefined;
/** Why the addon could not be loaded, once a load was tried. */
let unavailable: string | undefined;
let enabled = true;

/** OpenBLAS's kernel family: `auto` = its own detection of this CPU, else e.g. Haswell, SkylakeX, Zen. */
export type BlasCoreType = string;

let coreType: BlasCoreType = 'auto';
let loadedCoreType: BlasCoreType | undefined;

/**
 * OpenBLAS picks its kernels by CPU (Haswell = AVX2, SkylakeX/Cooperlake = AVX-512, …) and, at load,
 * by the environment variable OPENBLAS_CORETYPE; different kernels round differently. So that every
 * process of a deployment uses the same kernels whatever environment it inherited, spottune's own
 * setting (SPOTTUNE_BLAS_CORETYPE) decides, before the library loads: `auto` clears the variable.
 * (Seen here: a worker started with a trimmed environment took AVX-512 kernels, its parent AVX2 ones,
 * and a resumed trial no longer equalled the uninterrupted run.)
 */
function load(): SgemmAddon | undefined {
  if (addon === undefined) {
    if (coreType === 'auto') delete process.env.OPENBLAS_CORETYPE;
    else process.env.OPENBLAS_CORETYPE = coreType;
    loadedCoreType = coreType;
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as SgemmAddon;
      // One thread unless configured (setNativeBlas): workers scale by process, one trial each.
      addon.setThreads(1);
    } catch (e) {
      // Not built (optional), or built elsewhere and its libopenblas is missing here (a container that
      // mounts a host checkout): tfjs's own kernels run, and describeCompute() says why.
      const code = (e as { code?: unknown }).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_DLOPEN_FAILED') throw e;
      unavailable = code === 'MODULE_NOT_FOUND' ? 'not built' : (e as Error).message.split('\n')[0]!;
      addon = null;
    }
  }
  return addon ?? undefined;
}

/** Why the native path is off, or undefined when it is on (or was never asked for). */
export function nativeBlasUnavailable(): string | undefined {
  if (!enabled) return 'disabled (SPOTTUNE_NATIVE_BLAS=false)';
  load();
  return unavailable;
}

/** What the native path is: undefined when it is not built or disabled. */
export function nativeBlasInfo(): { threads: number; config: string } | undefined {
  const a = enabled ? load() : undefined;
  return a === undefined ? undefined : { threads: a.threads(), config: a.config() };
}

/**
 * Turns the native path on or off (tests compare both; off means tf.matMul everywhere) and sets its
 * threads and kernel family. The kernel family is fixed once the library has loaded: asking for another
 * one afterwards is an error rather than a silent mismatch.
 */
export function setNativeBlas(on: boolean, threads?: number, kernels: BlasCoreType = 'auto'): void {
  enabled = on;
  if (!on) return;
  if (loadedCoreType !== undefined && loadedCoreType !== kernels) {
    throw new ValidationError(
      `SPOTTUNE_BLAS_CORETYPE: OpenBLAS is already loaded with ${loadedCoreType} kernels; ${kernels} needs a new process`,
    );
  }
  coreType = kernels;
  if (threads !== undefined) load()?.setThreads(threads);
}

/** The addon when the native path applies now (built, enabled, wasm or cpu backend). */
export function nativeBlas(): SgemmAddon | undefined {
  if (!enabled) return undefined;
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu' ? load() : undefined;
}

/** op(a) · op(b) for 2-D float32 tensors, natively when available, else tf.matMul. */
export function matMul2d(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA = false,
  transposeB = false,
): tf.Tensor2D {
  const native = nativeBlas();
  if (native === undefined) return tf.matMul(a, b, transposeA, transposeB);
  const m = transposeA ? a.shape[1] : a.shape[0];
  const k = transposeA ? a.shape[0] : a.shape[1];
  const n = transposeB ? b.shape[0] : b.shape[1];
  if ((transposeB ? b.shape[1] : b.shape[0]) !== k) {
    throw new Error(`matMul2d: inner dimensions differ: [${a.shape}] · [${b.shape}]`);
  }
  // Views are taken after the output exists: allocating it may grow (and move) the wasm heap.
  return filledTensor<tf.Rank.R2>([m, n], (out) =>
    native.sgemm(viewOf(a), viewOf(b), out, m, n, k, transposeA, transposeB, false),
  );
}
