// Times the aggregation of one paper-sized experiment: 3 networks × 11 derivatives × 5 folds, 57 common
// test patients, fold/group/combination ensembles with 2000-resample bootstrap CIs for every metric,
// then Friedman + Nemenyi across the networks for each group and the best overall models.
// Run: npx tsx bench/evaluation-ensembles.ts
import { performance } from 'node:perf_hooks';
import { Rng } from '@spottune/random';
import { buildEnsembles, compareNetworks } from '@spottune/evaluation';
import type { TrialPredictions } from '@spottune/evaluation';

const groups = {
  DSC: ['ap-rCBV', 'PH', 'PSR'],
  DTI: ['AD', 'FA', 'RD', 'TR'],
  Struct: ['T2', 'FLAIR', 'T1', 'T1GD'],
};
const combinations = ['DSC+DTI', 'DSC+Struct', 'DTI+Struct', 'DSC+DTI+Struct'];
const rng = new Rng('bench-ensembles');
const patients = Array.from({ length: 57 }, (_, i) => ({ id: `P${i}`, label: i < 24 ? 1 : 0 }));
const trials: TrialPredictions[] = [];
for (const network of ['spottune', 'random', 'transfer'])
  for (const modality of Object.values(groups).flat())
    for (let fold = 0; fold < 5; fold++)
      trials.push({
        trialId: `${network}-${modality}-${fold}`,
        network,
        modality,
        fold,
        predictions: patients.map((p) => ({
          patientId: p.id,
          label: p.label,
          probability: 1 / (1 + Math.exp(-rng.normal(p.label * 0.4))),
          samples: 100,
        })),
      });
const t0 = performance.now();
const ensembles = buildEnsembles(trials, { groups, combinations, bootstrap: { samples: 2000, seed: 42 } });
const t1 = performance.now();
const tests = [...Object.keys(groups), ...combinations].map((name) => compareNetworks(ensembles, { name }));
tests.push(compareNetworks(ensembles, { bestOverall: {} }, { nemenyi: 'always' }));
const t2 = performance.now();
console.log(
  `ensembles: ${trials.length} trials → ${ensembles.length} ensembles with 2000-resample CIs in ` +
    `${((t1 - t0) / 1000).toFixed(2)} s; ${tests.length} Friedman(+Nemenyi) comparisons in ${((t2 - t1) / 1000).toFixed(2)} s ` +
    `(node ${process.version})`,
);
