import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
import { convGeometry } from './conv-geometry.ts';
import { insideFraction, useTaps } from './conv3d-native.ts';
import { colPlan, col2imAdd, im2col } from './im2col.ts';
import { nativeBlas, nativeBlasInfo } from './native-blas.ts';
import { jsBnLoops } from './batch-norm.ts';
import { adamLoop } from '../adam.ts';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.731 + seed) * Math.cos(i * 0.117 + 2 * seed);
  return out;
}

const OPENBLAS_HEADERS = ['/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h'].some(existsSync);
const built = nativeBlasInfo() !== undefined;
const needsAddon = { skip: built ? false : 'the native addon is not built here (see the first test)' };

describe('native OpenBLAS addon', () => {
  it('is built wherever OpenBLAS is installed (CI installs it)', () => {
    if (process.env.CI === 'true' || OPENBLAS_HEADERS) {
      assert.ok(built, 'libs/model/native/build/spottune_sgemm.node is missing: run `npm run build:native`');
    }
    if (built) assert.match(nativeBlasInfo()!.config, /OpenBLAS/);
  });

  it('picks the tap-by-tap lowering where the column matrix would be mostly padding', () => {
    // ResNet stage 4 at 5×6×6, 128 channels: undilated (13/15)(16/18)², dilation 4 (7/15)(10/18)².
    const at = (d: number, c = 128) =>
      convGeometry([2, 5, 6, 6, c], [3, 3, 3, c, c], { dilations: d, padding: d });
    assert.ok(Math.abs(insideFraction(at(1)) - (13 / 15) * (16 / 18) ** 2) < 1e-12);
    assert.ok(Math.abs(insideFraction(at(4)) - (7 / 15) * (10 / 18) ** 2) < 1e-12);
    assert.equal(useTaps(at(4), 'auto'), true);
    assert.equal(useTaps(at(4, 16), 'auto'), false, 'too few channels for per-tap products');
    const big = convGeometry([1, 35, 43, 43, 64], [3, 3, 3, 64, 64], { padding: 1 });
    assert.equal(useTaps(big, 'auto'), false, 'a large volume is mostly inside');
    assert.equal(useTaps(big, 'taps'), true);
  });

  it('sgemm equals tf.matMul for every transpose combination, and accumulates', needsAddon, async () => {
    await initBackend('cpu', { nativeBlas: true });
    const native = nativeBlas()!;
    const [m, k, n] = [37, 53, 29];
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = values(m * k, 1);
      const b = values(k * n, 2);
      const ta2 = tf.tensor2d(a, ta ? [k, m] : [m, k]);
      const tb2 = tf.tensor2d(b, tb ? [n, k] : [k, n]);
      const expected = tf.matMul(ta2, tb2, ta, tb).dataSync();
      const c = new Float32Array(m * n).fill(1);
      native.sgemm(a, b, c, m, n, k, ta, tb, true);
      expected.forEach((v, i) =>
        assert.ok(Math.abs(c[i]! - (v + 1)) < 1e-4, `accumulate [${ta},${tb}] ${i}`),
      );
      native.sgemm(a, b, c, m, n, k, ta, tb, false);
      expected.forEach((v, i) =>
        assert.ok(Math.abs(c[i]! - v) < 1e-4, `[${ta},${tb}] ${i}: ${c[i]} vs ${v}`),
      );
      tf.dispose([ta2, tb2]);
    }
  });

  it('im2col and col2imAdd equal the JS lowering exactly (strides, dilations, paddings)', needsAddon, () => {
    const native = nativeBlas()!;
    for (const [k, s, d, p, spatial, c] of [
      [3, 1, 1, 1, [5, 6, 7], 4],
      [3, 2, 1, 1, [7, 6, 9], 3],
      [3, 1, 4, 4, [5, 6, 6], 2],
      [7, 2, 1, 3, [9, 11, 10], 1],
      [3, 1, 2, 0, [9, 8, 7], 5],
    ] as const) {
      const g = convGeometry([2, ...spatial, c], [k, k, k, c, 3], { strides: s, dilations: d, padding: p });
      const plan = colPlan(g, c);
      const rows = g.n * g.outShape[0] * g.outShape[1] * g.outShape[2];
      const src = values(2 * spatial[0] * spatial[1] * spatial[2] * c, 3);
      const geom = Int32Array.from([
        g.n,
        ...g.inShape,
        c,
        ...g.outShape,
        ...g.kernel,
        ...g.strides,
        ...g.dilations,
        ...g.padding,
      ]);
      // an odd chunk, not starting at row 0
      const [r0, n] = [Math.floor(rows / 3), Math.ceil(rows / 2)];
      const js = new Float32Array(n * plan.cols).fill(NaN);
      const nat = new Float32Array(n * plan.cols).fill(NaN);
      im2col(plan, src, r0, n, js);
      native.im2col(geom, src, r0, n, nat);
      assert.deepEqual(nat, js, `im2col k${k} s${s} d${d} p${p}`);
      const col = values(n * plan.cols, 4);
      const dJs = values(src.length, 5);
      const dNat = dJs.slice();
      col2imAdd(plan, col, r0, n, dJs);
      native.col2imAdd(geom, col, r0, n, dNat);
      assert.deepEqual(dNat, dJs, `col2imAdd k${k} s${s} d${d} p${p}`);
    }
  });

  it('BN loops give the same floats as the JS loops', needsAddon, () => {
    const native = nativeBlas()!;
    const c = 6;
    const x = values(41 * c, 6);
    const dy = values(41 * c, 7);
    const run = (l: typeof jsBnLoops) => {
      const mean = new Float64Array(c);
      const variance = new Float64Array(c);
      l.bnMoments(x, mean, variance);
      const inv = variance.map((v) => 1 / Math.sqrt(v + 1e-5));
      const scale = inv.map((v, i) => v * (1 + 0.1 * i));
      const out = new Float32Array(x.length);
      l.bnAffine(x, out, scale, mean);
      const dx = new Float32Array(x.length);
      const sums = [new Float64Array(c), new Float64Array(c)] as const;
      l.bnBackward(dy, x, dx, mean, inv, scale, sums[0], sums[1]);
      return { mean, variance, out, dx, sums };
    };
    assert.deepEqual(run(native), run(jsBnLoops));
  });

  it(
    'the Adam update gives the same floats as the JS loop (with and without weight decay)',
    needsAddon,
    () => {
      const native = nativeBlas()!;
      const n = 1001;
      const [p, g, m] = [values(n, 8), values(n, 9), values(n, 10).map((v) => v * 0.1)];
      const v = values(n, 11).map((x) => x * x * 0.01);
      for (const wd of [0, 1e-8, 0.01]) {
        const hyper = Float32Array.of(
          0.9,
          0.999,
          0.1,
          0.001,
          1e-8,
          wd,
          1e-3 / (1 - 0.9 ** 3),
          Math.sqrt(1 - 0.999 ** 3),
        );
        const outs = () => [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
        const js = outs();
        const nat = outs();
        adamLoop(p, g, m, v, ...js, hyper);
        native.adamUpdate(p, g, m, v, ...nat, hyper);
        assert.deepEqual(nat, js, `weight decay ${wd}`);
      }
    },
  );

  it('refuses arrays that do not fit with a typed error', needsAddon, () => {
    const native = nativeBlas()!;
    assert.throws(
      () =>
        native.sgemm(
          new Float32Array(4),
          new Float32Array(4),
          new Float32Array(3),
          2,
          2,
          2,
          false,
          false,
          false,
        ),
      RangeError,
    );
    assert.throws(
      () =>
        native.sgemm(
          new Float64Array(4) as unknown as Float32Array,
          new Float32Array(4),
          new Float32Array(4),
          2,
          2,
          2,
          false,
          false,
          false,
        ),
      TypeError,
    );
    assert.throws(
      () => native.bnMoments(new Float32Array(5), new Float64Array(2), new Float64Array(2)),
      RangeError,
    );
  });
});
