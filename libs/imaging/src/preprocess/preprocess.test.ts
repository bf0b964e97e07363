import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, ValidationError } from '@spottune/errors';
import { gaussianFilter3d, gaussianKernel1d, mirrorIndex } from './gaussian.ts';
import { preprocessVolume, PREPROCESSING_VERSION } from './preprocess-volume.ts';
import { EmptyMaskError } from './preprocess-errors.ts';
import { tumourPhantom } from './phantom.ts';
import { SCIPY_ODD, SCIPY_REFERENCE } from './scipy-expected.ts';
import type { Checksums } from './scipy-expected.ts';

/*
 * Expected values: /usr/bin/python3 (scipy 1.10.1, numpy 1.24.2) running this script; its JSON output
 * is scipy-expected.ts.
 *
 * import numpy as np, json, sys
 * from scipy import ndimage as ndi
 * def phantom(D=155, H=240, W=240):
 *     z, y, x = np.meshgrid(*(np.arange(n, dtype=np.float64) for n in (D, H, W)), indexing='ij')
 *     img = 100 + 40 * np.sin(0.11 * z + 0.07 * y) * np.cos(0.05 * x) + ((7 * z + 13 * y + 3 * x) % 17)
 *     r = ((z - 70) / 38) ** 2 + ((y - 120) / 55) ** 2 + ((x - 128) / 47) ** 2
 *     mask = np.where(r < 0.3, 4, np.where(r < 0.6, 1, np.where(r < 1, 2, 0)))
 *     return img, mask
 * def preprocess(img, mask, crop, target, labels=None):
 *     keep = mask > 0 if labels is None else np.isin(mask, labels)
 *     full = np.where(keep, img, 0.0)
 *     (z0, z1), (y0, y1), (x0, x1) = crop
 *     c = full[z0:z1, y0:y1, x0:x1]
 *     g = ndi.gaussian_filter(c, sigma=0.5, mode='mirror', truncate=4)
 *     d, h, w = (s // 2 for s in g.shape)
 *     p = g[:2 * d, :2 * h, :2 * w].reshape(d, 2, h, 2, w, 2).mean(axis=(1, 3, 5))
 *     p = (p - p.min()) / (p.max() - p.min())
 *     pads = [((t - s) // 2, (t - s) - (t - s) // 2) for s, t in zip(p.shape, target)]
 *     return np.pad(p, pads).astype(np.float32)
 * def checksums(out):
 *     a = out.astype(np.float64).ravel(); n = a.size; idx = np.arange(n, dtype=np.float64)
 *     sample = [(k * 2654435761) % n for k in range(1, 201)]
 *     D, H, W = out.shape
 *     centre = [((D // 2 + dz) * H + H // 2 + dy) * W + W // 2 + dx
 *               for dz in (-6, 0, 5) for dy in (-9, -2, 4, 10) for dx in range(-12, 13, 3)]
 *     return {'shape': list(out.shape), 'sum': float(a.sum()), 'sumSq': float((a * a).sum()),
 *             'indexWeighted': float((a * (idx + 1) / n).sum()), 'max': float(a.max()),
 *             'samples': [[i, float(a[i])] for i in sample + centre]}
 * img, mask = phantom()
 * json.dump({'reference': checksums(preprocess(img, mask, ((0, 140), (39, 211), (44, 208)), (70, 86, 86))),
 *            'odd': checksums(preprocess(img, mask, ((41, 76), (77, 120), (85, 126)), (18, 22, 22), labels=[1, 4]))},
 *           sys.stdout)
 */

