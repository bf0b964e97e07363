import * as tf from '@tensorflow/tfjs';
import { toTriple, type Triple } from './conv-geometry.ts';

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
  if (tf.getBackend() === 'wasm') {
    // tfjs-wasm 4.22's MaxPool3D starts its running max at FLT_MIN (+1.2e-38), not −∞: negative values
    // never win. Pool a non-negative shift instead, zero-padded (zero then never beats a real value).
    const min = tf.tidy(() => tf.min(x).dataSync()[0]!);
    return tf.tidy(() => {
      if (min >= 0) return tf.maxPool3d(p.some((v) => v > 0) ? tf.pad(x, pads) : x, k, s, 'valid');
      const shifted = tf.pad(tf.sub(x, min) as tf.Tensor5D, pads);
      return tf.add(tf.maxPool3d(shifted, k, s, 'valid'), min) as tf.Tensor5D;
    });
  }
  return tf.tidy(() => {
    const padded = p.some((v) => v > 0) ? tf.pad(x, pads, -Infinity) : x;
    return tf.maxPool3d(padded, k, s, 'valid');
  });
}
