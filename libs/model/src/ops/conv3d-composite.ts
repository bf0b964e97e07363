import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.ts';

/**
 * conv3d from tfjs's own ops, differentiable by tfjs autodiff: explicit zero padding, then tf.conv3d.
 * tfjs's Conv3D gradient asserts dilations == 1, so a dilated convolution is done the way TensorFlow
 * does atrous convolution: spaceToBatchND by the dilation, an undilated conv3d, batchToSpaceND back.
 * This is the path for the `tensorflow` backend (tfjs-node), and a reference for the tests.
 */
export function conv3dComposite(x: tf.Tensor5D, filter: tf.Tensor5D, g: ConvGeometry): tf.Tensor5D {
  return tf.tidy(() => {
    const { padding: p, strides: s, dilations: d, inShape } = g;
    const padded = p.some((v) => v > 0)
      ? tf.pad(x, [
          [0, 0],
          [p[0], p[0]],
          [p[1], p[1]],
          [p[2], p[2]],
          [0, 0],
        ])
      : x;
    if (d.every((v) => v === 1)) {
      return tf.conv3d(padded, filter, s, 'valid');
    }
    if (s.some((v) => v > 1)) {
      // Strided and dilated at once (not in SpotTune): tf.conv3d allows only one of the two, and
      // StridedSlice has no gradient, so spell the dilation out in the filter with zeros.
      return tf.conv3d(padded, dilateFilter(filter, d), s, 'valid');
    }
    // Atrous: stride-1 dilated output of size n + 2p − d(k−1) per axis.
    const full = [0, 1, 2].map((i) => inShape[i]! + 2 * p[i]!);
    const extra = [0, 1, 2].map((i) => Math.ceil(full[i]! / d[i]!) * d[i]! - full[i]!);
    const crops = extra.map((e) => [0, e]);
    const blocks = tf.spaceToBatchND(padded, d, crops);
    const y = tf.conv3d(blocks as tf.Tensor5D, filter, 1, 'valid');
    return tf.batchToSpaceND(y, d, crops) as tf.Tensor5D;
  });
}

/** Inserts d−1 zeros between filter taps along each spatial axis (differentiable: concat, reshape, slice). */
function dilateFilter(filter: tf.Tensor5D, d: [number, number, number]): tf.Tensor5D {
  let f: tf.Tensor = filter;
  for (let axis = 0; axis < 3; axis++) {
    const di = d[axis]!;
    if (di === 1) continue;
    const shape = f.shape;
    const k = shape[axis]!;
    const tap = f.expandDims(axis + 1);
    const zerosShape = [...tap.shape];
    zerosShape[axis + 1] = di - 1;
    const merged = [...shape];
    merged[axis] = k * di;
    const spread = tf.concat([tap, tf.zeros(zerosShape)], axis + 1).reshape(merged);
    const size = [...merged];
    size[axis] = di * (k - 1) + 1;
    f = tf.slice(spread, [0, 0, 0, 0, 0], size);
  }
  return f as tf.Tensor5D;
}
