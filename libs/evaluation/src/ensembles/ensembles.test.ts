import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, ValidationError } from '@spottune/errors';
import { bestOverall, buildEnsembles, compareNetworks, friedmanTest, nemenyiTest } from '../index.ts';
import type { Ensemble, TrialPredictions } from '../index.ts';

const LABELS: Record<string, number> = { p1: 1, p2: 0, p3: 1, p4: 0, p5: 1 };

function trial(
  network: string,
  modality: string,
  fold: number,
  probs: Record<string, number>,
): TrialPredictions {
  return {
    trialId: `${network}-${modality}-${fold}`,
    network,
    modality,
    fold,
    predictions: Object.entries(probs).map(([patientId, probability]) => ({
      patientId,
      label: LABELS[patientId]!,
      probability,
      samples: 100,
    })),
  };
}

// p5 is missing from some trials, so the common patients are p1–p4.
const SPOTTUNE = [
  trial('spottune', 'a1', 0, { p1: 0.8, p2: 0.2, p3: 0.6, p4: 0.4, p5: 0.9 }),
  trial('spottune', 'a1', 1, { p1: 0.6, p2: 0.4, p3: 0.4, p4: 0.2 }),
  trial('spottune', 'a2', 0, { p4: 0.3, p3: 0.5, p2: 0.1, p1: 0.7, p5: 0.1 }),
  trial('spottune', 'b1', 0, { p1: 0.4, p2: 0.6, p3: 0.9, p4: 0.5 }),
];
const OTHERS = [
  trial('random', 'a1', 0, { p1: 0.5, p2: 0.5, p3: 0.4, p4: 0.6, p5: 0.5 }),
  trial('transfer', 'a2', 0, { p1: 0.9, p2: 0.3, p3: 0.2, p4: 0.1 }),
];
const GROUPS = { A: ['a1', 'a2'], B: ['b1'] };
const EXPECTED = [0, 1, 2]
  .map((fold) => ({ network: 'spottune', modality: 'a1', fold }))
  .concat([0, 1].map((fold) => ({ network: 'spottune', modality: 'a2', fold })))
  .concat([{ network: 'spottune', modality: 'b1', fold: 0 }]);

function find(es: Ensemble[], network: string, name: string): Ensemble {
  const e = es.find((x) => x.network === network && x.name === name);
  assert.ok(e, `no ensemble ${network}/${name}`);
  return e;
}
function probs(e: Ensemble): number[] {
  return e.predictions.map((p) => p.probability);
}
function closeAll(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) < 1e-12, `[${i}] ${a} vs ${expected[i]}`));
}

test('fold, group and combination means on the common patients, with missing trials recorded', () => {
  const es = buildEnsembles([...SPOTTUNE, ...OTHERS], {
    groups: GROUPS,
    combinations: ['A+B'],
    expected: EXPECTED,
    bootstrap: false,
  });
  const a1 = find(es, 'spottune', 'a1');
  assert.equal(a1.level, 'fold');
  assert.deepEqual(
    a1.predictions.map((p) => p.patientId),
    ['p1', 'p2', 'p3', 'p4'],
  );
  // a1: folds 0 and 1 averaged: (0.8+0.6)/2, (0.2+0.4)/2, (0.6+0.4)/2, (0.4+0.2)/2.
  closeAll(probs(a1), [0.7, 0.3, 0.5, 0.3]);
  assert.deepEqual(a1.members, ['spottune-a1-0', 'spottune-a1-1']);
  assert.deepEqual(a1.missing, ['a1/fold2']);
  assert.deepEqual(
    a1.predictions.map((p) => p.samples),
    [200, 200, 200, 200],
  );
  // Positives 0.7, 0.5 above negatives 0.3, 0.3 → AUC 1; 0.5 is not > 0.5 → SEN 1/2; SPE 1.
  assert.equal(a1.metrics.auc, 1);
  assert.equal(a1.metrics.sen, 0.5);
  assert.equal(a1.metrics.spe, 1);
  assert.equal(a1.metrics.ci, undefined);
  // Group A = flat mean of a1 (0.7, 0.3, 0.5, 0.3) and a2 (0.7, 0.1, 0.5, 0.3).
  const groupA = find(es, 'spottune', 'A');
  assert.equal(groupA.level, 'group');
  closeAll(probs(groupA), [0.7, 0.2, 0.5, 0.3]);
  assert.deepEqual(groupA.members, ['a1', 'a2']);
  assert.deepEqual(groupA.missing, ['a1/fold2', 'a2/fold1']);
  // A+B flat over 3 derivatives: (0.7+0.7+0.4)/3, (0.3+0.1+0.6)/3, (0.5+0.5+0.9)/3, (0.3+0.3+0.5)/3.
  const ab = find(es, 'spottune', 'A+B');
  assert.equal(ab.level, 'combination');
  closeAll(probs(ab), [0.6, 1 / 3, 1.9 / 3, 1.1 / 3]);
  assert.deepEqual(
    ab.predictions.map((p) => p.samples),
    [400, 400, 400, 400],
  );
  assert.equal(ab.curves.roc.fpr.length, ab.curves.roc.tpr.length);
  // random has a1 only: its A is a1 fold 0 with a2 missing; no B ensemble; A+B is a1 alone.
  const randomA = find(es, 'random', 'A');
  closeAll(probs(randomA), [0.5, 0.5, 0.4, 0.6]);
  assert.deepEqual(randomA.missing, ['a2']);
  assert.equal(
    es.find((e) => e.network === 'random' && e.name === 'B'),
    undefined,
  );
  assert.deepEqual(find(es, 'random', 'A+B').missing, ['a2', 'b1']);
});

