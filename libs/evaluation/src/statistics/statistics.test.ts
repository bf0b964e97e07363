import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@spottune/errors';
import { friedmanTest, nemenyiTest } from '../index.ts';
import { chiSquareSf, normalCdf } from './special-functions.ts';
import { studentizedRangeCdf, studentizedRangeIsf, studentizedRangeSf } from './studentized-range.ts';

// Expected values: SciPy 1.10.1 (Debian python3-scipy), produced by this script with /usr/bin/python3:
//   import json, numpy as np
//   from scipy.stats import friedmanchisquare, rankdata, studentized_range, chi2, norm
//   rng = np.random.default_rng(3)
//   mats = {
//     'noTies6x3': rng.permuted(np.tile(np.arange(3.0), (6, 1)), axis=1).tolist(),
//     'ties10x4': rng.integers(0, 3, size=(10, 4)).astype(float).tolist(),
//     'probs57x3': np.round(rng.random((57, 3)) + np.array([0.0, 0.1, 0.25]), 2).tolist(),
//     'allTiedRow8x3': [[1,1,1],[0.2,0.5,0.9],[0.3,0.3,0.8],[0.7,0.1,0.4],[0.5,0.6,0.7],[0.9,0.2,0.2],[0.1,0.4,0.6],[0.2,0.3,0.9]],
//   }
//   out = {}
//   for name, m in mats.items():
//     a = np.array(m); n, k = a.shape
//     st, p = friedmanchisquare(*a.T)
//     R = np.array([rankdata(r) for r in a]).mean(axis=0)
//     q = np.abs(R[:, None] - R[None, :]) / np.sqrt(k * (k + 1) / (6.0 * n))
//     pv = studentized_range.sf(q * np.sqrt(2), k, np.inf); np.fill_diagonal(pv, 1)
//     cd = studentized_range.isf(0.05, k, np.inf) / np.sqrt(2) * np.sqrt(k * (k + 1) / (6.0 * n))
//     out[name] = dict(matrix=m, statistic=st, pValue=p, meanRanks=R.tolist(), nemenyi=pv.tolist(), cd=cd)
//   dist = dict(
//     sr=[[q, k, studentized_range.cdf(q, k, np.inf), studentized_range.sf(q, k, np.inf)] for q, k in
//         [(0.5, 3), (1.0, 2), (2.0, 3), (3.314, 3), (4.5, 3), (6.0, 3), (8.0, 3), (3.0, 5), (5.5, 10), (7.0, 4)]],
//     isf=[[a, k, studentized_range.isf(a, k, np.inf)] for a, k in [(0.05, 3), (0.1, 3), (0.05, 5)]],
//     chi2=[[x, d, chi2.sf(x, d)] for x, d in [(0.5, 2), (3.0, 2), (10.2, 2), (40.0, 2), (7.5, 3), (25.0, 5), (0.01, 1)]],
//     norm=[[z, norm.cdf(z)] for z in [-8.0, -3.0, -0.5, 0.0, 0.7, 2.5, 6.0]],
//   )
//   out['distributions'] = dist
//   print(json.dumps(out))
interface MatrixCase {
  matrix: number[][];
  statistic: number;
  pValue: number;
  meanRanks: number[];
  nemenyi: number[][];
  cd: number;
}
const SCIPY: Record<string, MatrixCase> = {
  noTies6x3: {
    matrix: [
      [2.0, 1.0, 0.0],
      [0.0, 2.0, 1.0],
      [0.0, 1.0, 2.0],
      [2.0, 1.0, 0.0],
      [1.0, 0.0, 2.0],
      [1.0, 0.0, 2.0],
    ],
    statistic: 0.3333333333333286,
    pValue: 0.846481724890616,
    meanRanks: [2.0, 1.8333333333333333, 2.1666666666666665],
    nemenyi: [
      [1.0, 0.9551030947504966, 0.9551030947504967],
      [0.9551030947504966, 1.0, 0.8322292181161421],
      [0.9551030947504967, 0.8322292181161421, 1.0],
    ],
    cd: 1.353136164445458,
  },
  ties10x4: {
    matrix: [
      [0.0, 0.0, 2.0, 2.0],
      [0.0, 0.0, 1.0, 1.0],
      [2.0, 1.0, 1.0, 1.0],
      [1.0, 1.0, 0.0, 2.0],
      [2.0, 2.0, 2.0, 0.0],
      [0.0, 1.0, 1.0, 2.0],
      [2.0, 0.0, 2.0, 0.0],
      [0.0, 2.0, 2.0, 0.0],
      [0.0, 0.0, 0.0, 2.0],
      [1.0, 1.0, 0.0, 1.0],
    ],
    statistic: 1.256756756756766,
    pValue: 0.7394263078165672,
    meanRanks: [2.35, 2.3, 2.55, 2.8],
    nemenyi: [
      [1.0, 0.9997673644951752, 0.9857232855453056, 0.8638216725681662],
      [0.9997673644951752, 1.0, 0.9728042267350999, 0.822400663205452],
      [0.9857232855453056, 0.9728042267350999, 1.0, 0.9728042267350999],
      [0.8638216725681662, 0.822400663205452, 0.9728042267350999, 1.0],
    ],
    cd: 1.4832311854364129,
  },
  probs57x3: {
    matrix: [
      [0.77, 0.13, 0.96],
      [0.37, 0.19, 0.91],
      [0.93, 0.31, 0.88],
      [0.3, 0.84, 0.97],
      [0.22, 0.93, 0.91],
      [0.68, 0.92, 0.68],
      [0.76, 0.98, 0.35],
      [0.85, 0.49, 0.73],
      [0.15, 0.8, 0.54],
      [0.87, 0.38, 0.81],
      [0.4, 0.71, 0.45],
      [0.18, 0.85, 1.0],
      [0.57, 1.02, 0.46],
      [0.85, 0.27, 1.21],
      [0.62, 0.71, 1.22],
      [0.79, 0.89, 0.3],
      [0.37, 0.18, 0.44],
      [0.21, 0.96, 0.38],
      [0.3, 0.59, 1.1],
      [0.97, 0.81, 0.46],
      [0.54, 0.81, 0.3],
      [0.68, 0.47, 0.84],
      [0.67, 0.77, 0.77],
      [0.55, 0.3, 0.75],
      [0.13, 0.58, 0.79],
      [0.77, 0.49, 0.27],
      [0.53, 0.31, 0.99],
      [0.39, 0.48, 1.16],
      [0.39, 0.45, 0.6],
      [0.48, 0.19, 0.8],
      [0.92, 0.66, 0.99],
      [0.95, 0.94, 0.99],
      [0.81, 0.92, 0.5],
      [0.48, 0.44, 0.51],
      [0.57, 0.42, 0.87],
      [0.58, 0.2, 0.69],
      [0.39, 0.81, 0.34],
      [0.17, 0.61, 0.65],
      [0.67, 0.43, 0.45],
      [0.93, 0.34, 0.4],
      [0.28, 0.44, 0.48],
      [0.54, 1.04, 0.38],
      [0.42, 0.77, 1.13],
      [1.0, 0.24, 0.79],
      [0.88, 0.15, 0.84],
      [0.17, 0.87, 1.19],
      [0.54, 0.11, 0.31],
      [0.42, 0.95, 0.49],
      [0.67, 0.51, 0.52],
      [0.7, 0.41, 0.62],
      [0.77, 0.6, 1.03],
      [0.52, 0.26, 0.69],
      [0.87, 0.66, 1.21],
      [0.0, 0.44, 1.02],
      [0.69, 0.66, 0.91],
      [0.88, 0.78, 0.8],
      [0.56, 0.77, 0.57],
    ],
    statistic: 11.053097345132699,
    pValue: 0.003979700663992481,
    meanRanks: [1.8859649122807018, 1.763157894736842, 2.3508771929824563],
    nemenyi: [
      [1.0, 0.789180202774448, 0.03489123957053508],
      [0.789180202774448, 1.0, 0.004849478082816772],
      [0.03489123957053508, 0.004849478082816772, 1.0],
    ],
    cd: 0.4390153431595429,
  },
  allTiedRow8x3: {
    matrix: [
      [1, 1, 1],
      [0.2, 0.5, 0.9],
      [0.3, 0.3, 0.8],
      [0.7, 0.1, 0.4],
      [0.5, 0.6, 0.7],
      [0.9, 0.2, 0.2],
      [0.1, 0.4, 0.6],
      [0.2, 0.3, 0.9],
    ],
    statistic: 4.6923076923076925,
    pValue: 0.09573667298404157,
    meanRanks: [1.6875, 1.75, 2.5625],
    nemenyi: [
      [1.0, 0.9914227665804022, 0.18675814190038842],
      [0.9914227665804022, 1.0, 0.23504003030464438],
      [0.18675814190038842, 0.23504003030464438, 1.0],
    ],
    cd: 1.1718502931892045,
  },
};
const DIST: {
  sr: [number, number, number, number][];
  isf: [number, number, number][];
  chi2: [number, number, number][];
  norm: [number, number][];
} = {
  sr: [
    [0.5, 3, 0.06657805486471302, 0.933421945135287],
    [1.0, 2, 0.5204998778130465, 0.4795001221869535],
    [2.0, 3, 0.66650067495985, 0.33349932504015],
    [3.314, 3, 0.94995585959389, 0.05004414040611005],
    [4.5, 3, 0.9958238871982444, 0.00417611280175556],
    [6.0, 3, 0.9999344265015668, 6.557349843316906e-5],
    [8.0, 3, 0.9999999537856129, 4.6214387094956066e-8],
    [3.0, 5, 0.789123495036462, 0.21087650496353805],
    [5.5, 10, 0.9960165795817926, 0.003983420418207428],
    [7.0, 4, 0.9999955691770156, 4.43082298440256e-6],
  ],
  isf: [
    [0.05, 3, 3.314493155398122],
    [0.1, 3, 2.9023802134282515],
    [0.05, 5, 3.857655510378623],
  ],
  chi2: [
    [0.5, 2, 0.7788007830714049],
    [3.0, 2, 0.22313016014842982],
    [10.2, 2, 0.0060967465655156405],
    [40.0, 2, 2.0611536224385566e-9],
    [7.5, 3, 0.0575584519726364],
    [25.0, 5, 0.0001393337911856263],
    [0.01, 1, 0.920344325445942],
  ],
  norm: [
    [-8.0, 6.22096057427174e-16],
    [-3.0, 0.0013498980316300933],
    [-0.5, 0.3085375387259869],
    [0.0, 0.5],
    [0.7, 0.758036347776927],
    [2.5, 0.9937903346742238],
    [6.0, 0.9999999990134123],
  ],
};

