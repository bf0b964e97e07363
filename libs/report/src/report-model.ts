/**
 * Everything the experiment report shows, already read from the database. Rendering is a pure
 * function of this model (render-report.ts); loading it is load-report-model.ts.
 */
export interface MetricCell {
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface EnsembleRow {
  network: string;
  /** fold | modality | group | combination */
  level: string;
  name: string;
  patients: number;
  /** auc, ap, sen, spe, acc */
  metrics: Record<string, MetricCell>;
  roc: [number, number][];
  pr: [number, number][];
  missing: number;
}

export interface StatRow {
  kind: string;
  scope: string;
  comparison: string;
  statistic: number | null;
  pValue: number;
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  valAuc: number | null;
  valM: number | null;
}

export interface TrialCurve {
  trialId: string;
  network: string;
  modality: string;
  fold: number;
  status: string;
  bestEpoch: number | null;
  selection: string | null;
  hyperparameters: Record<string, unknown>;
  epochs: EpochPoint[];
  failureReason: string | null;
}

export interface RoutingPatient {
  patientId: string;
  label: number;
  /** Per block: fraction of Gumbel samples (averaged over SpotTune trials) using the fine-tuned copy. */
  routing: number[];
}

export interface ReportModel {
  experiment: {
    id: string;
    name: string;
    status: string;
    seed: number;
    createdAt: string;
    finishedAt: string | null;
  };
  ensembles: EnsembleRow[];
  statistics: StatRow[];
  trials: TrialCurve[];
  routing: RoutingPatient[];
  generatedAt: string;
}

/** The order of the paper's table rows; other names follow alphabetically. */
export const ENSEMBLE_ORDER = [
  'DSC',
  'DTI',
  'Struct',
  'DSC+DTI',
  'DSC+Struct',
  'DTI+Struct',
  'DSC+DTI+Struct',
];

/** Display names of the networks, in the paper's order. */
export const NETWORK_TITLES: Record<string, string> = {
  spottune: 'SpotTune',
  resnet: 'Randomly initialised ResNet',
  transfer: 'Transferred weights (MedicalNet)',
  'radiomics-rf': 'Radiomics random forest',
};
