import type { Rng } from '@spottune/random';

/**
 * scikit-learn's stratified allocation rules, ported exactly (scikit-learn 1.2, as the reference used).
 * Only the *counts* are reproduced: sklearn shuffles with MT19937, which a port cannot match, so which
 * patients land where depends on our Rng (reference §3.3, Q8). Publish split CSVs to reproduce a split.
 */

/**
 * `sklearn.utils._approximate_mode`: the per-class draw counts closest to the class proportions,
 * flooring and then handing the remaining draws to the largest remainders (ties broken at random).
 */
export function approximateMode(classCounts: readonly number[], nDraws: number, rng: Rng): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  if (total === 0) return classCounts.map(() => 0);
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map((c) => Math.floor(c));
  let needToAdd = Math.round(nDraws - floored.reduce((a, b) => a + b, 0));
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(inds.length, needToAdd);
      // rng.choice(inds, size=addNow, replace=False): a random subset.
      for (const i of rng.shuffle([...inds]).slice(0, addNow)) floored[i]!++;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/** Sizes of `train_test_split(test_size=f)` for n samples: n_test = ceil(f·n), n_train = n − n_test. */
export function holdoutSizes(n: number, testFraction: number): { nTrain: number; nTest: number } {
  // sklearn: ceil(test_size * n_samples); the product is computed in float64 like numpy.
  const nTest = Math.ceil(testFraction * n);
  return { nTrain: n - nTest, nTest };
}

/**
 * Per-class train and test counts of `StratifiedShuffleSplit` (what `train_test_split(stratify=y)`
 * uses): the train counts first from the class counts, then the test counts from what remains.
 */
export function stratifiedHoldoutCounts(
  classCounts: readonly number[],
  testFraction: number,
  rng: Rng,
): { train: number[]; test: number[] } {
  const n = classCounts.reduce((a, b) => a + b, 0);
  const { nTrain, nTest } = holdoutSizes(n, testFraction);
  const train = approximateMode(classCounts, nTrain, rng);
  const remaining = classCounts.map((c, i) => c - train[i]!);
  const test = approximateMode(remaining, nTest, rng);
  return { train, test };
}

/**
 * `StratifiedKFold._make_test_folds` allocation: classes are numbered by first appearance in `labels`,
 * the sorted encoded labels are dealt round-robin to the folds, and `allocation[fold][class]` counts
 * what each fold received.
 */
export function kfoldAllocation<L>(
  labels: readonly L[],
  nSplits: number,
): { classes: L[]; allocation: number[][] } {
  const classes: L[] = [];
  const encoded = labels.map((l) => {
    let k = classes.indexOf(l);
    if (k < 0) k = classes.push(l) - 1;
    return k;
  });
  const sorted = [...encoded].sort((a, b) => a - b);
  const allocation = Array.from({ length: nSplits }, () => new Array<number>(classes.length).fill(0));
  sorted.forEach((k, pos) => allocation[pos % nSplits]![k]!++);
  return { classes, allocation };
}

/**
 * The test fold of each sample under `StratifiedKFold(n_splits, shuffle=True)`: per class, the fold
 * labels `[0]*a0 + [1]*a1 + ...` are shuffled and handed to that class's samples in their order.
 */
export function stratifiedKFoldAssignment<L>(labels: readonly L[], nSplits: number, rng: Rng): number[] {
  const { classes, allocation } = kfoldAllocation(labels, nSplits);
  const folds = new Array<number>(labels.length).fill(-1);
  classes.forEach((cls, k) => {
    const foldsForClass: number[] = [];
    allocation.forEach((row, fold) => {
      for (let j = 0; j < row[k]!; j++) foldsForClass.push(fold);
    });
    rng.shuffle(foldsForClass);
    let next = 0;
    labels.forEach((l, i) => {
      if (l === cls) folds[i] = foldsForClass[next++]!;
    });
  });
  return folds;
}