function rel(actual: number, expected: number, tol: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  assert.ok(err <= tol, `${what}: ${actual} vs ${expected} (relative error ${err})`);
}

test('normal CDF and chi-square survival match scipy', () => {
  for (const [z, p] of DIST.norm) rel(normalCdf(z), p, 1e-12, `Φ(${z})`);
  for (const [x, df, p] of DIST.chi2) rel(chiSquareSf(x, df), p, 1e-12, `χ²sf(${x}, ${df})`);
});

test('studentized range (df = ∞) CDF, SF and ISF match scipy.stats.studentized_range', () => {
  for (const [q, k, cdf, sf] of DIST.sr) {
    rel(studentizedRangeCdf(q, k), cdf, 1e-9, `cdf(${q}, ${k})`);
    rel(studentizedRangeSf(q, k), sf, 1e-7, `sf(${q}, ${k})`);
  }
  for (const [alpha, k, q] of DIST.isf) rel(studentizedRangeIsf(alpha, k), q, 1e-8, `isf(${alpha}, ${k})`);
});

for (const [name, c] of Object.entries(SCIPY)) {
  test(`Friedman and Nemenyi match scipy: ${name}`, () => {
    const f = friedmanTest(c.matrix);
    rel(f.statistic, c.statistic, 1e-10, 'statistic');
    rel(f.pValue, c.pValue, 1e-9, 'pValue');
    assert.equal(f.df, c.matrix[0]!.length - 1);
    f.meanRanks.forEach((r, j) => rel(r, c.meanRanks[j]!, 1e-12, `meanRank[${j}]`));
    const nem = nemenyiTest(c.matrix);
    nem.pValues.forEach((row, i) => row.forEach((p, j) => rel(p, c.nemenyi[i]![j]!, 1e-7, `p[${i}][${j}]`)));
    rel(nem.criticalDifference, c.cd, 1e-8, 'critical difference');
  });
}

