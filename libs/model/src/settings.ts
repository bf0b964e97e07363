import { ValidationError } from '@spottune/errors';
import type { Depth, Widths } from './architecture.ts';
import type { ParameterSource } from './parameter-store.ts';

/**
 * Switches that reproduce a bug of the reference code (reference-pipeline.md §12). All false = the
 * corrected behaviour (the default); {@link faithful} = every switch on.
 * - q13: bottleneck projection shortcut without its BN (`downsample.1` exists but is not applied).
 * - q14: layer3 blocks 3–5 are not loaded from pretrained weights (consumed by the weights loader).
 * - q15: only the first block of a stage is dilated (MedicalNet dilates every block of stages 3–4).
 * - q16: frozen BNs normalise with batch statistics and update their running stats in training.
 * - q23: the training epoch's SEN/SPE state leaks into the validation SEN/SPE (and thus M).
 * - q24: ReduceLROnPlateau in mode 'min' on val ACC + AUC.
 * - q33: evaluation with a random agent in train mode and a single Gumbel sample.
 */
export interface FaithfulFlags {
  q13: boolean;
  q14: boolean;
  q15: boolean;
  q16: boolean;
  q23: boolean;
  q24: boolean;
  q33: boolean;
}

export function corrected(): FaithfulFlags {
  return { q13: false, q14: false, q15: false, q16: false, q23: false, q24: false, q33: false };
}

export function faithful(): FaithfulFlags {
  return { q13: true, q14: true, q15: true, q16: true, q23: true, q24: true, q33: true };
}

export type NetworkKind = 'spottune' | 'resnet' | 'transfer';

export interface TrainSettings {
  network: NetworkKind;
  depth: Depth;
  widths: Widths;
  epochs: number;
  batchSize: number;
  /** Main network learning rate (Adam). */
  lr: number;
  /** Agent learning rate (Adam). */
  agentLr: number;
  /** Coupled L2 (torch Adam weight_decay) for both optimisers. */
  weightDecay: number;
  /** Gumbel-softmax temperature τ. */
  temperature: number;
  /** Gumbel samples per patient at the final evaluation (SpotTune only). */
  evalSamples: number;
  seed: number;
  faithful: FaithfulFlags;
  plateauFactor: number;
  plateauPatience: number;
  /** Stop when val M has not improved for this many epochs (off when absent). */
  earlyStoppingPatience?: number;
  /** Transfer baseline: also train the last N residual blocks (the notebook's `layer4` = 3). */
  unfreezeBlocks?: number;
  /** Pretrained weights (MedicalNet) loaded into the frozen and fine-tuned copies; null = random. */
  pretrained?: ParameterSource | null;
}

/** The paper's values (§6): batch 12, 90 epochs, Adam 1e-5 / 1e-4, L2 1e-8, τ = 100, plateau 0.1 / 20. */
export function defaultTrainSettings(overrides: Partial<TrainSettings> = {}): TrainSettings {
  const settings: TrainSettings = {
    network: 'spottune',
    depth: 50,
    widths: [64, 128, 256, 512],
    epochs: 90,
    batchSize: 12,
    lr: 1e-5,
    agentLr: 1e-4,
    weightDecay: 1e-8,
    temperature: 100,
    evalSamples: 100,
    seed: 42,
    faithful: corrected(),
    plateauFactor: 0.1,
    plateauPatience: 20,
    pretrained: null,
    // An explicit `undefined` override keeps the default.
    ...(Object.fromEntries(
      Object.entries(overrides).filter(([, v]) => v !== undefined),
    ) as Partial<TrainSettings>),
  };
  validateTrainSettings(settings);
  return settings;
}

export function validateTrainSettings(s: TrainSettings): void {
  const bad = (field: string, why: string): never => {
    throw new ValidationError(`TrainSettings.${field}: ${why}`, { details: { field } });
  };
  if (!['spottune', 'resnet', 'transfer'].includes(s.network)) bad('network', `unknown network ${s.network}`);
  if (![10, 18, 34, 50].includes(s.depth)) bad('depth', `must be 10, 18, 34 or 50, got ${s.depth}`);
  if (s.widths.length !== 4 || s.widths.some((w) => !Number.isInteger(w) || w < 1))
    bad('widths', 'must be four positive integers');
  if (!Number.isInteger(s.epochs) || s.epochs < 1) bad('epochs', 'must be a positive integer');
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) bad('batchSize', 'must be a positive integer');
  for (const k of ['lr', 'agentLr', 'temperature'] as const) if (!(s[k] > 0)) bad(k, 'must be > 0');
  if (!(s.weightDecay >= 0)) bad('weightDecay', 'must be >= 0');
  if (!Number.isInteger(s.evalSamples) || s.evalSamples < 1) bad('evalSamples', 'must be a positive integer');
  if (!(s.plateauFactor > 0 && s.plateauFactor < 1)) bad('plateauFactor', 'must be in (0, 1)');
  if (!Number.isInteger(s.plateauPatience) || s.plateauPatience < 0) bad('plateauPatience', 'must be >= 0');
  if (s.unfreezeBlocks !== undefined && (!Number.isInteger(s.unfreezeBlocks) || s.unfreezeBlocks < 0))
    bad('unfreezeBlocks', 'must be a non-negative integer');
}
