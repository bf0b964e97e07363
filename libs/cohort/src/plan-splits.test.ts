import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spottune/random';
import {
  approximateMode,
  exportSplitsCsv,
  holdoutSizes,
  importSplitsCsv,
  kfoldAllocation,
  planSplits,
  stratifiedHoldoutCounts,
  type LabelledPatient,
} from './index.ts';

// Expected counts from scikit-learn 1.2.1 (Debian python3-sklearn), produced by:
//
// import numpy as np, json
// from sklearn.model_selection import train_test_split, StratifiedKFold
// out = {}
// for name, (m, u) in {'dsc': (81, 108), 'structNonDsc': (30, 43), 'dtiNonDsc': (12, 19), 'small': (5, 7), 'odd': (7, 2)}.items():
//     y = np.array([1]*m + [0]*u)
//     tr, te, ytr, yte = train_test_split(np.arange(len(y)), y, test_size=0.3, random_state=42, stratify=y)
//     out[name] = {'train': [int(ytr.sum()), int((ytr==0).sum())], 'test': [int(yte.sum()), int((yte==0).sum())]}
// for name, (m, u, first) in {'dscKfold': (57, 75, 1), 'structKfold': (78, 105, 1), 'k13': (6, 7, 1), 'k13u': (6, 7, 0)}.items():
//     y = np.array([first]*(m if first else u) + [1-first]*(u if first else m))
//     out[name] = [[int(y[v].sum()), int((y[v]==0).sum())]
//                  for _, v in StratifiedKFold(5, shuffle=True, random_state=42).split(np.zeros(len(y)), y)]
// print(json.dumps(out))
//
// Counts are [methylated, unmethylated].
const SK_HOLDOUT: Record<string, { m: number; u: number; train: [number, number]; test: [number, number] }> =
  {
    dsc: { m: 81, u: 108, train: [57, 75], test: [24, 33] },
    structNonDsc: { m: 30, u: 43, train: [21, 30], test: [9, 13] },
    dtiNonDsc: { m: 12, u: 19, train: [8, 13], test: [4, 6] },
    small: { m: 5, u: 7, train: [3, 5], test: [2, 2] },
    odd: { m: 7, u: 2, train: [5, 1], test: [2, 1] },
  };
const SK_KFOLD = {
  dsc: [
    [12, 15],
    [12, 15],
    [11, 15],
    [11, 15],
    [11, 15],
  ],
  struct: [
    [16, 21],
    [16, 21],
    [16, 21],
    [15, 21],
    [15, 21],
  ],
  k13: [
    [2, 1],
    [1, 2],
    [1, 2],
    [1, 1],
    [1, 1],
  ],
  k13u: [
    [1, 2],
    [1, 2],
    [2, 1],
    [1, 1],
    [1, 1],
  ],
};

function cohort(prefix: string, m: number, u: number): LabelledPatient[] {
  return [
    ...Array.from({ length: m }, (_, i) => ({
      id: `${prefix}M${String(i).padStart(3, '0')}`,
      label: 1 as const,
    })),
    ...Array.from({ length: u }, (_, i) => ({
      id: `${prefix}U${String(i).padStart(3, '0')}`,
      label: 0 as const,
    })),
  ];
}

const countLabels = (ids: readonly string[], labelOf: Map<string, number>): [number, number] => [
  ids.filter((id) => labelOf.get(id) === 1).length,
  ids.filter((id) => labelOf.get(id) === 0).length,
];

test('hold-out counts equal sklearn train_test_split(test_size=0.3, stratify)', () => {
  for (const [name, c] of Object.entries(SK_HOLDOUT)) {
    // sklearn classes are sorted: [0 = unmethylated, 1 = methylated].
    const got = stratifiedHoldoutCounts([c.u, c.m], 0.3, new Rng(1));
    assert.deepEqual([got.train[1], got.train[0]], c.train, name);
    assert.deepEqual([got.test[1], got.test[0]], c.test, name);
  }
  assert.deepEqual(holdoutSizes(189, 0.3), { nTrain: 132, nTest: 57 });
  assert.deepEqual(holdoutSizes(73, 0.3), { nTrain: 51, nTest: 22 });
  // A tie (5/5, 7 draws) is broken at random but always sums right.
  const tie = approximateMode([5, 5], 7, new Rng(3));
  assert.equal(tie[0]! + tie[1]!, 7);
  assert.ok(tie.every((x) => x === 3 || x === 4));
});

