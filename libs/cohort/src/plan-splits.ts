import { ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { stratifiedHoldoutCounts, stratifiedKFoldAssignment } from './sklearn-allocation.ts';
import type { ModalityGroup } from './modalities.ts';

/** A patient of a modality group with its label (1 = methylated, the positive class). */
export interface LabelledPatient {
  id: string;
  label: 0 | 1;
}

export interface PlanSplitsOptions {
  /** Patients per group. DSC anchors the hold-out; a missing group is not planned. */
  groups: Partial<Record<ModalityGroup, readonly LabelledPatient[]>>;
  /** Hold-out fraction (reference: 0.3). */
  testFraction?: number;
  /** Cross-validation folds (reference: 5). */
  folds?: number;
  seed: number | string;
  /**
   * Q9 fix: give the non-DSC hold-out patients of DTI/Struct to training (cross-validation) instead of
   * holding them out and discarding them at evaluation. Default false = faithful to the paper.
   */
  holdoutToTraining?: boolean;
}

export interface GroupSplit {
  group: ModalityGroup;
  /** Hold-out patients of this group, sorted (in faithful mode includes the non-DSC hold-out). */
  test: string[];
  /** The cross-validation patients (X_kfold), sorted. */
  train: string[];
  /** Validation patients of each fold, sorted; fold i trains on the other folds. */
  folds: string[][];
  /** Fold of each train patient. */
  foldOf: Record<string, number>;
  /** Hold-out patients that are not in the common DSC test set (never scored; Q9). */
  heldOutNotScored: string[];
}

export interface SplitPlan {
  seed: number | string;
  testFraction: number;
  folds: number;
  holdoutToTraining: boolean;
  /** The DSC hold-out: the common test patients every group is evaluated on. */
  commonTest: string[];
  groups: Partial<Record<ModalityGroup, GroupSplit>>;
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The DSC-anchored split of reference §3.1: a stratified 70:30 hold-out of the DSC patients; for DTI
 * and Struct, their non-DSC patients are split separately and unioned with the DSC split (non-DSC
 * first), and DSC patients absent from the group are dropped; then StratifiedKFold on the training
 * part. Counts follow sklearn exactly (see sklearn-allocation.ts); the shuffles use our Rng, so the
 * patients chosen differ from the reference's MT19937 run (Q8) — export the CSV to reproduce a split.
 */
export function planSplits(options: PlanSplitsOptions): SplitPlan {
  const testFraction = options.testFraction ?? 0.3;
  const nFolds = options.folds ?? 5;
  const holdoutToTraining = options.holdoutToTraining ?? false;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ValidationError(`testFraction must be in (0, 1), got ${testFraction}`);
  }
  if (!Number.isInteger(nFolds) || nFolds < 2)
    throw new ValidationError(`folds must be an integer ≥ 2, got ${nFolds}`);
  const root = new Rng(options.seed).fork('splits');
  for (const [group, patients] of Object.entries(options.groups)) checkPatients(group, patients ?? []);

  const dsc = options.groups.DSC ?? [];
  const dscSplit = holdout(dsc, testFraction, root.fork('holdout', 'DSC'));
  const dscIds = new Set(dsc.map((p) => p.id));
  const commonTest = [...dscSplit.test].map((p) => p.id).sort(byId);
  const groups: Partial<Record<ModalityGroup, GroupSplit>> = {};
  for (const group of ['DSC', 'DTI', 'Struct'] as const) {
    const patients = options.groups[group];
    if (patients === undefined) continue;
    let train: LabelledPatient[];
    let test: LabelledPatient[];
    if (group === 'DSC') {
      ({ train, test } = dscSplit);
    } else {
      const inGroup = new Set(patients.map((p) => p.id));
      const own = holdout(
        patients.filter((p) => !dscIds.has(p.id)),
        testFraction,
        root.fork('holdout', group),
      );
      // union(sort=False), non-DSC first; then drop DSC patients this group lacks (extra_dsc).
      train = [...own.train, ...dscSplit.train.filter((p) => inGroup.has(p.id))];
      test = [...own.test, ...dscSplit.test.filter((p) => inGroup.has(p.id))];
      if (holdoutToTraining) {
        train = [...own.train, ...own.test, ...dscSplit.train.filter((p) => inGroup.has(p.id))];
        test = dscSplit.test.filter((p) => inGroup.has(p.id));
      }
    }
    if (train.length < nFolds) {
      throw new ValidationError(
        `${group}: ${train.length} training patients cannot make ${nFolds} cross-validation folds`,
      );
    }
    const assignment = stratifiedKFoldAssignment(
      train.map((p) => p.label),
      nFolds,
      root.fork('kfold', group),
    );
    const folds = Array.from({ length: nFolds }, () => [] as string[]);
    const foldOf: Record<string, number> = {};
    train.forEach((p, i) => {
      folds[assignment[i]!]!.push(p.id);
      foldOf[p.id] = assignment[i]!;
    });
    const common = new Set(commonTest);
    const testIds = test.map((p) => p.id).sort(byId);
    groups[group] = {
      group,
      test: testIds,
      train: train.map((p) => p.id).sort(byId),
      folds: folds.map((f) => f.sort(byId)),
      foldOf,
      heldOutNotScored: testIds.filter((id) => !common.has(id)),
    };
  }
  return { seed: options.seed, testFraction, folds: nFolds, holdoutToTraining, commonTest, groups };
}

/**
 * `train_test_split(ids, y, test_size, stratify=y)` with sklearn's counts: each class's members are
 * permuted, the first n_i go to train and the next t_i to test; both sides are then permuted.
 */
function holdout(
  patients: readonly LabelledPatient[],
  testFraction: number,
  rng: Rng,
): { train: LabelledPatient[]; test: LabelledPatient[] } {
  if (patients.length === 0) return { train: [], test: [] };
  const classes = [0, 1] as const;
  // Sorted first so that the caller's order (a directory listing, a query) never changes the split.
  const members = classes.map((c) => patients.filter((p) => p.label === c).sort((a, b) => byId(a.id, b.id)));
  const counts = stratifiedHoldoutCounts(
    members.map((m) => m.length),
    testFraction,
    rng,
  );
  const train: LabelledPatient[] = [];
  const test: LabelledPatient[] = [];
  classes.forEach((_, k) => {
    const perm = rng.shuffle([...members[k]!]);
    train.push(...perm.slice(0, counts.train[k]));
    test.push(...perm.slice(counts.train[k], counts.train[k]! + counts.test[k]!));
  });
  return { train: rng.shuffle(train), test: rng.shuffle(test) };
}

function checkPatients(group: string, patients: readonly LabelledPatient[]): void {
  const seen = new Set<string>();
  for (const p of patients) {
    if (seen.has(p.id)) throw new ValidationError(`${group}: patient ${p.id} listed twice`);
    if (p.label !== 0 && p.label !== 1) {
      throw new ValidationError(`${group}: patient ${p.id} has label ${String(p.label)}, expected 0 or 1`);
    }
    seen.add(p.id);
  }
}
