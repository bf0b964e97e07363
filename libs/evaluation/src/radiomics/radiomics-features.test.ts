import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@spottune/errors';
import { discretiseFixedBinWidth } from './discretise.ts';
import {
  extractRadiomicsFeatures,
  radiomicsSettingsHash,
  RADIOMICS_FEATURE_NAMES,
} from './extract-features.ts';
import { firstOrderEnergy, firstOrderSkewness } from './first-order.ts';
import { DIRECTIONS_13, NEIGHBOURS_26, regionMask } from './roi.ts';
import {
  glcmContrast,
  glszmGrayLevelVariance,
  glszmLowGrayLevelZoneEmphasis,
  ngtdm,
  ngtdmBusyness,
  sizeZones,
} from './texture-features.ts';

function close(actual: number, expected: number, what: string, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}
const levels = (values: number[]): Int32Array => Int32Array.from(values);

test('13 unique directions, 26 neighbours', () => {
  assert.equal(DIRECTIONS_13.length, 13);
  assert.equal(new Set(NEIGHBOURS_26.map((o) => o.join())).size, 26);
  assert.ok(!NEIGHBOURS_26.some(([a, b, c]) => a === 0 && b === 0 && c === 0));
});

test('fixed-bin-width discretisation as pyradiomics (edges from floor(min/25)·25, digitize)', () => {
  // min = −30 → low edge = floor(−30/25)·25 = −50 (Python: −30 − (−30 % 25) = −30 − 20 = −50).
  // level = floor((x + 50)/25) + 1: −30→1, −25→2, −0.5→2, 0→3, 24.9→3, 25→4, 60→5; the 999 is outside the ROI.
  const image = [-30, -25, -0.5, 0, 24.9, 25, 60, 999];
  const mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 0]);
  assert.deepEqual([...discretiseFixedBinWidth(image, mask, { binWidth: 25 })], [1, 2, 2, 3, 3, 4, 5, 0]);
  // binMinimum = −100 shifts every level by 2; binWidth 10 from low = −30: floor((x + 30)/10) + 1.
  assert.deepEqual(
    [...discretiseFixedBinWidth(image, mask, { binWidth: 25, binMinimum: -100 })],
    [3, 4, 4, 5, 5, 6, 7, 0],
  );
  assert.deepEqual([...discretiseFixedBinWidth(image, mask, { binWidth: 10 })], [1, 1, 3, 4, 6, 6, 10, 0]);
  assert.throws(() => discretiseFixedBinWidth(image, mask, { binWidth: 0 }), ValidationError);
});

test('first-order energy and skewness (population moments)', () => {
  // ROI values 1, 2, 3, 10 (the 50 is outside): energy = 1 + 4 + 9 + 100 = 114; shift c = 1 → 4 + 9 + 16 + 121 = 150.
  // mean 4, deviations −3, −2, −1, 6: μ₂ = (9 + 4 + 1 + 36)/4 = 12.5, μ₃ = (−27 − 8 − 1 + 216)/4 = 45,
  // skewness = 45 / 12.5^1.5 = 45 / 44.194173824159216 = 1.0182337649086284.
  const image = [1, 2, 50, 3, 10];
  const mask = Uint8Array.from([1, 1, 0, 1, 1]);
  assert.equal(firstOrderEnergy(image, mask), 114);
  assert.equal(firstOrderEnergy(image, mask, 1), 150);
  close(firstOrderSkewness(image, mask), 45 / 12.5 ** 1.5, 'skewness');
  close(firstOrderSkewness(image, mask), 1.0182337649086284, 'skewness value', 1e-12);
  assert.equal(firstOrderSkewness([7, 7, 7], Uint8Array.from([1, 1, 1])), 0); // flat region → 0
  assert.ok(Number.isNaN(firstOrderEnergy([1], Uint8Array.from([0]))));
});

test('GLCM contrast on a 1×2×3 slice: 4 in-plane directions have pairs, the 9 through-plane are empty', () => {
  // levels (y rows, x columns):  1 2 3
  //                              2 2 1
  // θ = x+1: pairs (1,2) (2,3) (2,2) (2,1). Symmetric P + Pᵀ: P(1,2) = P(2,1) = 2, P(2,3) = P(3,2) = 1, P(2,2) = 2,
  //   total 8; contrast = (2·1 + 2·1 + 1·1 + 1·1 + 2·0)/8 = 6/8 = 0.75.
  // θ = y+1: pairs (1,2) (2,2) (3,1) → (1 + 0 + 4)/3 = 5/3.
  // θ = (y+1, x+1): (1,2) (2,1) → 2/2 = 1.   θ = (y+1, x−1): (2,2) (3,2) → 1/2.
  // Mean over the 4 non-empty directions: (9/12 + 20/12 + 12/12 + 6/12)/4 = 47/48.
  close(glcmContrast(levels([1, 2, 3, 2, 2, 1]), [1, 2, 3]), 47 / 48, 'contrast');
});

