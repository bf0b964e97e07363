import { readFile } from 'node:fs/promises';
import { DataError, coerceError } from '@spottune/errors';
import { readNpy } from '@spottune/imaging';
import { buildTrainingSet, type AugmentName } from '@spottune/cohort';
import type { TrainData, TrainSample } from '@spottune/model';
import type { JobDeps } from '../processor.ts';
import type { TrialHyperparameters } from '../planning/plan-experiment.ts';
import { groupOfDerivative } from '../planning/modalities.ts';

export interface TrialRow {
  id: string;
  experimentId: string;
  modality: string;
  fold: number;
  seed: number;
}

/**
 * The trial's train/val/test samples: its group's split (fold k = validation, the other folds =
 * training, the hold-out = test), each volume pulled through the sha256-verified cache. Training
 * samples are augmented and class-balanced (@spottune/cohort). Missing volumes, checksum mismatches and
 * wrong shapes are DataErrors: permanent, never retried.
 */
export async function loadTrialData(
  deps: JobDeps,
  trial: TrialRow,
  hp: TrialHyperparameters,
): Promise<TrainData> {
  const group = groupOfDerivative(trial.modality);
  if (group === undefined) throw new DataError(`trial ${trial.id}: unknown modality ${trial.modality}`);
  const splits = await deps.db.prisma.split.findMany({
    where: { experimentId: trial.experimentId, modalityGroup: group },
    orderBy: { patient: { externalId: 'asc' } },
    select: {
      role: true,
      fold: true,
      patient: {
        select: {
          id: true,
          externalId: true,
          mgmt: true,
          volumes: {
            where: { modality: trial.modality },
            select: { status: true, storageKey: true, sha256: true, shape: true },
            orderBy: { updatedAt: 'desc' },
          },
        },
      },
    },
  });
  if (splits.length === 0) {
    throw new DataError(`trial ${trial.id}: no ${group} split rows for experiment ${trial.experimentId}`, {
      details: { failureCode: 'NO_SPLIT' },
    });
  }
  const expected = hp.inputSize;
  const load = async (split: (typeof splits)[number]): Promise<TrainSample> => {
    const { patient } = split;
    const volume = patient.volumes.find((v) => v.status === 'READY');
    if (volume === undefined || volume.storageKey === null || volume.sha256 === null) {
      throw new DataError(`patient ${patient.externalId} has no ready ${trial.modality} volume`, {
        details: { failureCode: 'MISSING_VOLUME', patient: patient.externalId, modality: trial.modality },
      });
    }
    const path = await deps.cache.fetch(volume.storageKey, volume.sha256);
    let array;
    try {
      array = readNpy(new Uint8Array(await readFile(path)), { name: volume.storageKey });
    } catch (e) {
      throw new DataError(`${volume.storageKey}: unreadable volume: ${coerceError(e).message}`, {
        cause: e,
        details: { failureCode: 'BAD_VOLUME' },
      });
    }
    const shape = array.shape;
    if (shape.length !== 3 || shape.some((n, i) => n !== expected[i])) {
      throw new DataError(
        `${volume.storageKey}: shape [${shape.join(', ')}], expected [${expected.join(', ')}] (training.inputSize)`,
        { details: { failureCode: 'WRONG_SHAPE', shape, expected } },
      );
    }
    const data =
      array.data instanceof Float32Array ? array.data : Float32Array.from(array.data as ArrayLike<number>);
    return {
      patientId: patient.id,
      label: patient.mgmt === 'METHYLATED' ? 1 : 0,
      data,
      shape: [shape[0]!, shape[1]!, shape[2]!],
    };
  };
  const train: TrainSample[] = [];
  const val: TrainSample[] = [];
  const test: TrainSample[] = [];
  for (const split of splits) {
    const sample = await load(split);
    if (split.role === 'TEST') test.push(sample);
    else if (split.fold === trial.fold) val.push(sample);
    else train.push(sample);
  }
  if (train.length === 0 || val.length === 0) {
    throw new DataError(`trial ${trial.id}: fold ${trial.fold} leaves an empty training or validation set`, {
      details: { failureCode: 'EMPTY_SPLIT' },
    });
  }
  const augments = (Object.keys(hp.augmentation) as AugmentName[]).filter((a) => hp.augmentation[a]);
  const set = buildTrainingSet({
    patients: train.map((s) => ({
      id: s.patientId,
      label: s.label,
      volume: { data: s.data, shape: s.shape },
    })),
    augments,
    balance: hp.balancing,
    seed: trial.seed,
  });
  return {
    train: set.samples.map((s) => ({
      patientId: s.patientId,
      label: s.label,
      data: s.data,
      shape: [s.shape[0], s.shape[1], s.shape[2]],
    })),
    val,
    test,
  };
}
