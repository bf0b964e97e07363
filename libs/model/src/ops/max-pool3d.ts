import * as tf from '@tensorflow/tfjs';
import { outSize, toTriple, type Triple } from './conv-geometry.ts';
import { filledTensor, viewOf } from './heap.ts';
import { nativeBlas } from './native-blas.ts';

export interface MaxPool3dOptions {
  kernel: Triple;
  stride?: Triple;
  padding?: Triple;
}

/**
 * 3-D max pooling, NDHWC, with PyTorch semantics: symmetric padding with −∞ (padding never wins),
 * output floor((n + 2p − k)/s) + 1, stride defaulting to the kernel size.
 */
export function maxPool3d(x: tf.Tensor5D, options: MaxPool3dOptions): tf.Tensor5D {
  const k = toTriple(options.kernel, 1, 'kernel');
  const s = toTriple(options.stride, 0, 'stride').map((v, i) => (v === 0 ? k[i]! : v)) as [
    number,
    number,
    number,
  ];
  const p = toTriple(options.padding, 0, 'padding');
  const pads: [number, number][] = [
    [0, 0],
    [p[0], p[0]],
    [p[1], p[1]],
    [p[2], p[2]],
    [0, 0],
  ];
  const backend = tf.getBackend();
  if (backend === 'wasm' || backend === 'cpu') return maxPool3dJs(x, k, s, p);
  return tf.tidy(() => {
    const padded = p.some((v) => v > 0) ? tf.pad(x, pads, -Infinity) : x;
    return tf.maxPool3d(padded, k, s, 'valid');
  });
}

/**
 * maxPool3d on the tensors' memory (the native addon's loop when built, else the same in JS), for wasm
 * and cpu. tfjs-wasm 4.22's MaxPool3D starts its
 * running max at FLT_MIN (+1.2e-38), not −∞, and the gradient of the explicit padding it then needs is
 * a 5-D slice (~70 ms for a stem output on wasm). PyTorch's rule: the first maximum in window order
 * wins (NaN wins); the gradient goes to that element.
 */
function maxPool3dJs(
  x: tf.Tensor5D,
  k: [number, number, number],
  s: [number, number, number],
  p: [number, number, number],
): tf.Tensor5D {
  const [n, D, H, W, C] = x.shape;
  const o = [D, H, W].map((v, i) => outSize(v, k[i]!, s[i]!, 1, p[i]!)) as [number, number, number];
  const arg = new Int32Array(n * o[0] * o[1] * o[2] * C);
  // The same loops as the native addon's maxPool3d.
  const maxPoolLoops = (xv: Float32Array, out: Float32Array, argmax: Int32Array): void => {
    let q = 0;
    for (let b = 0; b < n; b++)
      for (let i = 0; i < o[0]; i++) {
        const z0 = Math.max(0, i * s[0] - p[0]);
        const z1 = Math.min(D, i * s[0] - p[0] + k[0]);
        for (let j = 0; j < o[1]; j++) {
          const y0 = Math.max(0, j * s[1] - p[1]);
          const y1 = Math.min(H, j * s[1] - p[1] + k[1]);
          for (let l = 0; l < o[2]; l++, q += C) {
            const x0 = Math.max(0, l * s[2] - p[2]);
            const x1 = Math.min(W, l * s[2] - p[2] + k[2]);
            const first = (((b * D + z0) * H + y0) * W + x0) * C;
            for (let ch = 0; ch < C; ch++) {
              out[q + ch] = xv[first + ch]!;
              argmax[q + ch] = first + ch;
            }
            for (let z = z0; z < z1; z++)
              for (let y = y0; y < y1; y++)
                for (let xx = x0; xx < x1; xx++) {
                  const base = (((b * D + z) * H + y) * W + xx) * C;
                  for (let ch = 0; ch < C; ch++) {
                    const v = xv[base + ch]!;
                    if (v > out[q + ch]! || v !== v) {
                      out[q + ch] = v;
                      argmax[q + ch] = base + ch;
                    }
                  }
                }
          }
        }
      }
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor5D;
    const native = nativeBlas();
    const value = filledTensor<tf.Rank.R5>([n, ...o, C], (out) =>
      native !== undefined
        ? native.maxPool3d(
            Int32Array.from([n, D, H, W, C, ...o, ...k, ...s, 1, 1, 1, ...p]),
            viewOf(xi),
            out,
            arg,
          )
        : maxPoolLoops(viewOf(xi), out, arg),
    );
    return {
      value,
      gradFunc: (dy: tf.Tensor) =>
        filledTensor<tf.Rank.R5>([n, D, H, W, C], (out) => {
          out.fill(0);
          const g = viewOf(dy);
          for (let i = 0; i < arg.length; i++) out[arg[i]!]! += g[i]!;
        }),
    };
  });
  return op(x) as tf.Tensor5D;
}
