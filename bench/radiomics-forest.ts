// Times the radiomics random forest at the paper's size: 10,000 trees, max depth 5, min 10 per leaf,
// max_features sqrt, on ~200 patients × 6 features (synthetic, one informative feature).
// Run: npx tsx bench/radiomics-forest.ts [patients] [trees]
import { performance } from 'node:perf_hooks';
import { Rng } from '@spottune/random';
import { auc } from '@spottune/evaluation';
import { trainRadiomicsForest } from '../libs/evaluation/src/radiomics/random-forest.ts';

const patients = Number(process.argv[2] ?? 200);
const trees = Number(process.argv[3] ?? 10000);
const rng = new Rng('bench-forest');
const x: number[][] = [];
const y: number[] = [];
for (let i = 0; i < patients; i++) {
  const label = i % 5 < 2 ? 1 : 0;
  y.push(label);
  x.push(Array.from({ length: 6 }, (_, j) => rng.normal(j === 0 ? label : 0)));
}
const t0 = performance.now();
const model = trainRadiomicsForest(x, y, { nEstimators: trees, maxDepth: 5, minSamplesLeaf: 10, seed: 7 });
const t1 = performance.now();
const p = model.predictProba(x);
const t2 = performance.now();
const nodes = model.toJSON().feature.length;
console.log(
  `radiomics forest: ${patients} patients × 6 features, ${trees} trees (${nodes} nodes): ` +
    `train ${((t1 - t0) / 1000).toFixed(2)} s, predict ${patients} rows ${((t2 - t1) / 1000).toFixed(3)} s, ` +
    `train AUC ${auc(y, p).toFixed(4)} (node ${process.version})`,
);
