import type { ConvGeometry } from './conv-geometry.ts';

/**
 * Direct 3-D convolution and its two adjoints in plain loops, NDHWC / [kd,kh,kw,cin,cout]: the
 * trusted reference for the tests (tfjs's own Conv3D gradient refuses dilations > 1). Slow; small inputs only.
 */
export function naiveConv3d(
  g: ConvGeometry,
  x: Float32Array,
  w: Float32Array,
  dy?: Float32Array,
): { y: Float64Array; dx: Float64Array; dw: Float64Array } {
  const [D, H, W] = g.inShape;
  const [OD, OH, OW] = g.outShape;
  const [kd, kh, kw] = g.kernel;
  const { cin, cout, n: N } = g;
  const y = new Float64Array(N * OD * OH * OW * cout);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < N; n++)
    for (let od = 0; od < OD; od++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const yo = (((n * OD + od) * OH + oh) * OW + ow) * cout;
          for (let a = 0; a < kd; a++) {
            const iz = od * g.strides[0] - g.padding[0] + a * g.dilations[0];
            if (iz < 0 || iz >= D) continue;
            for (let b = 0; b < kh; b++) {
              const iy = oh * g.strides[1] - g.padding[1] + b * g.dilations[1];
              if (iy < 0 || iy >= H) continue;
              for (let c = 0; c < kw; c++) {
                const ix = ow * g.strides[2] - g.padding[2] + c * g.dilations[2];
                if (ix < 0 || ix >= W) continue;
                const xo = (((n * D + iz) * H + iy) * W + ix) * cin;
                const wo = ((a * kh + b) * kw + c) * cin * cout;
                for (let ci = 0; ci < cin; ci++) {
                  const xv = x[xo + ci]!;
                  for (let co = 0; co < cout; co++) {
                    const wv = w[wo + ci * cout + co]!;
                    y[yo + co]! += xv * wv;
                    if (dy !== undefined) {
                      const g0 = dy[yo + co]!;
                      dx[xo + ci]! += g0 * wv;
                      dw[wo + ci * cout + co]! += g0 * xv;
                    }
                  }
                }
              }
            }
          }
        }
  return { y, dx, dw };
}