test('per-group weighting averages the group means (each group weighs 1/2 in A+B)', () => {
  const es = buildEnsembles(SPOTTUNE, {
    groups: GROUPS,
    combinations: ['A+B'],
    weighting: 'per-group',
    bootstrap: false,
  });
  // (A + B)/2 with A = (0.7, 0.2, 0.5, 0.3) and B = (0.4, 0.6, 0.9, 0.5).
  closeAll(probs(find(es, 'spottune', 'A+B')), [0.55, 0.4, 0.7, 0.4]);
  closeAll(probs(find(es, 'spottune', 'A')), [0.7, 0.2, 0.5, 0.3]);
});

test('explicit common patients restrict every ensemble; a trial lacking one is a DataError', () => {
  const es = buildEnsembles(SPOTTUNE, {
    groups: GROUPS,
    combinations: [],
    commonPatients: ['p3', 'p1'],
    bootstrap: false,
  });
  for (const e of es)
    assert.deepEqual(
      e.predictions.map((p) => p.patientId),
      ['p1', 'p3'],
    );
  closeAll(probs(find(es, 'spottune', 'A')), [0.7, 0.5]);
  assert.throws(
    () => buildEnsembles(SPOTTUNE, { groups: GROUPS, combinations: [], commonPatients: ['p5'] }),
    (e: unknown) => e instanceof DataError && /spottune-a1-1.*p5/.test(e.message),
  );
});

test('inconsistent inputs are rejected with typed errors', () => {
  const conflicting = trial('random', 'b1', 0, { p1: 0.5, p2: 0.5 });
  conflicting.predictions[0]!.label = 0;
  assert.throws(
    () => buildEnsembles([...SPOTTUNE, conflicting], { groups: GROUPS, combinations: [] }),
    DataError,
  );
  assert.throws(
    () => buildEnsembles(SPOTTUNE, { groups: GROUPS, combinations: ['A+C'] }),
    (e: unknown) => e instanceof ValidationError && /unknown group 'C'/.test(e.message),
  );
  assert.throws(
    () =>
      buildEnsembles([...SPOTTUNE, { ...SPOTTUNE[0]!, trialId: 'again' }], {
        groups: GROUPS,
        combinations: [],
      }),
    ValidationError,
  );
  const disjoint = trial('random', 'b1', 0, { p5: 0.5 });
  assert.throws(
    () => buildEnsembles([...SPOTTUNE, disjoint], { groups: GROUPS, combinations: [] }),
    DataError,
  );
});

test('bootstrap CIs are attached and reproducible for a seed', () => {
  const options = { groups: GROUPS, combinations: ['A+B'], bootstrap: { samples: 200, seed: 9 } };
  const a = buildEnsembles(SPOTTUNE, options);
  const b = buildEnsembles(SPOTTUNE, options);
  const ci = find(a, 'spottune', 'A+B').metrics.ci;
  assert.ok(ci);
  assert.deepEqual(ci, find(b, 'spottune', 'A+B').metrics.ci);
  assert.equal(ci.auc.estimate, find(a, 'spottune', 'A+B').metrics.auc);
  assert.ok(ci.auc.low <= ci.auc.high);
});

test('compareNetworks: Friedman over patients × networks, Nemenyi on request, best overall', () => {
  const es = buildEnsembles([...SPOTTUNE, ...OTHERS], { groups: GROUPS, combinations: [], bootstrap: false });
  const cmp = compareNetworks(es, { name: 'A' }, { nemenyi: 'always' });
  assert.deepEqual(cmp.networks, ['random', 'spottune', 'transfer']);
  assert.deepEqual(cmp.patients, ['p1', 'p2', 'p3', 'p4']);
  // Rows = patients, columns = networks (random A, spottune A, transfer A = a2 fold 0).
  const matrix = [
    [0.5, 0.7, 0.9],
    [0.5, 0.2, 0.3],
    [0.4, 0.5, 0.2],
    [0.6, 0.3, 0.1],
  ];
  assert.deepEqual(cmp.friedman, friedmanTest(matrix));
  assert.deepEqual(cmp.nemenyi, nemenyiTest(matrix));
  const err = compareNetworks(es, { name: 'A' }, { measure: 'absoluteError', nemenyi: 'never' });
  assert.deepEqual(
    err.friedman,
    friedmanTest(matrix.map((row, i) => row.map((p) => Math.abs(p - [1, 0, 1, 0][i]!)))),
  );
  assert.equal(err.nemenyi, undefined);
  // With p ≈ 0.7 Friedman is not significant, so the default skips Nemenyi.
  assert.equal(compareNetworks(es, { name: 'A' }).nemenyi, undefined);
  assert.throws(() => compareNetworks(es, { name: 'B' }), ValidationError); // only spottune has B
  assert.throws(
    () => compareNetworks(es, { name: 'B' }, { networks: ['random', 'spottune', 'transfer'] }),
    (e: unknown) => e instanceof DataError && /'random' has no ensemble for 'B'/.test(e.message),
  );

  const best = bestOverall(es);
  assert.equal(best.spottune!.name, 'A'); // AUC 1 (A) vs 0.5 (B)
  const overall = compareNetworks(es, { bestOverall: {} });
  assert.equal(overall.scope, 'best overall');
  assert.deepEqual(overall.ensembles, { random: 'A', spottune: 'A', transfer: 'A' });
});
