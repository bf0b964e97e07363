import { ValidationError } from '@spottune/errors';

/** A per-axis (depth, height, width) triple; a single number applies to all three axes. */
export type Triple = number | [number, number, number];

/** Options of {@link conv3d}: PyTorch semantics (symmetric zero padding per axis). */
export interface Conv3dOptions {
  strides?: Triple;
  dilations?: Triple;
  padding?: Triple;
}

/** Everything the lowering needs about one convolution, input NDHWC and filter [kd,kh,kw,cin,cout]. */
export interface ConvGeometry {
  n: number;
  inShape: [number, number, number];
  cin: number;
  cout: number;
  kernel: [number, number, number];
  strides: [number, number, number];
  dilations: [number, number, number];
  padding: [number, number, number];
  outShape: [number, number, number];
}

export function toTriple(
  value: Triple | undefined,
  fallback: number,
  name: string,
): [number, number, number] {
  const t: [number, number, number] =
    value === undefined
      ? [fallback, fallback, fallback]
      : typeof value === 'number'
        ? [value, value, value]
        : value;
  if (t.length !== 3 || !t.every((v) => Number.isInteger(v))) {
    throw new ValidationError(
      `conv3d: ${name} must be an integer or three integers, got ${JSON.stringify(value)}`,
    );
  }
  return t;
}

/** PyTorch output size: floor((n + 2p − d(k−1) − 1)/s) + 1. */
export function outSize(n: number, k: number, s: number, d: number, p: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  options: Conv3dOptions,
): ConvGeometry {
  if (xShape.length !== 5)
    throw new ValidationError(`conv3d: input must be 5-D NDHWC, got shape [${xShape}]`);
  if (filterShape.length !== 5) {
    throw new ValidationError(`conv3d: filter must be 5-D [kd,kh,kw,cin,cout], got shape [${filterShape}]`);
  }
  const [n, d, h, w, cin] = xShape as [number, number, number, number, number];
  const [kd, kh, kw, fcin, cout] = filterShape as [number, number, number, number, number];
  if (fcin !== cin) {
    throw new ValidationError(`conv3d: input has ${cin} channels but the filter expects ${fcin}`);
  }
  const strides = toTriple(options.strides, 1, 'strides');
  const dilations = toTriple(options.dilations, 1, 'dilations');
  const padding = toTriple(options.padding, 0, 'padding');
  if (strides.some((s) => s < 1) || dilations.some((v) => v < 1) || padding.some((p) => p < 0)) {
    throw new ValidationError(
      `conv3d: strides and dilations must be ≥ 1 and padding ≥ 0, got ${JSON.stringify({ strides, dilations, padding })}`,
    );
  }
  const inShape: [number, number, number] = [d, h, w];
  const kernel: [number, number, number] = [kd, kh, kw];
  const outShape = [0, 1, 2].map((i) =>
    outSize(inShape[i]!, kernel[i]!, strides[i]!, dilations[i]!, padding[i]!),
  ) as [number, number, number];
  if (outShape.some((o) => o < 1)) {
    throw new ValidationError(
      `conv3d: input [${inShape}] is too small for kernel [${kernel}] with dilations [${dilations}] and padding [${padding}]`,
    );
  }
  return { n, inShape, cin, cout, kernel, strides, dilations, padding, outShape };
}
