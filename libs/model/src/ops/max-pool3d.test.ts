import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { maxPool3d } from './max-pool3d.ts';
import { initBackend } from './backend.ts';
import { nativeBlasInfo } from './native-blas.ts';

/** PyTorch MaxPool3d semantics written out: padding never wins, output floor((n + 2p − k)/s) + 1. */
function naiveMaxPool(x: Float32Array, shape: number[], k: number, s: number, p: number) {
  const [n, d, h, w, c] = shape as [number, number, number, number, number];
  const o = [d, h, w].map((v) => Math.floor((v + 2 * p - k) / s) + 1) as [number, number, number];
  const y: number[] = [];
  const dx = new Float64Array(x.length); // gradient of sum(y)
  for (let b = 0; b < n; b++)
    for (let i = 0; i < o[0]; i++)
      for (let j = 0; j < o[1]; j++)
        for (let l = 0; l < o[2]; l++)
          for (let ch = 0; ch < c; ch++) {
            let best = -Infinity;
            let at = -1;
            for (let a = 0; a < k; a++)
              for (let e = 0; e < k; e++)
                for (let f = 0; f < k; f++) {
                  const z = i * s - p + a;
                  const yy = j * s - p + e;
                  const xx = l * s - p + f;
                  if (z < 0 || z >= d || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                  const idx = (((b * d + z) * h + yy) * w + xx) * c + ch;
                  if (x[idx]! > best) {
                    best = x[idx]!;
                    at = idx;
                  }
                }
            y.push(best);
            dx[at]! += 1;
          }
  return { y, dx, outShape: [n, ...o, c] };
}

// Both loops: the native addon's (when built: CI builds it) and the JS one.
const nativeModes = nativeBlasInfo() !== undefined ? [true, false] : [false];

for (const backend of ['cpu', 'wasm'] as const)
  for (const native of nativeModes) describePool(backend, native);

function describePool(backend: 'cpu' | 'wasm', native: boolean): void {
  describe(`maxPool3d on ${backend}${native ? ' + native' : ''}`, () => {
    it('matches PyTorch semantics (−∞ padding) forward and gradient, odd sizes', async () => {
      assert.equal(await initBackend(backend, { nativeBlas: native }), backend);
      const shape = [2, 5, 6, 7, 3];
      const size = shape.reduce((a, b) => a * b, 1);
      // All negative: zero padding would win and be caught.
      const xs = Float32Array.from({ length: size }, (_, i) => -2 - Math.sin(i * 0.731) - i * 1e-4);
      const ref = naiveMaxPool(xs, shape, 3, 2, 1);
      const x = tf.tensor5d(xs, shape as [number, number, number, number, number]);
      const f = (t: tf.Tensor) => maxPool3d(t as tf.Tensor5D, { kernel: 3, stride: 2, padding: 1 });
      const y = f(x);
      assert.deepEqual(y.shape, ref.outShape);
      // On wasm the values go through a shift (see maxPool3d): equal up to float32 rounding.
      const got = y.dataSync();
      ref.y.forEach((v, i) =>
        assert.ok(Math.abs(got[i]! - v) <= 1e-6 * Math.abs(v), `y[${i}] ${got[i]} vs ${v}`),
      );
      const dx = tf.grad((t: tf.Tensor) => f(t).sum())(x);
      assert.deepEqual(Array.from(dx.dataSync()), Array.from(ref.dx));
      tf.dispose([x, y, dx]);
      await initBackend('cpu');
    });
  });
}
