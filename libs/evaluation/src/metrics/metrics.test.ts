import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@spottune/errors';
import {
  accuracy,
  auc,
  averagePrecision,
  binaryMetrics,
  metricM,
  prCurve,
  rocCurve,
  sensitivity,
  specificity,
} from '../index.ts';

// Expected values: scikit-learn 1.2.1 (Debian python3-sklearn), produced by this script with /usr/bin/python3:
//   import json, numpy as np
//   from sklearn.metrics import roc_auc_score, average_precision_score, recall_score, accuracy_score, roc_curve, precision_recall_curve
//   rng = np.random.default_rng(7)
//   y57 = (rng.random(57) < 24/57).astype(int).tolist()
//   s57 = np.round(rng.random(57), 2).tolist()  # 2 decimals -> many ties
//   cases = {
//     'simple': ([0,0,1,1],[0.1,0.4,0.35,0.8]),
//     'ties': ([1,0,1,0,1,1,0,0,1,0],[0.5,0.5,0.7,0.2,0.5,0.9,0.7,0.1,0.3,0.3]),
//     'imbalanced': ([0]*17+[1]*3, [0.05,0.1,0.2,0.2,0.3,0.5,0.5,0.55,0.6,0.1,0.05,0.4,0.45,0.7,0.2,0.3,0.9,0.5,0.2,0.95]),
//     'random57': (y57, s57),
//   }
//   out = {}
//   for k,(y,s) in cases.items():
//     y=np.array(y); s=np.array(s); pred=(s>0.5).astype(int)
//     fpr,tpr,th=roc_curve(y,s,drop_intermediate=False)
//     pr,rc,pth=precision_recall_curve(y,s)
//     out[k]=dict(y=y.tolist(), s=s.tolist(), auc=roc_auc_score(y,s), ap=average_precision_score(y,s),
//       sen=recall_score(y,pred), spe=recall_score(1-y,1-pred), acc=accuracy_score(y,pred),
//       roc=dict(fpr=fpr.tolist(),tpr=tpr.tolist(),thresholds=th.tolist()),
//       pr=dict(precision=pr.tolist(),recall=rc.tolist(),thresholds=pth.tolist()))
//   print(json.dumps(out))
interface Case {
  y: number[];
  s: number[];
  auc: number;
  ap: number;
  sen: number;
  spe: number;
  acc: number;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
}
const SKLEARN: Record<string, Case> = {
  simple: {
    y: [0, 0, 1, 1],
    s: [0.1, 0.4, 0.35, 0.8],
    auc: 0.75,
    ap: 0.8333333333333333,
    sen: 0.5,
    spe: 1.0,
    acc: 0.75,
    roc: {
      fpr: [0.0, 0.0, 0.5, 0.5, 1.0],
      tpr: [0.0, 0.5, 0.5, 1.0, 1.0],
      thresholds: [1.8, 0.8, 0.4, 0.35, 0.1],
    },
    pr: {
      precision: [0.5, 0.6666666666666666, 0.5, 1.0, 1.0],
      recall: [1.0, 1.0, 0.5, 0.5, 0.0],
      thresholds: [0.1, 0.35, 0.4, 0.8],
    },
  },
  ties: {
    y: [1, 0, 1, 0, 1, 1, 0, 0, 1, 0],
    s: [0.5, 0.5, 0.7, 0.2, 0.5, 0.9, 0.7, 0.1, 0.3, 0.3],
    auc: 0.76,
    ap: 0.7249999999999999,
    sen: 0.4,
    spe: 0.8,
    acc: 0.6,
    roc: {
      fpr: [0.0, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
      tpr: [0.0, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0],
      thresholds: [1.9, 0.9, 0.7, 0.5, 0.3, 0.2, 0.1],
    },
    pr: {
      precision: [0.5, 0.5555555555555556, 0.625, 0.6666666666666666, 0.6666666666666666, 1.0, 1.0],
      recall: [1.0, 1.0, 1.0, 0.8, 0.4, 0.2, 0.0],
      thresholds: [0.1, 0.2, 0.3, 0.5, 0.7, 0.9],
    },
  },
  imbalanced: {
    y: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
    s: [
      0.05, 0.1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.55, 0.6, 0.1, 0.05, 0.4, 0.45, 0.7, 0.2, 0.3, 0.9, 0.5, 0.2, 0.95,
    ],
    auc: 0.6764705882352942,
    ap: 0.47916666666666663,
    sen: 0.3333333333333333,
    spe: 0.7647058823529411,
    acc: 0.7,
    roc: {
      fpr: [
        0.0, 0.0, 0.058823529411764705, 0.11764705882352941, 0.17647058823529413, 0.23529411764705882,
        0.35294117647058826, 0.4117647058823529, 0.47058823529411764, 0.5882352941176471, 0.7647058823529411,
        0.8823529411764706, 1.0,
      ],
      tpr: [
        0.0, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333,
        0.3333333333333333, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666,
        1.0, 1.0, 1.0,
      ],
      thresholds: [1.95, 0.95, 0.9, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.2, 0.1, 0.05],
    },
    pr: {
      precision: [
        0.15, 0.16666666666666666, 0.1875, 0.16666666666666666, 0.2, 0.2222222222222222, 0.25, 0.2, 0.25,
        0.3333333333333333, 0.5, 1.0, 1.0,
      ],
      recall: [
        1.0, 1.0, 1.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666,
        0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333,
        0.0,
      ],
      thresholds: [0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.9, 0.95],
    },
  },
  random57: {
    y: [
      0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0,
      1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 0,
    ],
    s: [
      0.38, 0.98, 0.59, 0.61, 0.64, 0.68, 0.15, 0.44, 0.24, 0.4, 0.1, 0.97, 0.22, 0.67, 0.3, 0.87, 0.66, 0.13,
      0.85, 0.94, 0.9, 0.57, 0.15, 0.19, 0.93, 0.55, 0.18, 0.88, 0.64, 0.57, 0.38, 0.41, 0.24, 0.04, 0.88,
      0.47, 0.55, 0.32, 0.75, 0.03, 0.37, 0.03, 0.12, 0.97, 0.66, 0.43, 0.52, 0.87, 0.34, 0.59, 0.68, 0.36,
      0.52, 0.77, 0.91, 0.15, 0.93,
    ],
    auc: 0.41287878787878785,
    ap: 0.3849587908821105,
    sen: 0.5,
    spe: 0.42424242424242425,
    acc: 0.45614035087719296,
    roc: {
      fpr: [
        0.0, 0.030303030303030304, 0.06060606060606061, 0.09090909090909091, 0.12121212121212122,
        0.12121212121212122, 0.12121212121212122, 0.18181818181818182, 0.24242424242424243,
        0.2727272727272727, 0.2727272727272727, 0.30303030303030304, 0.3333333333333333, 0.36363636363636365,
        0.42424242424242425, 0.45454545454545453, 0.45454545454545453, 0.5151515151515151, 0.5454545454545454,
        0.5757575757575758, 0.5757575757575758, 0.5757575757575758, 0.6060606060606061, 0.6363636363636364,
        0.6363636363636364, 0.6666666666666666, 0.7272727272727273, 0.7272727272727273, 0.7575757575757576,
        0.7878787878787878, 0.7878787878787878, 0.8181818181818182, 0.8484848484848485, 0.8484848484848485,
        0.8484848484848485, 0.8787878787878788, 0.9090909090909091, 0.9393939393939394, 0.9696969696969697,
        0.9696969696969697, 0.9696969696969697, 1.0,
      ],
      tpr: [
        0.0, 0.0, 0.041666666666666664, 0.041666666666666664, 0.08333333333333333, 0.125, 0.16666666666666666,
        0.16666666666666666, 0.16666666666666666, 0.16666666666666666, 0.20833333333333334,
        0.20833333333333334, 0.25, 0.25, 0.25, 0.2916666666666667, 0.3333333333333333, 0.3333333333333333,
        0.375, 0.4166666666666667, 0.5, 0.5416666666666666, 0.5416666666666666, 0.5416666666666666,
        0.5833333333333334, 0.5833333333333334, 0.5833333333333334, 0.625, 0.625, 0.625, 0.6666666666666666,
        0.6666666666666666, 0.7083333333333334, 0.75, 0.7916666666666666, 0.7916666666666666, 0.875, 0.875,
        0.875, 0.9166666666666666, 0.9583333333333334, 1.0,
      ],
      thresholds: [
        1.98, 0.98, 0.97, 0.94, 0.93, 0.91, 0.9, 0.88, 0.87, 0.85, 0.77, 0.75, 0.68, 0.67, 0.66, 0.64, 0.61,
        0.59, 0.57, 0.55, 0.52, 0.47, 0.44, 0.43, 0.41, 0.4, 0.38, 0.37, 0.36, 0.34, 0.32, 0.3, 0.24, 0.22,
        0.19, 0.18, 0.15, 0.13, 0.12, 0.1, 0.04, 0.03,
      ],
    },
    pr: {
      precision: [
        0.42105263157894735, 0.41818181818181815, 0.4074074074074074, 0.39622641509433965,
        0.40384615384615385, 0.4117647058823529, 0.3958333333333333, 0.40425531914893614, 0.391304347826087,
        0.37777777777777777, 0.37209302325581395, 0.38095238095238093, 0.36585365853658536, 0.375,
        0.38461538461538464, 0.3684210526315789, 0.3888888888888889, 0.4, 0.38235294117647056,
        0.3939393939393939, 0.40625, 0.3870967741935484, 0.3448275862068966, 0.3333333333333333, 0.32,
        0.34782608695652173, 0.3181818181818182, 0.3, 0.3333333333333333, 0.35294117647058826,
        0.3333333333333333, 0.35714285714285715, 0.3076923076923077, 0.3333333333333333, 0.4, 0.5,
        0.42857142857142855, 0.3333333333333333, 0.25, 0.3333333333333333, 0.0, 1.0,
      ],
      recall: [
        1.0, 0.9583333333333334, 0.9166666666666666, 0.875, 0.875, 0.875, 0.7916666666666666,
        0.7916666666666666, 0.75, 0.7083333333333334, 0.6666666666666666, 0.6666666666666666, 0.625, 0.625,
        0.625, 0.5833333333333334, 0.5833333333333334, 0.5833333333333334, 0.5416666666666666,
        0.5416666666666666, 0.5416666666666666, 0.5, 0.4166666666666667, 0.375, 0.3333333333333333,
        0.3333333333333333, 0.2916666666666667, 0.25, 0.25, 0.25, 0.20833333333333334, 0.20833333333333334,
        0.16666666666666666, 0.16666666666666666, 0.16666666666666666, 0.16666666666666666, 0.125,
        0.08333333333333333, 0.041666666666666664, 0.041666666666666664, 0.0, 0.0,
      ],
      thresholds: [
        0.03, 0.04, 0.1, 0.12, 0.13, 0.15, 0.18, 0.19, 0.22, 0.24, 0.3, 0.32, 0.34, 0.36, 0.37, 0.38, 0.4,
        0.41, 0.43, 0.44, 0.47, 0.52, 0.55, 0.57, 0.59, 0.61, 0.64, 0.66, 0.67, 0.68, 0.75, 0.77, 0.85, 0.87,
        0.88, 0.9, 0.91, 0.93, 0.94, 0.97, 0.98,
      ],
    },
  },
};

function close(actual: number, expected: number, what: string, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}
function closeAll(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  actual.forEach((a, i) => close(a, expected[i]!, `${what}[${i}]`));
}

for (const [name, c] of Object.entries(SKLEARN)) {
  test(`metrics match scikit-learn: ${name}`, () => {
    close(auc(c.y, c.s), c.auc, 'auc');
    close(averagePrecision(c.y, c.s), c.ap, 'ap');
    close(sensitivity(c.y, c.s), c.sen, 'sen');
    close(specificity(c.y, c.s), c.spe, 'spe');
    close(accuracy(c.y, c.s), c.acc, 'acc');
    // Typed arrays work as well as plain ones.
    const m = binaryMetrics(Uint8Array.from(c.y), Float64Array.from(c.s));
    close(m.auc, c.auc, 'binaryMetrics.auc');
    close(m.ap, c.ap, 'binaryMetrics.ap');
    close(m.m, 0.6 * (c.sen - 0.5) + 0.4 * (c.spe - 0.5), 'binaryMetrics.m');
    assert.equal(m.n, c.y.length);
    assert.equal(m.positives, c.y.filter((v) => v === 1).length);
  });
  test(`curves match scikit-learn: ${name}`, () => {
    const roc = rocCurve(c.y, c.s);
    closeAll(roc.fpr, c.roc.fpr, 'fpr');
    closeAll(roc.tpr, c.roc.tpr, 'tpr');
    closeAll(roc.thresholds, c.roc.thresholds, 'roc thresholds');
    const pr = prCurve(c.y, c.s);
    closeAll(pr.precision, c.pr.precision, 'precision');
    closeAll(pr.recall, c.pr.recall, 'recall');
    closeAll(pr.thresholds, c.pr.thresholds, 'pr thresholds');
  });
}

test('the threshold is strict: p = 0.5 is predicted negative', () => {
  assert.equal(sensitivity([1, 1], [0.5, 0.51]), 0.5);
  assert.equal(specificity([0, 0], [0.5, 0.51]), 0.5);
  assert.equal(sensitivity([1, 1], [0.5, 0.51], 0.4), 1);
});

test('AUC does not depend on the order of tied scores', () => {
  const y = [1, 0, 1, 0, 1, 0];
  const s = [0.3, 0.3, 0.3, 0.8, 0.1, 0.1];
  const permuted = [5, 3, 1, 0, 2, 4];
  close(
    auc(
      permuted.map((i) => y[i]!),
      permuted.map((i) => s[i]!),
    ),
    auc(y, s),
    'permuted auc',
  );
  // Hand count: pairs (pos, neg) = 9; pos 0.3 vs neg 0.3 ties (3 × ½), pos 0.3 vs neg 0.1 wins (2), pos 0.1 vs neg 0.1 tie (½).
  close(auc(y, s), (2 * 1 + 2 * 0.5 + 0.5 + 0) / 9, 'hand auc');
});

test('single-class input gives NaN, not a number that looks valid', () => {
  assert.ok(Number.isNaN(auc([1, 1, 1], [0.2, 0.5, 0.9])));
  assert.ok(Number.isNaN(auc([0, 0], [0.2, 0.9])));
  assert.ok(Number.isNaN(averagePrecision([0, 0], [0.2, 0.9])));
  assert.ok(Number.isNaN(sensitivity([0, 0], [0.2, 0.9])));
  const m = binaryMetrics([1, 1], [0.7, 0.2]);
  assert.equal(m.sen, 0.5);
  assert.ok(Number.isNaN(m.spe));
  assert.ok(Number.isNaN(m.m));
});

test('invalid inputs raise ValidationError', () => {
  assert.throws(() => auc([0, 1], [0.5]), ValidationError);
  assert.throws(() => auc([], []), ValidationError);
  assert.throws(() => auc([0, 2], [0.1, 0.2]), ValidationError);
  assert.throws(() => binaryMetrics([0, 1], [0.1, NaN]), ValidationError);
  assert.throws(() => sensitivity([0, 1], [0.1, 0.2], NaN), ValidationError);
});

test('metricM is the reference checkpoint criterion', () => {
  close(metricM(0.6667, 0.6061), 0.6 * 0.1667 + 0.4 * 0.1061, 'M');
  assert.equal(metricM(0.5, 0.5), 0);
});
