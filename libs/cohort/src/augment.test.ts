import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spottune/random';
import {
  deformVolume,
  flipVolume,
  noiseVolume,
  randomRotationAngle,
  rotateVolume,
  type Volume3,
} from './index.ts';

// Expected values from skimage 0.19.3 / scipy (Debian python3-skimage, python3-scipy), produced by:
//
// import numpy as np, json, scipy.ndimage as ndi, skimage
// from skimage.transform import rotate
// D, H, W = 5, 6, 3
// d, h, w = np.meshgrid(np.arange(D), np.arange(H), np.arange(W), indexing='ij')
// vol = (((d * 7 + h * 3 + w * 5) % 11) / 10.0)
// out = {'skimage': skimage.__version__}
// for angle in (30, -117):
//     r = rotate(vol, angle, preserve_range=True)  # order 1, constant 0, D-H plane, W as channels
//     out[f'rot{angle}'] = [round(float(x), 6) for x in r.ravel()]
// # deform: displacement grid (3,3,3,3) from a formula; field as elasticdeform (spline_filter1d mirror + cubic
// # B-spline at cp = (points-1)*j/(n-1)), nearest input voxel floor(x+0.5), 0 outside [0, n-1].
// D2, H2, W2 = 7, 8, 6
// disp = np.array([np.sin(i * 1.7) * 3 for i in range(81)]).reshape(3, 3, 3, 3)
// vol2 = np.arange(D2 * H2 * W2, dtype=np.float64).reshape(D2, H2, W2)
// dd, hh, ww = np.meshgrid(*[np.arange(n) for n in (D2, H2, W2)], indexing='ij')
// cps = [2 * g / (n - 1) for g, n in zip((dd, hh, ww), (D2, H2, W2))]
// field = [ndi.map_coordinates(disp[c], cps, order=3, mode='mirror') for c in range(3)]
// src = [g + f for g, f in zip((dd, hh, ww), field)]
// inside = np.all([(s >= 0) & (s <= n - 1) for s, n in zip(src, (D2, H2, W2))], axis=0)
// idx = [np.clip(np.floor(s + 0.5).astype(int), 0, n - 1) for s, n in zip(src, (D2, H2, W2))]
// res = np.where(inside, vol2[idx[0], idx[1], idx[2]], 0)
// out['deform'] = [int(x) for x in res.ravel()]
// out['field0'] = [round(float(x), 6) for x in field[0].ravel()[:20]]
// print(json.dumps(out))
const parse = (text: string): number[] => text.trim().split(/\s+/).map(Number);
const ROT30 = parse(`
  0.007188 0.00955 0.005393 0.341996 0.031226 0.290201 0.840553 0.331338 0.740553 0.477989 0.41089
  0.377989 0.169366 0.4365 0.932532 0.121436 0.098076 0.265544 0.221419 0.663406 0.293524 0.483004
  0.381707 0.383004 0.416506 0.788878 0.316506 0.476314 0.682892 0.376314 0.497956 0.617717 0.436122
  0.456218 0.30791 0.372724 0.625481 0.300481 0.708373 0.794495 0.360289 0.694495 0.689832 0.420096
  0.589832 0.310168 0.498325 0.210168 0.205505 0.539711 0.764711 0.374519 0.599519 0.550842 0.378719
  0.443533 0.295225 0.502044 0.282283 0.402044 0.523686 0.601314 0.423686 0.583494 0.662444 0.483494
  0.516996 0.518293 0.543301 0.662556 0.132171 0.574158 0.2135 0.203367 0.180007 0.830634 0.4635
  0.730634 0.522011 0.527276 0.422011 0.159447 0.587083 0.059447 0.175953 0.434928 0.124158 0.010761
  0.006604 0.008966
`);
const ROT_MINUS_117 = parse(`
  0.0 0.0 0.0 0.438816 0.317081 0.363265 0.470061 0.542101 0.370061 0.521252 0.471996 0.421252
  0.482512 0.487871 0.382512 0.277703 0.132818 0.424323 0.102934 0.262181 0.071085 0.270794 0.703968
  0.170794 0.490999 0.880442 0.390999 0.711205 0.120541 0.611205 0.93141 0.340714 0.83141 0.300737
  0.551615 0.648284 0.456146 0.302828 0.378898 0.587601 0.422859 0.619692 0.496469 0.473684 0.396469
  0.503531 0.560103 0.403531 0.412399 0.477141 0.312399 0.316338 0.392407 0.239089 0.699263 0.348385
  0.717351 0.06859 0.559286 0.869473 0.288795 0.783026 0.188795 0.509001 0.846721 0.409001 0.729206
  0.359656 0.629206 0.215559 0.024463 0.18371 0.305308 0.391892 0.247007 0.517488 0.412129 0.43493
  0.478748 0.428004 0.637694 0.529939 0.357899 0.469066 0.316693 0.362877 0.241142 0.0 0.0 0.0
`);
const DEFORM = parse(`
  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 151 0 0 0 0 0 120 105 101 0 0 0 132 116 160 0 0 0 0 128 171 0 0 0 0 0
  182 0 0 0 0 0 0 0 0 0 0 0 0 0 0 103 0 0 0 0 66 109 104 106 0 0 72 121 116 112 0 0 31 79 122 117 119
  0 0 85 134 129 124 0 0 0 0 135 184 0 0 0 0 0 190 0 0 0 52 58 65 0 0 0 58 65 65 0 151 105 58 65 0 0
  156 158 112 0 0 0 0 164 118 0 0 0 0 169 171 0 0 0 0 181 177 131 0 0 0 187 182 137 0 0 0 0 0 112 165
  0 0 0 0 70 124 0 0 100 0 0 0 0 246 148 0 0 0 0 0 201 0 0 0 0 0 260 208 0 0 0 0 313 261 0 0 0 0 324
  267 0 0 0 0 147 154 201 202 0 0 153 160 160 208 246 200 153 160 166 220 0 253 159 166 173 0 0 259
  213 166 0 0 0 264 266 220 0 0 0 0 272 226 0 0 0 0 278 279 0 0 199 199 247 0 0 0 205 205 253 0 0 0
  157 212 259 308 0 0 212 212 218 266 0 0 212 218 225 225 321 0 265 218 231 231 279 328 265 272 231
  238 0 0 271 278 237 0 0 0 210 252 0 0 0 0 211 259 0 0 0 0 164 217 0 0 0 0 165 218 277 0 0 0 213 219
  230 332 0 0 261 219 237 0 0 0 308 273 190 0 0 0 0 273 0 0 0 0
`);