function assertChecksums(out: { data: Float32Array; shape: number[] }, want: Checksums): void {
  assert.deepEqual(out.shape, want.shape);
  const n = out.data.length;
  let sum = 0;
  let sumSq = 0;
  let weighted = 0;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = out.data[i] as number;
    sum += v;
    sumSq += v * v;
    weighted += (v * (i + 1)) / n;
    if (v > max) max = v;
  }
  const rel = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ${a} vs scipy ${b}`);
  rel(sum, want.sum, 'sum');
  rel(sumSq, want.sumSq, 'sum of squares');
  rel(weighted, want.indexWeighted, 'index-weighted sum');
  rel(max, want.max, 'max');
  assert.ok(want.sampleValue.filter((v) => v > 0).length > 100, 'samples must include tumour voxels');
  want.sampleIndex.forEach((idx, k) => {
    const v = out.data[idx] as number;
    const w = want.sampleValue[k] as number;
    assert.ok(Math.abs(v - w) <= 1e-5, `voxel ${idx}: ${v} vs scipy ${w}`);
  });
}

const phantom = tumourPhantom();

test('reference preprocessing of a 155×240×240 volume matches scipy to 1e-5', () => {
  const out = preprocessVolume(
    { data: phantom.image, shape: phantom.shape },
    { data: phantom.mask, shape: phantom.shape },
  );
  assert.ok(out.data instanceof Float32Array);
  assertChecksums(out, SCIPY_REFERENCE);
  // Padding on the last axis: 82 → 86 puts 2 zero columns on each side.
  for (let z = 0; z < 70; z++) {
    for (let y = 0; y < 86; y++) {
      for (const x of [0, 1, 84, 85]) assert.equal(out.data[(z * 86 + y) * 86 + x], 0);
    }
  }
});

test('odd crop sizes, a custom target and a label list match the floor-pooling scipy recipe', () => {
  const out = preprocessVolume(
    { data: phantom.image, shape: phantom.shape },
    { data: phantom.mask, shape: phantom.shape },
    {
      crop: [
        [41, 76],
        [77, 120],
        [85, 126],
      ],
      targetShape: [18, 22, 22],
      maskLabels: [1, 4],
    },
  );
  assertChecksums(out, SCIPY_ODD);
});

test('scipy Gaussian kernel and mirror boundary on tiny arrays', () => {
  // ndi._filters._gaussian_kernel1d(0.5, 0, 2)
  const k = gaussianKernel1d(0.5);
  const want = [
    0.00026386508273735414, 0.10645077197359151, 0.7865707258873422, 0.10645077197359151,
    0.00026386508273735414,
  ];
  want.forEach((w, i) => assert.ok(Math.abs((k[i] as number) - w) < 1e-15));
  assert.deepEqual(
    [-3, -2, -1, 0, 1, 2, 3, 4, 5].map((i) => mirrorIndex(i, 3)),
    [1, 2, 1, 0, 1, 2, 1, 0, 1],
  );
  // ndi.gaussian_filter1d(x[:n], s, mode='mirror', truncate=4), x = [1, -2, 5, 3.5, 0.25, 10], s = 0.5 and 1.5:
  // σ = 1.5 has radius 6, so short lines reflect several times.
  const x = [1, -2, 5, 3.5, 0.25, 10];
  const cases: Array<[number, number, number[]]> = [
    [1, 0.5, [1]],
    [1, 1.5, [1]],
    [2, 0.5, [0.36129536815845087, -1.3612953681584508]],
    [2, 1.5, [-0.4999404391982104, -0.5000595608017897]],
    [3, 0.5, [0.36340628882034975, -0.9354922802640848, 3.50757827170782]],
    [3, 1.5, [0.3755027289871169, 0.49990073199701723, 0.6246958070188489]],
    [
      6,
      0.5,
      [
        0.36340628882034975, -0.9340410223090294, 4.092859618750521, 3.313975014128952, 1.635113394799692,
        7.92077970043938,
      ],
    ],
    [
      6,
      1.5,
      [
        0.7838735722263162, 1.203142259153455, 2.1214559800994115, 2.9904886603475993, 3.6115923435869837,
        3.8627679413987868,
      ],
    ],
  ];
  for (const [n, sigma, expected] of cases) {
    const got = gaussianFilter3d(x.slice(0, n), [1, 1, n], sigma);
    expected.forEach((e, i) =>
      assert.ok(Math.abs((got[i] as number) - e) < 1e-12, `n=${n} σ=${sigma} [${i}]: ${got[i]} vs ${e}`),
    );
    // The same line along the other two axes gives the same values.
    const alongD = gaussianFilter3d(x.slice(0, n), [n, 1, 1], sigma);
    const alongH = gaussianFilter3d(x.slice(0, n), [1, n, 1], sigma);
    expected.forEach((e, i) =>
      assert.ok(Math.abs((alongD[i] as number) - e) < 1e-12 && Math.abs((alongH[i] as number) - e) < 1e-12),
    );
  }
});

test('3-D Gaussian filter matches scipy on a 3×4×5 array', () => {
  // a = (np.arange(60.).reshape(3,4,5) % 7) ** 2 - 3; ndi.gaussian_filter(a, 0.5, mode='mirror', truncate=4).ravel()
  const a = Array.from({ length: 60 }, (_, i) => (i % 7) ** 2 - 3);
  const want = [
    7.281605319546919, 4.765703983817066, 1.8947691130377646, 3.807161081579677, 7.909600921127563,
    18.576928194618006, 22.168298681731105, 7.504204190292755, 2.4679745519017167, 2.0237901670765073,
    7.188632393190822, 12.1312848089132, 17.219870961402936, 22.172218790663056, 9.962550208197278,
    0.06576448443957328, 2.9634467127738473, 8.369166244087094, 14.90838917994807, 16.52362030544919,
    20.701755128282645, 7.4342394655865185, 4.302417960129729, 1.8854760365457532, 3.806797704329545,
    14.518748485956777, 18.263915924320663, 20.574135217476208, 5.262211570607594, 2.4618946252192186,
    3.452279020467218, 7.262706066385309, 13.323135539557583, 18.26561305008362, 22.175584503449194,
    0.776186862607643, 0.4559074630973222, 3.9953828166804275, 9.709927750907926, 14.911773031028835,
    21.225262602328648, 20.69680444259483, 5.2791624382051054, 3.843719244880081, 1.7484812920151063,
    9.701089609259359, 14.52051792321355, 19.288730085384742, 18.97212238928205, 5.047479402264834,
    2.5407624465791523, 3.455374512816964, 8.441985077015074, 14.515256490638356, 18.577715956329147,
    15.068811769747207, 0.7779183350246861, 0.7620336725781649, 5.028971299250728, 9.738914289633556,
  ];
  const got = gaussianFilter3d(a, [3, 4, 5], 0.5);
  want.forEach((w, i) => assert.ok(Math.abs((got[i] as number) - w) < 1e-12, `[${i}] ${got[i]} vs ${w}`));
});

test('fused blur + pool equals blur then 2×2×2 mean on a small odd-sized volume', () => {
  const shape: [number, number, number] = [7, 9, 10];
  const img = Float64Array.from({ length: 630 }, (_, i) => 1 + ((i * 37) % 23) + Math.sin(i));
  const mask = new Uint8Array(630).fill(1);
  const out = preprocessVolume(
    { data: img, shape },
    { data: mask, shape },
    {
      crop: [
        [0, 7],
        [0, 9],
        [0, 10],
      ],
      targetShape: [3, 4, 5],
    },
  );
  const g = gaussianFilter3d(img, shape, 0.5);
  const pooled: number[] = [];
  for (let z = 0; z < 3; z++)
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 5; x++) {
        let s = 0;
        for (const dz of [0, 1])
          for (const dy of [0, 1])
            for (const dx of [0, 1]) s += g[((2 * z + dz) * 9 + 2 * y + dy) * 10 + 2 * x + dx] as number;
        pooled.push(s / 8);
      }
  const lo = Math.min(...pooled);
  const hi = Math.max(...pooled);
  pooled.forEach((p, i) =>
    assert.ok(Math.abs((out.data[i] as number) - (p - lo) / (hi - lo)) < 1e-6, `[${i}]`),
  );
});

test('an empty mask or a constant masked image is an EMPTY_MASK DataError, not NaN', () => {
  const shape: [number, number, number] = [8, 8, 8];
  const img = Float64Array.from({ length: 512 }, (_, i) => i);
  const crop: [[number, number], [number, number], [number, number]] = [
    [0, 8],
    [0, 8],
    [0, 8],
  ];
  const opts = { crop, targetShape: [4, 4, 4] as [number, number, number] };
  const empty = new Uint8Array(512);
  assert.throws(
    () => preprocessVolume({ data: img, shape }, { data: empty, shape }, opts),
    (e: unknown) =>
      e instanceof EmptyMaskError &&
      e instanceof DataError &&
      e.code === 'EMPTY_MASK' &&
      /no mask voxel > 0/.test(e.message),
  );
  const outside = new Uint8Array(512);
  outside[0] = 1;
  assert.throws(
    () =>
      preprocessVolume(
        { data: img, shape },
        { data: outside, shape },
        {
          ...opts,
          crop: [
            [1, 8],
            [0, 8],
            [0, 8],
          ],
          targetShape: [4, 4, 4],
        },
      ),
    (e: unknown) => e instanceof EmptyMaskError && /inside the crop window \[1:8, 0:8, 0:8\]/.test(e.message),
  );
  const zeros = new Float64Array(512);
  assert.throws(
    () => preprocessVolume({ data: zeros, shape }, { data: new Uint8Array(512).fill(1), shape }, opts),
    (e: unknown) => e instanceof EmptyMaskError && /constant/.test(e.message),
  );
  assert.throws(
    () =>
      preprocessVolume(
        { data: img, shape },
        { data: new Uint8Array(512).fill(2), shape },
        { ...opts, maskLabels: [1] },
      ),
    EmptyMaskError,
  );
});

test('bad shapes and options are typed errors', () => {
  const shape: [number, number, number] = [8, 8, 8];
  const img = new Float64Array(512).fill(1);
  const mask = new Uint8Array(512).fill(1);
  assert.throws(
    () => preprocessVolume({ data: img, shape }, { data: new Uint8Array(448), shape: [7, 8, 8] }),
    (e: unknown) =>
      e instanceof DataError &&
      /mask shape \[7, 8, 8\] does not match image shape \[8, 8, 8\]/.test((e as Error).message),
  );
  assert.throws(
    () => preprocessVolume({ data: img, shape: [8, 64] }, { data: mask, shape: [8, 64] }),
    DataError,
  );
  assert.throws(
    () => preprocessVolume({ data: img, shape }, { data: mask, shape }),
    (e: unknown) => e instanceof DataError && /exceeds the volume's size 8/.test((e as Error).message),
  );
  assert.throws(
    () =>
      preprocessVolume(
        { data: img, shape },
        { data: mask, shape },
        {
          crop: [
            [0, 8],
            [0, 8],
            [5, 4],
          ],
        },
      ),
    ValidationError,
  );
  assert.throws(
    () =>
      preprocessVolume(
        { data: img, shape },
        { data: mask, shape },
        {
          crop: [
            [0, 8],
            [0, 8],
            [0, 8],
          ],
          targetShape: [4, 4, 3],
        },
      ),
    (e: unknown) =>
      e instanceof ValidationError &&
      /smaller than the downsampled crop \[4, 4, 4\]/.test((e as Error).message),
  );
  const nan = Float64Array.from({ length: 512 }, (_, i) => (i === 100 ? NaN : i));
  assert.throws(
    () =>
      preprocessVolume(
        { data: nan, shape },
        { data: mask, shape },
        {
          crop: [
            [0, 8],
            [0, 8],
            [0, 8],
          ],
          targetShape: [4, 4, 4],
        },
      ),
    (e: unknown) => e instanceof DataError && /non-finite/.test((e as Error).message),
  );
});

test('PREPROCESSING_VERSION is a non-empty tag', () => {
  assert.match(PREPROCESSING_VERSION, /^ref-2\.3-v\d+$/);
});
