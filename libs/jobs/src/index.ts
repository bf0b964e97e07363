export { JOB_CATALOG, JOB_NAMES, QUEUES, backoffDelay, isJobName, parsePayload } from './catalog.ts';
export type { BackoffPolicy, Catalog, CatalogEntry, JobName, JobPayload, QueueName } from './catalog.ts';
export { experimentFlow, job } from './flow.ts';
export type { ExperimentFlow, Flow, JobSpec } from './flow.ts';
export { runProcessor } from './processor.ts';
export type { Handlers, JobContext, JobDeps, JobResults, Processor, Progress } from './processor.ts';
export { createInProcessRunner } from './runner/in-process-runner.ts';
export type {
  InProcessRunner,
  InProcessRunnerOptions,
  JobState,
  RunnerEvent,
} from './runner/in-process-runner.ts';
export { canonicalJson, hashCanonical } from './planning/canonical-json.ts';
export {
  ExperimentRequestSchema,
  NETWORKS,
  SEARCHABLE_PARAMS,
  experimentRequestJsonSchema,
} from './planning/experiment-request.ts';
export type {
  ExperimentRequest,
  ExperimentRequestInput,
  Network,
  TrainingSettings,
} from './planning/experiment-request.ts';
export {
  aggregateJobId,
  expandModalities,
  planExperiment,
  planSettings,
  trainJobId,
} from './planning/plan-experiment.ts';
export type { ExperimentPlan, PlannedTrial, TrialHyperparameters } from './planning/plan-experiment.ts';
export {
  ALL_DERIVATIVES,
  DERIVATIVES_BY_GROUP,
  MODALITY_GROUP_NAMES,
  groupOfDerivative,
  parseGroupUnion,
} from './planning/modalities.ts';
export type { ModalityGroup } from './planning/modalities.ts';
export { createExperiment, resolveCohort } from './experiments/create-experiment.ts';
export type { CreatedExperiment } from './experiments/create-experiment.ts';
export { createJobDeps } from './create-deps.ts';
export { handlers } from './handlers.ts';
export { checkpointKey } from './processors/train-trial.ts';
export { cohortFlow } from './flow.ts';
export type { CohortFlow } from './flow.ts';
export { createExperimentsRepository } from './experiments/experiments-repository.ts';
export type { ExperimentsRepository } from './experiments/experiments-repository.ts';
export { createBullmqProducer } from './queue/bullmq-producer.ts';
export type { QueueCounts, QueueProducer } from './queue/queue-producer.ts';
