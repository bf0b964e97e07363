import type { RegisterCommand } from '../context.ts';
import { registerBenchCommand } from './bench.ts';
import { registerDbCommand } from './db.ts';
import { registerDemoCommand } from './demo.ts';
import { registerExperimentCommand } from './experiment.ts';
import { registerIngestCommand } from './ingest.ts';
import { registerModelCommand } from './model.ts';
import { registerNiftiCommand } from './nifti.ts';
import { registerPreprocessCommand } from './preprocess.ts';
import { registerReportCommand } from './report.ts';
import { registerServeCommand } from './serve.ts';
import { registerSplitsCommand } from './splits.ts';
import { registerSynthCommand } from './synth.ts';
import { registerWeightsCommand } from './weights.ts';
import { registerWorkerCommand } from './worker.ts';

/**
 * Every CLI command, one module each. Add a line here when adding a command file.
 */
export const commands: RegisterCommand[] = [
  registerBenchCommand,
  registerDbCommand,
  registerDemoCommand,
  registerExperimentCommand,
  registerIngestCommand,
  registerModelCommand,
  registerNiftiCommand,
  registerPreprocessCommand,
  registerReportCommand,
  registerServeCommand,
  registerSplitsCommand,
  registerSynthCommand,
  registerWeightsCommand,
  registerWorkerCommand,
];
