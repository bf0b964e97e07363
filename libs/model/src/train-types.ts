/** The public shapes of {@link trainModel}'s inputs, hooks and results (the contract with libs/jobs). */

export interface TrainSample {
  patientId: string;
  label: 0 | 1;
  /** [D,H,W] values, or channel-first [C,D,H,W] when `channels` > 1. */
  data: Float32Array;
  shape: [number, number, number];
  channels?: number;
}

export interface TrainData {
  train: TrainSample[];
  val: TrainSample[];
  test: TrainSample[];
}

export interface MetricSet {
  loss: number;
  auc: number;
  ap: number;
  sen: number;
  spe: number;
  acc: number;
  m: number;
}

export interface EpochReport {
  epoch: number;
  train: MetricSet;
  val: MetricSet;
  /** Learning rates in force during this epoch (the scheduler steps after it). */
  lrMain: number;
  lrAgent: number;
  /** SpotTune: fraction of this epoch's training samples routed through each block's fine-tuned copy. */
  policyStats?: { fineTunedFraction: number[] };
  durationMs: number;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

export interface TrainLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TrainHooks {
  signal?: AbortSignal;
  /** A checkpoint from {@link TrainHooks.onCheckpoint}: training continues after its epoch. */
  resume?: Uint8Array;
  onBatch?(p: BatchProgress): void | Promise<void>;
  onEpoch?(report: EpochReport): Promise<void>;
  onCheckpoint?(c: { epoch: number; bytes: Uint8Array; isBest: boolean }): Promise<void>;
  logger?: TrainLogger;
}

export interface Prediction {
  patientId: string;
  split: 'val' | 'test';
  /** Mean sigmoid probability over the Gumbel samples. */
  probability: number;
  label: 0 | 1;
  samples: number;
  /** SpotTune: per block, the fraction of samples that used the fine-tuned copy. */
  routing?: number[];
}

export interface TrainResult {
  backend: string;
  bestEpoch: number | null;
  selection: 'best' | 'last';
  epochs: EpochReport[];
  predictions: Prediction[];
}
