import * as tf from '@tensorflow/tfjs';
import { convGeometry, type Conv3dOptions } from './conv-geometry.ts';
import { conv3dComposite } from './conv3d-composite.ts';
import { conv3dFast, type FastConvOptions } from './conv3d-fast.ts';

export type Conv3dPath = 'auto' | 'fast' | 'composite';

export interface Conv3dCallOptions extends Conv3dOptions, FastConvOptions {
  /** Force an implementation (tests, benchmarks); `auto` picks by backend. */
  path?: Conv3dPath;
}

/**
 * 3-D convolution, input NDHWC, filter [kd, kh, kw, cin, cout], PyTorch semantics: symmetric zero
 * padding per axis, output floor((n + 2p − d(k−1) − 1)/s) + 1. Differentiable w.r.t. x and filter,
 * for any strides and dilations. On wasm and cpu it runs the im2col + matMul lowering
 * ({@link conv3dFast}); elsewhere (tensorflow, webgpu) tfjs's own conv3d with atrous dilation.
 */
export function conv3d(x: tf.Tensor5D, filter: tf.Tensor5D, options: Conv3dCallOptions = {}): tf.Tensor5D {
  const g = convGeometry(x.shape, filter.shape, options);
  const path = options.path ?? 'auto';
  const backend = tf.getBackend();
  const fast = path === 'fast' || (path === 'auto' && (backend === 'wasm' || backend === 'cpu'));
  return fast ? conv3dFast(x, filter, g, options) : conv3dComposite(x, filter, g);
}