test('fold allocation equals StratifiedKFold(5, shuffle=True), including its dependence on class order', () => {
  const alloc = (labels: number[]) => {
    const { classes, allocation } = kfoldAllocation(labels, 5);
    const m = classes.indexOf(1);
    const u = classes.indexOf(0);
    return allocation.map((row) => [row[m]!, row[u]!]);
  };
  assert.deepEqual(alloc([...Array(57).fill(1), ...Array(75).fill(0)]), SK_KFOLD.dsc);
  assert.deepEqual(alloc([...Array(78).fill(1), ...Array(105).fill(0)]), SK_KFOLD.struct);
  assert.deepEqual(alloc([...Array(6).fill(1), ...Array(7).fill(0)]), SK_KFOLD.k13);
  assert.deepEqual(alloc([...Array(7).fill(0), ...Array(6).fill(1)]), SK_KFOLD.k13u);
});

/** The paper's cohort (reference §3.2): 189 DSC patients; Struct = those + 73 without DSC. */
function paperGroups() {
  const dsc = cohort('A', 81, 108);
  const nonDsc = cohort('B', 30, 43);
  return { DSC: dsc, Struct: [...nonDsc, ...dsc] };
}

test('planSplits reproduces the paper counts: DSC 132/57, Struct 183/79, the folds of §3.2', () => {
  const groups = paperGroups();
  const labelOf = new Map([...groups.Struct].map((p) => [p.id, p.label]));
  const plan = planSplits({ groups, testFraction: 0.3, folds: 5, seed: 42 });
  const dsc = plan.groups.DSC!;
  assert.equal(dsc.train.length, 132);
  assert.deepEqual(countLabels(dsc.train, labelOf), [57, 75]);
  assert.deepEqual(countLabels(dsc.test, labelOf), [24, 33]);
  assert.deepEqual(
    dsc.folds.map((f) => f.length),
    [27, 27, 26, 26, 26],
  );
  assert.deepEqual(
    dsc.folds.map((f) => countLabels(f, labelOf)),
    SK_KFOLD.dsc,
  );
  const struct = plan.groups.Struct!;
  assert.equal(struct.train.length, 183);
  assert.equal(struct.test.length, 79);
  assert.deepEqual(countLabels(struct.train, labelOf), [78, 105]);
  assert.deepEqual(
    struct.folds.map((f) => countLabels(f, labelOf)),
    SK_KFOLD.struct,
  );
  // DSC-anchored: the DSC hold-out is inside every group's hold-out, the DSC train inside its train.
  assert.deepEqual(plan.commonTest, dsc.test);
  for (const id of dsc.test) assert.ok(struct.test.includes(id));
  for (const id of dsc.train) assert.ok(struct.train.includes(id));
  assert.equal(struct.heldOutNotScored.length, 22);
  assert.deepEqual(countLabels(struct.heldOutNotScored, labelOf), [9, 13]);
  // Folds partition the training patients.
  assert.deepEqual([...struct.folds.flat()].sort(), struct.train);
});