test('GLCM contrast in 3-D (2×2×2): in-plane pairs equal, every through-plane pair differs by 1', () => {
  // z = 0 all level 1, z = 1 all level 2. The 4 directions with dz = 0 have contrast 0; the 9 with dz = 1
  // pair a level-1 with a level-2 voxel only, contrast 1 each. All 13 are non-empty: mean = 9/13.
  close(glcmContrast(levels([1, 1, 1, 1, 2, 2, 2, 2]), [2, 2, 2]), 9 / 13, 'contrast');
  // A voxel outside the ROI (0) breaks its pairs: a single ROI voxel has no pair at all → NaN.
  assert.ok(Number.isNaN(glcmContrast(levels([0, 0, 3, 0]), [1, 2, 2])));
});

test('GLSZM zones use 26-connectivity (diagonal and through-plane neighbours join a zone)', () => {
  // 1×3×3, 0 = outside:  1 0 1
  //                      0 1 0
  //                      1 0 2
  // The four 1s touch the centre diagonally → one zone of size 4; the 2 is its own zone (6-connectivity would give 5 zones).
  const a = levels([1, 0, 1, 0, 1, 0, 1, 0, 2]);
  assert.deepEqual(sizeZones(a, [1, 3, 3]), [
    { level: 1, size: 4 },
    { level: 2, size: 1 },
  ]);
  // GLSZM P(1, 4) = 1, P(2, 1) = 1, N_z = 2: μ = (1 + 2)/2 = 1.5, GLV = (0.25 + 0.25)/2 = 0.25;
  // LGLZE = (1/1² + 1/2²)/2 = 0.625.
  close(glszmGrayLevelVariance(a, [1, 3, 3]), 0.25, 'GLV');
  close(glszmLowGrayLevelZoneEmphasis(a, [1, 3, 3]), 0.625, 'LGLZE');
  // 2×2×2 (z-slices):  z0 = [1 1; 2 0], z1 = [2 3; 1 1]. All voxels of a 2×2×2 block are 26-adjacent, so each
  // level is one zone: (1, size 4), (2, size 2), (3, size 1). N_z = 3, μ = 2, GLV = (1 + 0 + 1)/3 = 2/3,
  // LGLZE = (1 + 1/4 + 1/9)/3 = 49/108.
  const b = levels([1, 1, 2, 0, 2, 3, 1, 1]);
  assert.deepEqual(sizeZones(b, [2, 2, 2]), [
    { level: 1, size: 4 },
    { level: 2, size: 2 },
    { level: 3, size: 1 },
  ]);
  close(glszmGrayLevelVariance(b, [2, 2, 2]), 2 / 3, 'GLV 3-D');
  close(glszmLowGrayLevelZoneEmphasis(b, [2, 2, 2]), 49 / 108, 'LGLZE 3-D');
  // Two separate zones of the same level count twice: 1×1×5 = [1 1 0 1 2] → zones (1,2), (1,1), (2,1):
  // μ = 4/3, GLV = (1/9 + 1/9 + 4/9)/3 = 2/9.
  close(glszmGrayLevelVariance(levels([1, 1, 0, 1, 2]), [1, 1, 5]), 2 / 9, 'GLV split zones');
});

test('NGTDM and busyness: the pyradiomics documentation example (4×4, one slice)', () => {
  // I = 1 2 5 2 / 3 5 1 3 / 1 3 5 5 / 3 1 1 1, all in the ROI; in one slice the 26-neighbourhood is the
  // 8 in-plane neighbours. Neighbour sums/counts per voxel (row-major):
  //   1:10/3 2:15/5 5:13/5 2:9/3 | 3:12/5 5:21/8 1:30/8 3:18/5 | 1:15/5 3:20/8 5:20/8 5:11/5 | 3:5/3 1:13/5 1:15/5 1:11/3
  // s_1 = 7/3 + 11/4 + 2 + 8/5 + 2 + 8/3 = 13.35; s_2 = 1 + 1 = 2;
  // s_3 = 3/5 + 3/5 + 1/2 + 4/3 = 91/30 (the docs print 2.63 from a mistyped 14/5; their table's s_1, s_2, s_5 match);
  // s_5 = 12/5 + 19/8 + 5/2 + 14/5 = 10.075. n = 6, 2, 4, 4 (N = 16).
  // Σ p_i s_i = (6·13.35 + 2·2 + 4·91/30 + 4·10.075)/16 = 128/15;
  // i·p_i = 6/16, 4/16, 12/16, 20/16 → Σ_i Σ_j |i p_i − j p_j| = 2·(2 + 6 + 14 + 8 + 16 + 8)/16 = 27/4;
  // busyness = (128/15)/(27/4) = 512/405.
  const img = levels([1, 2, 5, 2, 3, 5, 1, 3, 1, 3, 5, 5, 3, 1, 1, 1]);
  const rows = ngtdm(img, [1, 4, 4]);
  assert.deepEqual(
    rows.map((r) => [r.level, r.n]),
    [
      [1, 6],
      [2, 2],
      [3, 4],
      [5, 4],
    ],
  );
  [13.35, 2, 91 / 30, 10.075].forEach((s, k) => close(rows[k]!.s, s, `s_${rows[k]!.level}`, 1e-12));
  close(ngtdmBusyness(img, [1, 4, 4]), 512 / 405, 'busyness');
});

