import * as tf from '@tensorflow/tfjs';

/**
 * Reading and writing tensor data from plain JS without tfjs kernels. On wasm every kernel call and
 * every dataSync() copy costs; for per-channel loops over a few hundred thousand floats JS on the
 * wasm heap itself is faster than a chain of kernels.
 */

/** The public methods of tfjs-wasm's backend that expose a tensor's floats on the heap. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

function heapBackend(): HeapBackend | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const b = tf.backend() as unknown as Partial<HeapBackend>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function'
    ? (b as HeapBackend)
    : undefined;
}

/**
 * A read-only view of a float32 tensor's values: on wasm straight on the heap (no copy), elsewhere
 * the backend's own array. Use it at once: anything that allocates on the wasm heap may detach it.
 */
export function viewOf(t: tf.Tensor): Float32Array {
  const heap = heapBackend();
  return heap !== undefined ? heap.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/**
 * A new float32 tensor whose every element `fill` writes: on wasm straight into the heap (no JS
 * buffer, no upload copy). Take input views inside `fill`: creating the output may grow the heap.
 */
export function filledTensor<R extends tf.Rank>(
  shape: number[],
  fill: (out: Float32Array) => void,
): tf.Tensor<R> {
  const heap = heapBackend();
  if (heap !== undefined) {
    const info = heap.makeOutput(shape, 'float32');
    fill(heap.typedArrayFromHeap(info));
    return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
  }
  const buf = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(buf);
  return tf.tensor(buf, shape as number[]) as unknown as tf.Tensor<R>;
}