function formulaVolume(): Volume3 {
  const [D, H, W] = [5, 6, 3];
  const data = new Float32Array(D * H * W);
  for (let d = 0; d < D; d++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) data[(d * H + h) * W + w] = ((d * 7 + h * 3 + w * 5) % 11) / 10;
  return { data, shape: [D, H, W] };
}

function randomVolume(shape: [number, number, number], seed: number): Volume3 {
  const data = new Rng(seed).fillUniform(new Float32Array(shape[0] * shape[1] * shape[2]));
  return { data, shape };
}

/** A centred ball of ones (radius r) in a zero volume. */
function ball(shape: [number, number, number], r: number): Volume3 {
  const [D, H, W] = shape;
  const data = new Float32Array(D * H * W);
  for (let d = 0; d < D; d++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        const q = (d - (D - 1) / 2) ** 2 + (h - (H - 1) / 2) ** 2 + (w - (W - 1) / 2) ** 2;
        if (q <= r * r) data[(d * H + h) * W + w] = 1;
      }
  return { data, shape };
}

const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);
const at = (v: Volume3, d: number, h: number, w: number): number =>
  v.data[(d * v.shape[1] + h) * v.shape[2] + w]!;

test('flip reverses all three axes (a point reflection) and is an involution', () => {
  const v = randomVolume([4, 5, 6], 1);
  const f = flipVolume(v);
  assert.equal(at(f, 0, 0, 0), at(v, 3, 4, 5));
  assert.equal(at(f, 1, 2, 3), at(v, 2, 2, 2));
  assert.deepEqual(flipVolume(f).data, v.data);
  const onlyW = flipVolume(v, [2]);
  assert.equal(at(onlyW, 1, 2, 0), at(v, 1, 2, 5));
  assert.deepEqual(flipVolume(onlyW, [2]).data, v.data);
});

test('rotate matches skimage.transform.rotate (bilinear, constant 0) in the D–H plane', () => {
  const v = formulaVolume();
  for (const [angle, expected] of [
    [30, ROT30],
    [-117, ROT_MINUS_117],
  ] as const) {
    const r = rotateVolume(v, new Rng(0), { angle });
    assert.equal(r.data.length, expected.length);
    r.data.forEach((x, i) =>
      assert.ok(Math.abs(x - expected[i]!) < 1e-5, `angle ${angle} voxel ${i}: ${x} vs ${expected[i]}`),
    );
  }
});