test('Nemenyi p-values are not capped at 0.9 (statsmodels psturng did that)', () => {
  const nem = nemenyiTest(SCIPY.noTies6x3!.matrix);
  assert.ok(nem.pValues[0]![1]! > 0.95);
  assert.deepEqual(
    nem.pValues.map((row, i) => row[i]),
    [1, 1, 1],
  );
  assert.equal(nem.pValues[0]![2], nem.pValues[2]![0]);
});

test('Friedman: hand-computed case without ties', () => {
  // 4 blocks, treatment 3 always largest, 1 always smallest: rank sums 4, 8, 12;
  // χ² = 12/(4·3·4)·(16 + 64 + 144) − 3·4·4 = 56 − 48 = 8, p = e^(−4) (χ² with 2 df).
  const f = friedmanTest([
    [1, 2, 3],
    [0.1, 0.5, 0.9],
    [5, 6, 7],
    [-1, 0, 1],
  ]);
  rel(f.statistic, 8, 1e-12, 'statistic');
  rel(f.pValue, Math.exp(-4), 1e-12, 'pValue');
});

test("the paper's design: 57 patient blocks × 3 networks reach p = e^(−57) at most (§9)", () => {
  // Same order in every block: rank sums 57, 114, 171 → χ² = 12/(57·3·4)·(57² + 114² + 171²) − 3·57·4 = 114 = 2n,
  // and χ² with 2 df has sf(x) = e^(−x/2).
  const f = friedmanTest(Array.from({ length: 57 }, (_, i) => [i, i + 0.5, i + 0.9]));
  rel(f.statistic, 114, 1e-12, 'statistic');
  rel(f.pValue, Math.exp(-57), 1e-10, 'pValue');
});

test('every block fully tied → NaN, and bad matrices are rejected', () => {
  const f = friedmanTest([
    [1, 1, 1],
    [2, 2, 2],
  ]);
  assert.ok(Number.isNaN(f.statistic) && Number.isNaN(f.pValue));
  assert.throws(() => friedmanTest([[1, 2]]), ValidationError);
  assert.throws(() => friedmanTest([]), ValidationError);
  assert.throws(
    () =>
      friedmanTest([
        [1, 2, 3],
        [1, 2],
      ]),
    ValidationError,
  );
  assert.throws(() => nemenyiTest([[1, NaN, 3]]), ValidationError);
});
