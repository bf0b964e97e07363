import { ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';

/**
 * A small CART random-forest classifier for the radiomics baseline, written here instead of using
 * `ml-random-forest` (installed) because that package does not match the paper's scikit-learn model:
 * its `predictProbability` is the fraction of tree *votes* (hard voting, rounded to 1e-6), not the mean
 * of the leaves' class frequencies (sklearn `predict_proba`); its `minNumSamples` is the minimum to
 * *split* a node, not `min_samples_leaf`; its `maxFeatures` subsamples features once per *tree*, not
 * per split; and it seeds its own Mersenne Twister, not our Rng.
 *
 * What this does, following sklearn 1.2 `RandomForestClassifier(n_estimators, max_depth,
 * min_samples_leaf, max_features='sqrt', bootstrap=True, criterion='gini')`:
 * - each tree sees a bootstrap sample (n draws with replacement), used as integer sample weights: the
 *   Gini impurity and the leaf frequencies are weighted, while min_samples_leaf / min_samples_split /
 *   the "n < 2·min_samples_leaf" stop count *distinct* in-bag patients (sklearn drops zero-weight rows
 *   and counts the rest, ignoring weights, in these checks);
 * - at each node, features are drawn without replacement until max_features non-constant ones were
 *   tried (constant features do not count, as sklearn's BestSplitter); thresholds are midpoints
 *   between consecutive distinct values; the split minimising the weighted child impurity wins (first
 *   one on ties);
 * - a node is a leaf at max_depth, when pure, or when no split leaves min_samples_leaf on both sides;
 * - predictProba = mean over trees of the leaf's weighted class-1 fraction.
 * Random streams differ from numpy's, so trees differ from sklearn's for the same seed; the estimator
 * is the same: a single tree without bootstrap, or with given sample weights, equals sklearn's
 * DecisionTreeClassifier node for node (random-forest-sklearn.test.ts).
 */
export interface RandomForestOptions {
  /** Trees (paper: 10,000). */
  nEstimators?: number;
  /** Maximum depth, root = depth 0 (paper: 5). */
  maxDepth?: number;
  /** Minimum distinct samples per leaf (paper: 10). */
  minSamplesLeaf?: number;
  /** Minimum distinct samples to split a node (sklearn default 2). */
  minSamplesSplit?: number;
  /** Features tried per split: 'sqrt' (sklearn default, floor(√p)), 'all', or a count. */
  maxFeatures?: 'sqrt' | 'all' | number;
  /** Bootstrap sampling per tree (default true). */
  bootstrap?: boolean;
  /**
   * Per-sample weights (sklearn `fit(sample_weight=...)`), multiplied with the bootstrap counts; a
   * zero weight removes the sample from every tree. Default 1.
   */
  sampleWeight?: ArrayLike<number>;
  seed: number | string | Rng;
}

export interface SerializedForest {
  nFeatures: number;
  /** Start offset of each tree in the node arrays. */
  roots: number[];
  /** Split feature per node, −1 for a leaf. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** P(class 1) at a leaf (weighted in-bag class-1 fraction; also kept for inner nodes). */
  value: number[];
  /** Distinct in-bag samples that reached each node (sklearn `tree_.n_node_samples`). */
  nodeSamples: number[];
}

export class RandomForestModel {
  // Typed copies for prediction: 10,000 trees × a few hundred rows is ~10⁷ node visits.
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;

  private constructor(private readonly f: SerializedForest) {
    this.roots = Int32Array.from(f.roots);
    this.feature = Int32Array.from(f.feature);
    this.threshold = Float64Array.from(f.threshold);
    this.left = Int32Array.from(f.left);
    this.right = Int32Array.from(f.right);
    this.value = Float64Array.from(f.value);
  }

  static fromJSON(f: SerializedForest): RandomForestModel {
    return new RandomForestModel(f);
  }

  toJSON(): SerializedForest {
    return this.f;
  }

  get nTrees(): number {
    return this.roots.length;
  }

  /** P(label = 1) per row: the mean of the trees' leaf class-1 fractions. */
  predictProba(features: readonly (readonly number[])[]): number[] {
    const { roots, feature, threshold, left, right, value } = this;
    return features.map((row, r) => {
      if (row.length !== this.f.nFeatures)
        throw new ValidationError(
          `predictProba: row ${r} has ${row.length} features, the model ${this.f.nFeatures}`,
        );
      const x = Float64Array.from(row);
      let sum = 0;
      for (let t = 0; t < roots.length; t++) {
        let node = roots[t]!;
        for (let f = feature[node]!; f >= 0; f = feature[node]!)
          node = x[f]! <= threshold[node]! ? left[node]! : right[node]!;
        sum += value[node]!;
      }
      return sum / roots.length;
    });
  }
}

interface Builder {
  /** Column-major features: col[j][i]. */
  col: Float64Array[];
  /** Per feature, all sample indices sorted by that feature (computed once; nodes filter it). */
  sorted: Int32Array[];
  y: Uint8Array;
  weight: Float64Array;
  /** stamp[i] === current node id ⇔ sample i belongs to the node being split. */
  stamp: Int32Array;
  nFeatures: number;
  mtry: number;
  maxDepth: number;
  minLeaf: number;
  minSplit: number;
  rng: Rng;
  out: SerializedForest;
  /** Scratch buffer for one node's samples in feature order. */
  order: Int32Array;
  /** Scratch buffer for the per-node feature draw. */
  featureOrder: Int32Array;
}

/** Trains the forest; rows × features must be finite (patients with an empty region are left out beforehand). */
export function trainRadiomicsForest(
  features: readonly (readonly number[])[],
  labels: ArrayLike<number>,
  options: RandomForestOptions,
): RandomForestModel {
  const n = features.length;
  if (n === 0 || labels.length !== n)
    throw new ValidationError(`trainRadiomicsForest: ${n} feature rows but ${labels.length} labels`);
  const nFeatures = features[0]!.length;
  features.forEach((row, i) => {
    if (row.length !== nFeatures)
      throw new ValidationError(
        `trainRadiomicsForest: row ${i} has ${row.length} features, expected ${nFeatures}`,
      );
    row.forEach((v, j) => {
      if (!Number.isFinite(v))
        throw new ValidationError(
          `trainRadiomicsForest: feature [${i}][${j}] is ${v}; drop or impute such patients`,
        );
    });
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new ValidationError(`trainRadiomicsForest: label[${i}] is ${labels[i]}, expected 0 or 1`);
  });
  const nEstimators = options.nEstimators ?? 10000;
  const maxDepth = options.maxDepth ?? 5;
  const minLeaf = options.minSamplesLeaf ?? 10;
  const minSplit = options.minSamplesSplit ?? 2;
  const mf = options.maxFeatures ?? 'sqrt';
  const mtry = mf === 'sqrt' ? Math.max(1, Math.floor(Math.sqrt(nFeatures))) : mf === 'all' ? nFeatures : mf;
  for (const [name, v, min] of [
    ['nEstimators', nEstimators, 1],
    ['maxDepth', maxDepth, 0],
    ['minSamplesLeaf', minLeaf, 1],
    ['minSamplesSplit', minSplit, 2],
    ['maxFeatures', mtry, 1],
  ] as const)
    if (!Number.isInteger(v) || v < min)
      throw new ValidationError(`trainRadiomicsForest: ${name} must be an integer ≥ ${min}, got ${v}`);
  if (mtry > nFeatures)
    throw new ValidationError(`trainRadiomicsForest: maxFeatures ${mtry} > ${nFeatures} features`);

  const sampleWeight = options.sampleWeight;
  if (sampleWeight !== undefined) {
    if (sampleWeight.length !== n)
      throw new ValidationError(`trainRadiomicsForest: ${sampleWeight.length} sample weights for ${n} rows`);
    for (let i = 0; i < n; i++)
      if (!(sampleWeight[i]! >= 0) || !Number.isFinite(sampleWeight[i]!))
        throw new ValidationError(`trainRadiomicsForest: sampleWeight[${i}] is ${sampleWeight[i]}`);
    if (!Array.prototype.some.call(sampleWeight, (w: number) => w > 0))
      throw new ValidationError('trainRadiomicsForest: every sample weight is 0');
  }
  const root = options.seed instanceof Rng ? options.seed : new Rng(options.seed);
  const out: SerializedForest = {
    nFeatures,
    roots: [],
    feature: [],
    threshold: [],
    left: [],
    right: [],
    value: [],
    nodeSamples: [],
  };
  const col = Array.from({ length: nFeatures }, (_, j) => Float64Array.from(features, (row) => row[j]!));
  const b: Builder = {
    col,
    sorted: col.map((x) => Int32Array.from({ length: n }, (_, i) => i).sort((p, q) => x[p]! - x[q]!)),
    y: Uint8Array.from({ length: n }, (_, i) => labels[i]!),
    weight: new Float64Array(n),
    stamp: new Int32Array(n).fill(-1),
    nFeatures,
    mtry,
    maxDepth,
    minLeaf,
    minSplit,
    rng: root,
    out,
    order: new Int32Array(n),
    featureOrder: new Int32Array(nFeatures),
  };
  for (let t = 0; t < nEstimators; t++) {
    b.rng = root.fork('tree', t);
    b.weight.fill(options.bootstrap === false ? 1 : 0);
    if (options.bootstrap !== false) for (let i = 0; i < n; i++) b.weight[b.rng.int(n)]!++;
    if (sampleWeight !== undefined) for (let i = 0; i < n; i++) b.weight[i]! *= sampleWeight[i]!;
    b.stamp.fill(-1);
    let inBag = 0;
    for (let i = 0; i < n; i++) if (b.weight[i]! > 0) inBag++;
    const samples = new Int32Array(inBag);
    for (let i = 0, k = 0; i < n; i++) if (b.weight[i]! > 0) samples[k++] = i;
    out.roots.push(out.feature.length);
    grow(b, samples, 0);
  }
  return RandomForestModel.fromJSON(out);
}

function gini(w0: number, w1: number): number {
  const t = w0 + w1;
  return t === 0 ? 0 : 1 - (w0 / t) ** 2 - (w1 / t) ** 2;
}

/** Appends the subtree for `samples` to b.out and returns its node index. */
function grow(b: Builder, samples: Int32Array, depth: number): number {
  const out = b.out;
  const node = out.feature.length;
  out.feature.push(-1);
  out.threshold.push(0);
  out.left.push(-1);
  out.right.push(-1);
  out.nodeSamples.push(samples.length);
  let w0 = 0;
  let w1 = 0;
  for (let r = 0; r < samples.length; r++) {
    const i = samples[r]!;
    if (b.y[i] === 1) w1 += b.weight[i]!;
    else w0 += b.weight[i]!;
  }
  out.value.push(w1 / (w0 + w1));
  const count = samples.length;
  if (depth >= b.maxDepth || count < b.minSplit || count < 2 * b.minLeaf || w0 === 0 || w1 === 0) return node;

  for (let r = 0; r < count; r++) b.stamp[samples[r]!] = node;
  let bestFeature = -1;
  let bestThreshold = 0;
  let bestCost = Infinity;
  const features = b.featureOrder;
  for (let j = 0; j < b.nFeatures; j++) features[j] = j;
  let tried = 0;
  for (let f = 0; f < b.nFeatures && tried < b.mtry; f++) {
    // Fisher–Yates step: draw the next feature among those not yet visited.
    const k = f + b.rng.int(b.nFeatures - f);
    const j = features[k]!;
    features[k] = features[f]!;
    features[f] = j;
    const x = b.col[j]!;
    const order = b.order;
    const all = b.sorted[j]!;
    const stamp = b.stamp;
    let m = 0;
    for (let r = 0; r < all.length; r++) {
      const i = all[r]!;
      if (stamp[i] === node) order[m++] = i;
    }
    if (x[order[count - 1]!]! <= x[order[0]!]! + 1e-7) continue; // constant here: not counted (as sklearn)
    tried++;
    let l0 = 0;
    let l1 = 0;
    for (let p = 1; p < count; p++) {
      const prev = order[p - 1]!;
      if (b.y[prev] === 1) l1 += b.weight[prev]!;
      else l0 += b.weight[prev]!;
      const a = x[prev]!;
      const c = x[order[p]!]!;
      if (c <= a + 1e-7) continue; // sklearn's FEATURE_THRESHOLD: no cut between (near-)equal values
      if (p < b.minLeaf || count - p < b.minLeaf) continue;
      const r0 = w0 - l0;
      const r1 = w1 - l1;
      const cost = (l0 + l1) * gini(l0, l1) + (r0 + r1) * gini(r0, r1);
      if (cost < bestCost) {
        bestCost = cost;
        bestFeature = j;
        bestThreshold = a / 2 + c / 2; // sklearn's form (same rounding)
        if (bestThreshold === c) bestThreshold = a;
      }
    }
  }
  if (bestFeature < 0) return node;
  out.feature[node] = bestFeature;
  out.threshold[node] = bestThreshold;
  const x = b.col[bestFeature]!;
  let nLeft = 0;
  for (let r = 0; r < count; r++) if (x[samples[r]!]! <= bestThreshold) nLeft++;
  const leftSamples = new Int32Array(nLeft);
  const rightSamples = new Int32Array(count - nLeft);
  let li = 0;
  let ri = 0;
  for (let r = 0; r < count; r++) {
    const i = samples[r]!;
    if (x[i]! <= bestThreshold) leftSamples[li++] = i;
    else rightSamples[ri++] = i;
  }
  const leftChild = grow(b, leftSamples, depth + 1);
  const rightChild = grow(b, rightSamples, depth + 1);
  out.left[node] = leftChild;
  out.right[node] = rightChild;
  return node;
}