test('rotate by 90° in a square plane is an exact index permutation; 180° twice is the identity', () => {
  const v = randomVolume([6, 6, 3], 2);
  const r = rotateVolume(v, new Rng(0), { angle: 90 });
  // Output (r, c) reads input at R·((c, r) − centre) + centre: for 90°, (x', y') = (−y, x).
  for (let d = 0; d < 6; d++)
    for (let h = 0; h < 6; h++)
      for (let w = 0; w < 3; w++) assert.ok(Math.abs(at(r, d, h, w) - at(v, h, 5 - d, w)) < 1e-6);
  const twice = rotateVolume(rotateVolume(v, new Rng(0), { angle: 180 }), new Rng(0), { angle: 180 });
  twice.data.forEach((x, i) => assert.ok(Math.abs(x - v.data[i]!) < 1e-6));
  // Other planes: H–W.
  const hw = rotateVolume(v, new Rng(0), { angle: 90, plane: [1, 2] });
  assert.deepEqual(hw.shape, v.shape);
});

test('rotate keeps the mass of a centred blob; faithful mode (Q3) returns a copy; angles are integers in [−180, 180)', () => {
  const b = ball([21, 21, 9], 6);
  const m0 = sum(b.data);
  for (const angle of [17, 45, -100, 179]) {
    const m = sum(rotateVolume(b, new Rng(0), { angle }).data);
    assert.ok(Math.abs(m - m0) / m0 < 0.02, `angle ${angle}: mass ${m} vs ${m0}`);
  }
  const copy = rotateVolume(b, new Rng(0), { faithful: true });
  assert.deepEqual(copy.data, b.data);
  assert.notEqual(copy.data, b.data);
  const rng = new Rng(5);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 5000; i++) {
    const a = randomRotationAngle(rng);
    assert.ok(Number.isInteger(a));
    lo = Math.min(lo, a);
    hi = Math.max(hi, a);
  }
  assert.equal(lo, -180);
  assert.equal(hi, 179);
});

test('same seed gives byte-identical augmented volumes, another seed does not', () => {
  const v = randomVolume([8, 9, 10], 3);
  for (const fn of [
    (r: Rng) => rotateVolume(v, r),
    (r: Rng) => noiseVolume(v, r),
    (r: Rng) => deformVolume(v, r),
  ]) {
    const a = fn(new Rng(7).fork('augment', 'P1'));
    const b = fn(new Rng(7).fork('augment', 'P1'));
    const c = fn(new Rng(7).fork('augment', 'P2'));
    assert.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer));
    assert.notDeepEqual(Buffer.from(a.data.buffer), Buffer.from(c.data.buffer));
  }
});

test('noise: mean ≈ 0 and σ ≈ 0.1 before clipping, clipped to [0, 1]; insideMaskOnly keeps the background', () => {
  // A constant 0.5 volume: clipping at 0 and 1 is 5σ away, so the added noise is seen unclipped.
  const v: Volume3 = { data: new Float32Array(40 * 40 * 40).fill(0.5), shape: [40, 40, 40] };
  const n = noiseVolume(v, new Rng(11));
  let s = 0;
  let s2 = 0;
  for (const x of n.data) {
    s += x - 0.5;
    s2 += (x - 0.5) ** 2;
  }
  const mean = s / n.data.length;
  const sd = Math.sqrt(s2 / n.data.length - mean * mean);
  assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
  assert.ok(Math.abs(sd - 0.1) < 0.002, `sd ${sd}`);
  const zeros: Volume3 = { data: new Float32Array(1000), shape: [10, 10, 10] };
  const clipped = noiseVolume(zeros, new Rng(1));
  assert.ok(clipped.data.every((x) => x >= 0 && x <= 1));
  assert.ok(
    clipped.data.some((x) => x > 0),
    'faithful noise reaches the background (Q6)',
  );
  const b = ball([12, 12, 12], 3);
  const inside = noiseVolume(b, new Rng(1), { insideMaskOnly: true });
  b.data.forEach((x, i) => {
    if (x === 0) assert.equal(inside.data[i], 0);
  });
  assert.notDeepEqual(inside.data, b.data);
});

test('deform matches elasticdeform’s field (scipy cubic B-spline, mirror) with nearest resampling', () => {
  const v: Volume3 = { data: Float32Array.from({ length: 7 * 8 * 6 }, (_, i) => i), shape: [7, 8, 6] };
  const displacement = Float64Array.from({ length: 81 }, (_, i) => Math.sin(i * 1.7) * 3);
  const out = deformVolume(v, new Rng(0), { displacement });
  assert.deepEqual(Array.from(out.data), DEFORM);
});

test('deform with σ = 0 is the identity; with σ = 5 it moves voxels but keeps the shape', () => {
  const v = randomVolume([10, 12, 14], 4);
  assert.deepEqual(deformVolume(v, new Rng(1), { sigma: 0 }).data, v.data);
  const moved = deformVolume(v, new Rng(1));
  assert.deepEqual(moved.shape, v.shape);
  assert.notDeepEqual(moved.data, v.data);
  // Nearest-neighbour: every output value is an input value or the 0 fill.
  const values = new Set(v.data);
  assert.ok(moved.data.every((x) => x === 0 || values.has(x)));
});
