import { Rng } from '@spottune/random';
import { ValidationError } from '@spottune/errors';
import { flipVolume } from './augment-flip.ts';
import { rotateVolume } from './augment-rotate.ts';
import { noiseVolume } from './augment-noise.ts';
import { deformVolume } from './augment-deform.ts';
import { balanceByPruning, classWeights } from './class-balance.ts';
import type { Shape3, Volume3 } from './volume.ts';

export type AugmentName = 'flip' | 'rotate' | 'noise' | 'deform';
export const AUGMENTS: readonly AugmentName[] = ['flip', 'rotate', 'noise', 'deform'];

export interface AugmentContext {
  /** Reproduce the reference: rotate is a copy (Q3) and noise covers the whole volume (Q6). */
  faithful?: boolean;
  /** Tumour mask for the non-faithful noise (default: the volume's non-zero voxels). */
  mask?: Uint8Array;
}

/** The random stream of one augmented copy: derived from (experiment seed, patient, augment[, epoch]). */
export function augmentRng(
  seed: number | string,
  patientId: string,
  augment: AugmentName,
  epoch?: number,
): Rng {
  const root = new Rng(seed);
  return epoch === undefined
    ? root.fork('augment', patientId, augment)
    : root.fork('augment', patientId, augment, epoch);
}

/** Apply one named augment. */
export function applyAugment(
  name: AugmentName,
  volume: Volume3,
  rng: Rng,
  context: AugmentContext = {},
): Volume3 {
  const faithful = context.faithful ?? false;
  switch (name) {
    case 'flip':
      return flipVolume(volume);
    case 'rotate':
      return rotateVolume(volume, rng, { faithful });
    case 'noise':
      return noiseVolume(volume, rng, { insideMaskOnly: !faithful, mask: context.mask });
    case 'deform':
      return deformVolume(volume, rng);
  }
}

export interface TrainingPatient {
  id: string;
  label: 0 | 1;
  volume: Volume3;
  mask?: Uint8Array;
}

export interface TrainingSample {
  patientId: string;
  label: 0 | 1;
  /** 'base' or the augment that made this copy. */
  augment: 'base' | AugmentName;
  data: Float32Array;
  shape: Shape3;
}

export interface BuildTrainingSetOptions {
  patients: readonly TrainingPatient[];
  augments?: readonly AugmentName[];
  /** prune = reference §4 (default); weights = keep everything and report pos_weight; none. */
  balance?: 'prune' | 'weights' | 'none';
  /**
   * precomputed = one copy per patient and augment shared by every epoch, as the reference (Q7);
   * per-epoch = fresh copies each epoch (pass `epoch`).
   */
  mode?: 'precomputed' | 'per-epoch';
  epoch?: number;
  seed: number | string;
  /** Reference bugs Q3 and Q6 on (default false: real rotation, noise inside the tumour only). */
  faithful?: boolean;
}

export interface TrainingSet {
  samples: TrainingSample[];
  positives: number;
  negatives: number;
  /** N_neg / N_pos of the returned samples (1 after pruning). */
  posWeight: number;
}

/**
 * Base + one copy per augment for every training patient, then class balancing. Which copies survive
 * pruning depends only on the labels, so pruning is decided first and only the survivors are computed.
 */
export function buildTrainingSet(options: BuildTrainingSetOptions): TrainingSet {
  const augments = options.augments ?? AUGMENTS;
  const mode = options.mode ?? 'precomputed';
  if (mode === 'per-epoch' && options.epoch === undefined) {
    throw new ValidationError('buildTrainingSet: mode per-epoch needs the epoch number');
  }
  const epoch = mode === 'per-epoch' ? options.epoch : undefined;
  const byId = new Map(options.patients.map((p) => [p.id, p]));
  if (byId.size !== options.patients.length)
    throw new ValidationError('buildTrainingSet: a patient is listed twice');
  let plan = options.patients.flatMap((p) =>
    (['base', ...augments] as const).map((augment) => ({ patientId: p.id, label: p.label, augment })),
  );
  const balance = options.balance ?? 'prune';
  if (balance === 'prune') {
    const rng = new Rng(options.seed).fork('balance', epoch ?? 'static');
    plan = balanceByPruning(plan, rng);
  }
  const samples = plan.map(({ patientId, label, augment }): TrainingSample => {
    const patient = byId.get(patientId)!;
    const volume =
      augment === 'base'
        ? patient.volume
        : applyAugment(augment, patient.volume, augmentRng(options.seed, patientId, augment, epoch), {
            faithful: options.faithful,
            mask: patient.mask,
          });
    return { patientId, label, augment, data: volume.data, shape: volume.shape };
  });
  const weights = classWeights(samples);
  return {
    samples,
    positives: weights.positives,
    negatives: weights.negatives,
    posWeight: balance === 'weights' ? weights.posWeight : 1,
  };
}
