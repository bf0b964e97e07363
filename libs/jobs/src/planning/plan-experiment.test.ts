import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@spottune/random';
import { ExperimentRequestSchema, type ExperimentRequestInput } from './experiment-request.ts';
import { canonicalJson, hashCanonical } from './canonical-json.ts';
import { expandModalities, planExperiment, planSettings, trainJobId } from './plan-experiment.ts';

const base: ExperimentRequestInput = {
  name: 't',
  cohort: 'c',
  networks: ['spottune', 'resnet'],
  modalities: ['DSC_PH', 'T1'],
  folds: 3,
};
const parse = (extra: Partial<ExperimentRequestInput> = {}) =>
  ExperimentRequestSchema.parse({ ...base, ...extra });

test('canonical JSON sorts keys at every level and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: undefined } }),
    '{"a":{"d":[2,{"x":0,"y":1}]},"b":1}',
  );
  assert.equal(hashCanonical({ a: 1, b: 2 }), hashCanonical({ b: 2, a: 1 }));
  assert.notEqual(hashCanonical({ a: 1 }), hashCanonical({ a: 2 }));
  assert.throws(() => canonicalJson({ a: Number.NaN }), /non-finite/);
});

test('without a search: networks × modalities × folds trials, one setting', () => {
  const plan = planExperiment(parse());
  assert.equal(plan.settings.length, 1);
  assert.equal(plan.trials.length, 2 * 2 * 3);
  assert.deepEqual(plan.groups, ['DSC', 'Struct']);
  const keys = new Set(plan.trials.map((t) => t.key));
  assert.equal(keys.size, plan.trials.length, 'trial keys are unique');
  assert.deepEqual([...new Set(plan.trials.map((t) => t.fold))], [0, 1, 2]);
});

test('groups and unions expand to their derivatives, deduplicated in order', () => {
  assert.deepEqual(expandModalities({ modalities: ['DTI_FA'], groups: ['DSC+DTI'] }), [
    'DTI_FA',
    'DSC_ap-rCBV',
    'DSC_PH',
    'DSC_PSR',
    'DTI_AD',
    'DTI_RD',
    'DTI_TR',
  ]);
  assert.equal(
    planExperiment(parse({ modalities: undefined, groups: ['Struct'] }), 5).trials.length,
    2 * 4 * 5,
  );
});

test('scans add one setting per value on top of the base; duplicates of the base collapse', () => {
  const req = parse({
    search: { scans: { epochs: [30, 90, 200], lr: [1e-3, 1e-5], temperature: [1, 100, 1e4] } },
  });
  const settings = planSettings(req);
  // epochs 90, lr 1e-5 and τ 100 equal the base: 3 + 2 + 3 − 2 duplicates of the base = 6 distinct.
  assert.equal(settings.length, 6);
  const epochs = settings.map((s) => s.hyperparameters.epochs).sort((a, b) => a - b);
  assert.deepEqual(epochs, [30, 90, 90, 90, 90, 200]);
  assert.ok(
    settings.every((s) => s.hyperparameters.batchSize === 12),
    'other parameters stay at the base',
  );
  assert.equal(planExperiment(req).trials.length, 2 * 2 * 3 * 6);
});

test('grid: N seeded draws from the per-parameter choices, deduplicated, reproducible', () => {
  const search = {
    grid: { draws: 20, space: { lr: [1e-3, 1e-4, 1e-5], batchSize: [4, 8], temperature: [1, 10] } },
  };
  const a = planSettings(parse({ search }));
  const b = planSettings(parse({ search }));
  assert.deepEqual(a, b);
  assert.ok(a.length <= 12 && a.length >= 2, `at most 3·2·2 distinct settings, got ${a.length}`);
  for (const s of a) {
    assert.ok([1e-3, 1e-4, 1e-5].includes(s.hyperparameters.lr));
    assert.ok([4, 8].includes(s.hyperparameters.batchSize));
  }
  const other = planSettings(parse({ search, seed: 7 }));
  assert.notDeepEqual(
    other.map((s) => s.hpHash),
    a.map((s) => s.hpHash),
    'another seed draws another grid',
  );
  // Grid and scans together: the union.
  const both = planSettings(parse({ search: { ...search, scans: { epochs: [5] } } }));
  assert.equal(both.length, a.length + 1);
});

test('hashes and seeds are deterministic and derived as documented', () => {
  const req = parse();
  const p1 = planExperiment(req);
  const p2 = planExperiment(parse());
  assert.deepEqual(p1, p2);
  assert.equal(p1.configHash, hashCanonical(req));
  const t = p1.trials[5]!;
  assert.equal(t.hpHash, hashCanonical(t.hyperparameters));
  assert.equal(t.seed, new Rng(42).fork('trial', t.network, t.modality, t.fold, t.hpHash).nextUint32() >>> 1);
  assert.ok(t.seed >= 0 && t.seed < 2 ** 31);
  assert.equal(new Set(p1.trials.map((x) => x.seed)).size, p1.trials.length, 'every trial has its own seed');
  assert.notEqual(planExperiment(parse({ seed: 1 })).trials[5]!.seed, t.seed);
  assert.notEqual(planExperiment(parse({ seed: 1 })).configHash, p1.configHash);
  assert.equal(trainJobId('abc'), 'train-abc');
  assert.ok(!trainJobId('x').includes(':'));
});

test('the request schema names the offending field', () => {
  const r = ExperimentRequestSchema.safeParse({ ...base, training: { lr: -1 } });
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues[0]!.path, ['training', 'lr']);
  const none = ExperimentRequestSchema.safeParse({ ...base, modalities: [] });
  assert.deepEqual(none.error!.issues[0]!.path, ['modalities']);
  const bad = ExperimentRequestSchema.safeParse({ ...base, modalities: ['DSC_XX'] });
  assert.deepEqual(bad.error!.issues[0]!.path, ['modalities', 0]);
});

test('radiomics-rf is one trial per fold on the Struct split, whatever the modalities', () => {
  const plan = planExperiment(
    parse({ networks: ['spottune', 'radiomics-rf'], modalities: ['DSC_PH', 'DTI_FA'] }),
  );
  const radiomics = plan.trials.filter((t) => t.network === 'radiomics-rf');
  assert.equal(radiomics.length, 3);
  assert.ok(radiomics.every((t) => t.modality === 'radiomics' && t.group === 'Struct'));
  assert.equal(plan.trials.length, 2 * 3 + 3);
  assert.deepEqual(
    plan.groups,
    ['DSC', 'DTI', 'Struct'],
    'the Struct split is planned for the radiomics baseline',
  );
});
