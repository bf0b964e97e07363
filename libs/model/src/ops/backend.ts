import * as tf from '@tensorflow/tfjs';
import { ValidationError, coerceError } from '@spottune/errors';

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

/**
 * Selects the tfjs backend and returns its name. `auto` takes tensorflow (tfjs-node-gpu or tfjs-node)
 * when one can be imported, else wasm, else cpu. An explicit choice that cannot be had is an error.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
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