test('NGTDM: isolated ROI voxels count in n_i with zero difference (pyradiomics C code); one level → busyness 0', () => {
  // 1×1×4 = [2, 0, 1, 1]: the 2 has no ROI neighbour → n_2 = 1, s_2 = 0. The 1s see each other: s_1 = 0.
  // p = (1/3 for level 2, 2/3 for level 1): i·p = 2/3 and 2/3 → denominator 0 → busyness 0 by convention.
  const rows = ngtdm(levels([2, 0, 1, 1]), [1, 1, 4]);
  assert.deepEqual(rows, [
    { level: 1, n: 2, s: 0 },
    { level: 2, n: 1, s: 0 },
  ]);
  assert.equal(ngtdmBusyness(levels([2, 0, 1, 1]), [1, 1, 4]), 0);
  // 1×1×3 = [1, 2, 2]: Ā = 2 for the 1 (s_1 = 1), Ā = (1 + 2)/2 and 2 for the 2s (s_2 = 1/2 + 0).
  // p = 1/3, 2/3; Σ p s = 1/3 + 1/3 = 2/3; i·p = 1/3, 4/3 → Σ|·| = 2·1 = 2 → busyness = 1/3.
  close(ngtdmBusyness(levels([1, 2, 2]), [1, 1, 3]), 1 / 3, 'busyness');
});

test('extractRadiomicsFeatures routes each feature to its modality and region', () => {
  // 1×2×4 volume; labels: 1 necrotic, 2 oedema, 4 enhancing, 0 background.
  const shape = [1, 2, 4] as const;
  const mask = [1, 1, 4, 2, 4, 4, 2, 0];
  const ramp = (k: number): Float32Array => Float32Array.from({ length: 8 }, (_, i) => (i + 1) * k);
  const input = { T1: ramp(10), T1GD: ramp(20), T2: ramp(30), FLAIR: ramp(40), mask, shape };
  const f = extractRadiomicsFeatures(input, { binWidth: 25 });
  assert.deepEqual(Object.keys(f), [...RADIOMICS_FEATURE_NAMES]);
  const region = (labels: number[]): Uint8Array => regionMask(mask, labels);
  const core = region([1, 4]);
  close(f.T1_core_firstorder_Skewness!, firstOrderSkewness(input.T1, core), 'skewness');
  // oedema voxels 3 and 6 of T1: 40 and 70 → energy 1600 + 4900.
  assert.equal(f.T1_oedema_firstorder_Energy, 6500);
  const disc = (img: Float32Array, m: Uint8Array): Int32Array =>
    discretiseFixedBinWidth(img, m, { binWidth: 25 });
  close(f.FLAIR_necrotic_glcm_Contrast!, glcmContrast(disc(input.FLAIR, region([1])), shape), 'glcm');
  // necrotic FLAIR 40, 80 → low edge 25: levels 1, 3 (one x-pair) → contrast 4.
  assert.equal(f.FLAIR_necrotic_glcm_Contrast, 4);
  close(
    f.T1GD_enhancing_glszm_GrayLevelVariance!,
    glszmGrayLevelVariance(disc(input.T1GD, region([4])), shape),
    'glv',
  );
  close(
    f.T2_oedema_glszm_LowGrayLevelZoneEmphasis!,
    glszmLowGrayLevelZoneEmphasis(disc(input.T2, region([2])), shape),
    'lglze',
  );
  close(f.T2_core_ngtdm_Busyness!, ngtdmBusyness(disc(input.T2, core), shape), 'busyness');
});

test('an empty region gives NaN; bad input is rejected; the settings hash tracks the settings', () => {
  const shape = [1, 1, 3] as const;
  const img = Float32Array.from([10, 20, 30]);
  const f = extractRadiomicsFeatures({ T1: img, T1GD: img, T2: img, FLAIR: img, mask: [2, 4, 4], shape });
  assert.ok(Number.isNaN(f.FLAIR_necrotic_glcm_Contrast!));
  assert.ok(Number.isFinite(f.T1_core_firstorder_Skewness!));
  assert.throws(
    () => extractRadiomicsFeatures({ T1: img, T1GD: img, T2: img, FLAIR: img, mask: [2, 4], shape }),
    ValidationError,
  );
  assert.equal(radiomicsSettingsHash(), radiomicsSettingsHash({ binWidth: 25, voxelArrayShift: 0 }));
  assert.notEqual(radiomicsSettingsHash(), radiomicsSettingsHash({ binWidth: 10 }));
  assert.match(radiomicsSettingsHash(), /^[0-9a-f]{64}$/);
});
