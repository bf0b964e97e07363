import * as tf from '@tensorflow/tfjs';
import { ValidationError, coerceError } from '@spottune/errors';
import { nativeBlasInfo, nativeBlasUnavailable, setNativeBlas } from './native-blas.ts';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** True for "this optional package is not installed"; anything else (a broken install) is rethrown. */
function isMissingModule(e: unknown, name: string): boolean {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(name);
}

async function tryTensorflow(): Promise<boolean> {
  // tfjs-node(-gpu) cannot be installed everywhere (its install downloads libtensorflow): optional.
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(name);
    } catch (e) {
      if (isMissingModule(e, name)) continue;
      throw coerceError(e);
    }
    if (await tf.setBackend('tensorflow')) return true;
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  try {
    // Registers the backend; in Node it reads its .wasm binaries from its own dist folder.
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    if (isMissingModule(e, '@tensorflow/tfjs-backend-wasm')) return false;
    throw coerceError(e);
  }
  return tf.setBackend('wasm');
}

export interface NativeOptions {
  /** Use the native OpenBLAS addon on wasm/cpu when it is built (default true). */
  nativeBlas?: boolean;
  /** Its OpenBLAS threads (default 1). */
  blasThreads?: number;
  /** OpenBLAS kernel family (default `auto`: detected for this CPU); see native-blas.ts. */
  blasCoreType?: string;
}

/**
 * Selects the tfjs backend and returns its name. `auto` takes tensorflow (tfjs-node-gpu or tfjs-node)
 * when one can be imported, else wasm, else cpu. An explicit choice that cannot be had is an error.
 * On wasm and cpu the native addon (when built and not turned off) runs the heavy loops.
 */
export async function initBackend(
  choice: BackendChoice = 'auto',
  native: NativeOptions = {},
): Promise<BackendName> {
  setNativeBlas(native.nativeBlas ?? true, native.blasThreads ?? 1, native.blasCoreType ?? 'auto');
  if (choice === 'tensorflow' || choice === 'auto') {
    if (await tryTensorflow()) return 'tensorflow';
    if (choice === 'tensorflow') {
      throw new ValidationError(
        'backend tensorflow: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed',
      );
    }
  }
  if (choice === 'wasm' || choice === 'auto') {
    if (await tryWasm()) return 'wasm';
    if (choice === 'wasm')
      throw new ValidationError('backend wasm: @tensorflow/tfjs-backend-wasm could not be initialised');
  }
  if (!(await tf.setBackend('cpu'))) throw new ValidationError('backend cpu could not be initialised');
  return 'cpu';
}

/** The compute path in words, for logs and benchmarks: e.g. "wasm + native OpenBLAS (1 thread)". */
export function describeCompute(): string {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return backend;
  const native = nativeBlasInfo();
  if (native === undefined) return `${backend} (native OpenBLAS addon ${nativeBlasUnavailable() ?? 'off'})`;
  return `${backend} + native OpenBLAS (${native.threads} thread${native.threads === 1 ? '' : 's'}; ${native.config.trim()})`;
}
