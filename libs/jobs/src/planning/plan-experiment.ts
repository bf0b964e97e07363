import { Rng } from '@spottune/random';
import { ValidationError } from '@spottune/errors';
import { hashCanonical } from './canonical-json.ts';
import {
  SEARCHABLE_PARAMS,
  type ExperimentRequest,
  type Network,
  type SearchableParam,
  type TrainingSettings,
} from './experiment-request.ts';
import {
  DERIVATIVES_BY_GROUP,
  groupOfDerivative,
  parseGroupUnion,
  type ModalityGroup,
} from './modalities.ts';

/** The trial "modality" of the radiomics-rf baseline, and the split group it follows. */
export const RADIOMICS_MODALITY = 'radiomics';
export const RADIOMICS_GROUP: ModalityGroup = 'Struct';

/** What a trial trains with: the base settings with the searched parameters replaced. */
export type TrialHyperparameters = TrainingSettings & { evalSamples: number };

export interface PlannedTrial {
  /** Stable name of the trial inside its experiment: network/modality/fold/hpHash[0..12]. */
  key: string;
  network: Network;
  modality: string;
  group: ModalityGroup;
  fold: number;
  hyperparameters: TrialHyperparameters;
  /** sha256 of the canonical JSON of `hyperparameters`. */
  hpHash: string;
  /** 31-bit seed, derived from the experiment seed (`Rng(seed).fork('trial', …)`). */
  seed: number;
}

export interface ExperimentPlan {
  /** sha256 of the canonical request (with defaults filled in). */
  configHash: string;
  /** Modalities trained, in request order, deduplicated. */
  modalities: string[];
  /** Groups whose splits are needed. */
  groups: ModalityGroup[];
  /** The distinct hyper-parameter settings. */
  settings: TrialHyperparameters[];
  trials: PlannedTrial[];
}

/**
 * Expand a validated request into its trials: networks × modalities × folds × settings. Pure and
 * deterministic: the same request gives the same trials, hashes and seeds.
 * `folds` is the fold count of the split actually used (the request's, or the imported split's).
 */
export function planExperiment(request: ExperimentRequest, folds: number = request.folds): ExperimentPlan {
  const modalities = expandModalities(request);
  const radiomics = request.networks.includes('radiomics-rf');
  // The radiomics baseline follows the Struct split: its features come from the structural scans.
  const groups = [
    ...new Set([...modalities.map((m) => groupOfDerivative(m)!), ...(radiomics ? [RADIOMICS_GROUP] : [])]),
  ];
  const settings = planSettings(request);
  const root = new Rng(request.seed);
  const trials: PlannedTrial[] = [];
  for (const network of request.networks) {
    // radiomics-rf is one model per fold (six features from four structural scans), not one per derivative.
    const trialModalities = network === 'radiomics-rf' ? [RADIOMICS_MODALITY] : modalities;
    for (const modality of trialModalities) {
      for (let fold = 0; fold < folds; fold++) {
        for (const { hyperparameters, hpHash } of settings) {
          // fork() depends only on root's state, which no draw here advances: order-independent seeds.
          const seed = root.fork('trial', network, modality, fold, hpHash).nextUint32() >>> 1;
          trials.push({
            key: `${network}/${modality}/f${fold}/${hpHash.slice(0, 12)}`,
            network,
            modality,
            group: groupOfDerivative(modality) ?? RADIOMICS_GROUP,
            fold,
            hyperparameters,
            hpHash,
            seed,
          });
        }
      }
    }
  }
  return {
    configHash: hashCanonical(request),
    modalities,
    groups,
    settings: settings.map((s) => s.hyperparameters),
    trials,
  };
}

/** Derivatives named directly plus those of each group or union, first occurrence first. */
export function expandModalities(request: Pick<ExperimentRequest, 'modalities' | 'groups'>): string[] {
  const out: string[] = [...(request.modalities ?? [])];
  for (const name of request.groups ?? []) {
    const parts = parseGroupUnion(name);
    if (parts === undefined)
      throw new ValidationError(`unknown group "${name}"`, { details: { field: 'groups' } });
    for (const g of parts) out.push(...DERIVATIVES_BY_GROUP[g]);
  }
  return [...new Set(out)];
}

/**
 * The hyper-parameter settings: the base settings when no search is given; otherwise the union of
 * the grid draws and the one-parameter scans (each scan value on top of the base), deduplicated by hash.
 */
export function planSettings(
  request: Pick<ExperimentRequest, 'training' | 'search' | 'evalSamples' | 'seed'>,
): { hyperparameters: TrialHyperparameters; hpHash: string }[] {
  const base: TrialHyperparameters = { ...request.training, evalSamples: request.evalSamples };
  const candidates: TrialHyperparameters[] = [];
  const grid = request.search?.grid;
  if (grid !== undefined) {
    const rng = new Rng(request.seed).fork('grid');
    const params = SEARCHABLE_PARAMS.filter((p) => grid.space[p] !== undefined);
    for (let draw = 0; draw < grid.draws; draw++) {
      const setting = { ...base };
      for (const p of params) {
        const values = grid.space[p]!;
        setting[p] = values[rng.int(values.length)]!;
      }
      candidates.push(setting);
    }
  }
  const scans = request.search?.scans;
  if (scans !== undefined) {
    for (const p of ['epochs', 'lr', 'temperature'] as const satisfies readonly SearchableParam[]) {
      for (const value of scans[p] ?? []) candidates.push({ ...base, [p]: value });
    }
  }
  if (candidates.length === 0) candidates.push(base);
  const seen = new Set<string>();
  const out: { hyperparameters: TrialHyperparameters; hpHash: string }[] = [];
  for (const hyperparameters of candidates) {
    const hpHash = hashCanonical(hyperparameters);
    if (seen.has(hpHash)) continue;
    seen.add(hpHash);
    out.push({ hyperparameters, hpHash });
  }
  return out;
}

/** The BullMQ job id of a trial's training job: deterministic, no ':' (BullMQ reserves it). */
export function trainJobId(trialId: string): string {
  return `train-${trialId}`;
}

/** The BullMQ job id of an experiment's aggregation (flow parent). */
export function aggregateJobId(experimentId: string): string {
  return `aggregate-${experimentId}`;
}
