import type { Rng } from '@spottune/random';

export interface Labelled {
  /** 1 = methylated (positive), 0 = unmethylated. */
  label: 0 | 1;
}

/**
 * Reference §4 balancing: shuffle the majority-class entries (base and augmented alike) and drop the
 * last ones until both classes have as many entries; the survivors keep their original order.
 * (The reference only ever pruned negatives — its `to_remove = N − 2·N_pos` is negative when positives
 * dominate, so it then pruned nothing; here the majority is pruned whichever it is.)
 */
export function balanceByPruning<T extends Labelled>(samples: readonly T[], rng: Rng): T[] {
  const pos = samples.filter((s) => s.label === 1).length;
  const neg = samples.length - pos;
  if (pos === neg) return [...samples];
  const majority: 0 | 1 = neg > pos ? 0 : 1;
  const toRemove = Math.abs(neg - pos);
  const majorityIndices = samples.flatMap((s, i) => (s.label === majority ? [i] : []));
  rng.shuffle(majorityIndices);
  const drop = new Set(majorityIndices.slice(majorityIndices.length - toRemove));
  return samples.filter((_, i) => !drop.has(i));
}

/** `BCEWithLogitsLoss(pos_weight = N_neg / N_pos)`, the reference's unused alternative to pruning. */
export function classWeights(samples: readonly Labelled[]): {
  posWeight: number;
  positives: number;
  negatives: number;
} {
  const positives = samples.filter((s) => s.label === 1).length;
  const negatives = samples.length - positives;
  return { posWeight: positives === 0 ? 1 : negatives / positives, positives, negatives };
}
