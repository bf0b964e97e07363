import type { Handlers } from './processor.ts';
import { aggregateExperiment } from './processors/aggregate-experiment.ts';
import { finalizeCohort, ingestPatientJob } from './processors/ingest-patient.ts';
import { trainTrial } from './processors/train-trial.ts';

/** One processor per catalog entry (the type makes a missing one a compile error). */
export const handlers: Handlers = {
  'train-trial': trainTrial,
  'aggregate-experiment': aggregateExperiment,
  'ingest-patient': ingestPatientJob,
  'finalize-cohort': finalizeCohort,
};
