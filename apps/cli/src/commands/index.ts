import type { RegisterCommand } from '../context.ts';
import { registerBenchCommand } from './bench.ts';
import { registerDbCommand } from './db.ts';
import { registerModelCommand } from './model.ts';
import { registerNiftiCommand } from './nifti.ts';
import { registerPreprocessCommand } from './preprocess.ts';
import { registerReportCommand } from './report.ts';
import { registerWeightsCommand } from './weights.ts';

/**
 * Every CLI command, one module each. Add a line here when adding a command file.
 */
export const commands: RegisterCommand[] = [
  registerBenchCommand,
  registerDbCommand,
  registerModelCommand,
  registerNiftiCommand,
  registerPreprocessCommand,
  registerReportCommand,
  registerWeightsCommand,
];
