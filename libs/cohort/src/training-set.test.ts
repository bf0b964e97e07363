import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spottune/random';
import { balanceByPruning, buildTrainingSet, classWeights, type TrainingPatient } from './index.ts';

function patients(m: number, u: number): TrainingPatient[] {
  const make = (id: string, label: 0 | 1, seed: number): TrainingPatient => ({
    id,
    label,
    volume: { data: new Rng(seed).fillUniform(new Float32Array(6 * 7 * 8)), shape: [6, 7, 8] },
  });
  return [
    ...Array.from({ length: m }, (_, i) => make(`M${i}`, 1, i)),
    ...Array.from({ length: u }, (_, i) => make(`U${i}`, 0, 100 + i)),
  ];
}

test('balanceByPruning drops majority samples (base and augmented alike) until the classes are equal', () => {
  // Reference §4, DSC fold: 45 M × 5 = 225 positives, 60 U × 5 = 300 negatives → 225 + 225.
  const samples = [
    ...Array.from({ length: 225 }, (_, i) => ({ id: `p${i}`, label: 1 as const })),
    ...Array.from({ length: 300 }, (_, i) => ({ id: `n${i}`, label: 0 as const })),
  ];
  const kept = balanceByPruning(samples, new Rng(1));
  assert.equal(kept.length, 450);
  assert.equal(kept.filter((s) => s.label === 1).length, 225);
  // Survivors keep their order; the same rng drops the same samples.
  const order = kept.map((s) => samples.indexOf(s));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  assert.deepEqual(balanceByPruning(samples, new Rng(1)), kept);
  assert.notDeepEqual(balanceByPruning(samples, new Rng(2)), kept);
  // Positives in the majority are pruned too.
  assert.equal(
    balanceByPruning(
      samples.map((s) => ({ label: (1 - s.label) as 0 | 1 })),
      new Rng(1),
    ).length,
    450,
  );
  assert.deepEqual(classWeights(samples), { posWeight: 300 / 225, positives: 225, negatives: 300 });
});

test('buildTrainingSet: base + 4 augments per patient, pruned to balance, deterministic per seed', () => {
  const ps = patients(3, 5);
  const set = buildTrainingSet({ patients: ps, seed: 42 });
  assert.equal(set.positives, 15);
  assert.equal(set.negatives, 15);
  assert.equal(set.samples.length, 30);
  assert.ok(set.samples.filter((s) => s.label === 1).every((s) => s.patientId.startsWith('M')));
  const again = buildTrainingSet({ patients: ps, seed: 42 });
  set.samples.forEach((s, i) => {
    const t = again.samples[i]!;
    assert.equal(t.patientId, s.patientId);
    assert.equal(t.augment, s.augment);
    assert.deepEqual(Buffer.from(t.data.buffer), Buffer.from(s.data.buffer));
  });
  const weights = buildTrainingSet({ patients: ps, seed: 42, balance: 'weights', augments: ['flip'] });
  assert.equal(weights.samples.length, 16);
  assert.equal(weights.posWeight, 5 / 3);
  assert.equal(buildTrainingSet({ patients: ps, seed: 42, balance: 'none', augments: [] }).samples.length, 8);
});

test('faithful mode: the rotate copy equals the base (Q3); fixed mode rotates; per-epoch copies differ by epoch', () => {
  const ps = patients(1, 1);
  const rotated = (faithful: boolean) =>
    buildTrainingSet({
      patients: ps,
      seed: 1,
      augments: ['rotate'],
      balance: 'none',
      faithful,
    }).samples.filter((s) => s.augment === 'rotate')[0]!;
  assert.deepEqual(rotated(true).data, ps[0]!.volume.data);
  assert.notDeepEqual(rotated(false).data, ps[0]!.volume.data);
  const epoch = (e: number) =>
    buildTrainingSet({
      patients: ps,
      seed: 1,
      augments: ['noise'],
      balance: 'none',
      mode: 'per-epoch',
      epoch: e,
    }).samples[1]!.data;
  assert.notDeepEqual(epoch(0), epoch(1));
  assert.deepEqual(epoch(3), epoch(3));
  assert.throws(() => buildTrainingSet({ patients: ps, seed: 1, mode: 'per-epoch' }), /needs the epoch/);
});