test('DTI: DSC patients missing from the group are dropped (extra_dsc), as in the §3.2 reconstruction', () => {
  const dsc = cohort('A', 81, 108);
  // 31 non-DSC DTI patients (12 M / 19 U) and all DSC patients but two training ones.
  const plan0 = planSplits({ groups: { DSC: dsc }, seed: 9 });
  const lacking = plan0.groups.DSC!.train.slice(0, 2);
  const dti = [...cohort('C', 12, 19), ...dsc.filter((p) => !lacking.includes(p.id))];
  const plan = planSplits({ groups: { DSC: dsc, DTI: dti }, seed: 9 });
  assert.equal(plan.groups.DTI!.train.length, 151);
  assert.equal(plan.groups.DTI!.test.length, 67);
  assert.equal(plan.groups.DTI!.train.length + plan.commonTest.length, 208);
  for (const id of lacking) assert.ok(!plan.groups.DTI!.train.includes(id));
});

test('holdoutToTraining (Q9 fix) moves the non-DSC hold-out into training; the test set is the DSC one', () => {
  const plan = planSplits({ groups: paperGroups(), seed: 42, holdoutToTraining: true });
  assert.equal(plan.groups.Struct!.train.length, 183 + 22);
  assert.deepEqual(plan.groups.Struct!.test, plan.commonTest);
  assert.deepEqual(plan.groups.Struct!.heldOutNotScored, []);
});

test('seeded: the same seed (any input order) gives a byte-identical CSV; another seed differs', () => {
  const g = paperGroups();
  const a = exportSplitsCsv(planSplits({ groups: g, seed: 42 }));
  const shuffled = { DSC: new Rng(1).shuffle([...g.DSC]), Struct: new Rng(2).shuffle([...g.Struct]) };
  assert.equal(exportSplitsCsv(planSplits({ groups: shuffled, seed: 42 })), a);
  assert.notEqual(exportSplitsCsv(planSplits({ groups: g, seed: 43 })), a);
  assert.match(a, /^group,patient,role,fold\nDSC,A\w+,test,\n/);
});

test('a split CSV round-trips exactly', () => {
  const plan = planSplits({ groups: paperGroups(), seed: 5 });
  const text = exportSplitsCsv(plan);
  const imported = importSplitsCsv(text, { patients: paperGroups().Struct.map((p) => p.id) });
  for (const group of ['DSC', 'Struct'] as const) {
    assert.deepEqual(imported.groups[group]!.test, plan.groups[group]!.test);
    assert.deepEqual(imported.groups[group]!.folds, plan.groups[group]!.folds);
  }
  assert.equal(exportSplitsCsv(imported), text);
});

test('importSplitsCsv without a group column, any column order; errors name the line', () => {
  const ok = importSplitsCsv('fold,patient,role\n,P1,test\n0,P2,train\n1,P3,train\n');
  assert.deepEqual(ok.groups['*'], { test: ['P1'], folds: [['P2'], ['P3']] });
  const bad: [string, RegExp][] = [
    ['patient,role,fold\nP1,test,\nP9,train,0\n', /line 3: unknown patient P9/],
    ['patient,role,fold\nP1,test,\nP1,train,0\n', /line 3: patient P1 already on line 2/],
    ['patient,role,fold\nP1,holdout,\n', /line 2: role "holdout" is not test or train/],
    ['patient,role,fold\nP1,train,\n', /line 2: fold "" is not a non-negative integer/],
    ['patient,role,fold\nP1,test,2\n', /line 2: a test row must leave fold empty/],
    ['group,patient,role,fold\nT1,P1,test,\n', /line 2: group "T1" is not one of DSC, DTI, Struct/],
    ['patient,role\nP1,test\n', /missing column "fold"/],
    ['patient,role,fold\nP2,train,1\n', /no patient in fold 0/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => importSplitsCsv(text, { patients: ['P1', 'P2', 'P3'] }),
      (e: Error) => e.name === 'ValidationError' && message.test(e.message),
      text,
    );
  }
});

test('planSplits rejects too few patients for the folds and duplicate patients', () => {
  assert.throws(() => planSplits({ groups: { DSC: cohort('A', 2, 2) }, seed: 1 }), /cannot make 5/);
  assert.throws(
    () => planSplits({ groups: { DSC: [...cohort('A', 5, 5), { id: 'AM000', label: 1 }] }, seed: 1 }),
    /listed twice/,
  );
});
