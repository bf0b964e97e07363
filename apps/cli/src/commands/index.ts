import { Option, type Command } from 'commander';
import type { CliContext, RegisterCommand } from '../context.ts';
import { registerBenchCommand } from './bench.ts';
import { registerDbCommand } from './db.ts';
import { registerExperimentCommand } from './experiment.ts';
import { registerIngestCommand } from './ingest.ts';
import { registerModelCommand } from './model.ts';
import { registerNiftiCommand } from './nifti.ts';
import { registerPreprocessCommand } from './preprocess.ts';
import { registerServeCommand } from './serve.ts';
import { registerSplitsCommand } from './splits.ts';
import { registerSynthCommand } from './synth.ts';
import { registerWeightsCommand } from './weights.ts';
import { registerWorkerCommand } from './worker.ts';

/**
 * A command whose module imports heavy packages at its top (Prisma, BullMQ, tfjs, ...). Its module is
 * loaded only when the command line names it; otherwise only `name` and `description` are registered,
 * so that the top-level --help lists it without paying for the import. `description` must equal the
 * real one (startup.test.ts checks).
 */
export interface DeferredCommand {
  name: string;
  description: string;
  /** What the top-level --help shows after the name: whether it has options, and its arguments. */
  term: { options: boolean; arguments?: string };
  load: () => Promise<RegisterCommand>;
}

export type CommandEntry = RegisterCommand | DeferredCommand;

/**
 * Every CLI command, one module each, in --help order. Add a line here when adding a command file.
 * Command modules keep their heavy imports inside their actions (`await import(...)`) so that
 * `spottune --help` and light commands start fast; modules that cannot are listed as deferred.
 */
export const commands: CommandEntry[] = [
  registerBenchCommand,
  registerDbCommand,
  {
    name: 'demo',
    description:
      'synthetic cohort → ingest → splits → train every trial → ensembles → tables (embedded by default)',
    term: { options: true },
    load: async () => (await import('./demo.ts')).registerDemoCommand,
  },
  registerExperimentCommand,
  registerIngestCommand,
  registerModelCommand,
  registerNiftiCommand,
  registerPreprocessCommand,
  {
    name: 'report',
    description: 'write the self-contained HTML report (tables, curves, routing) of an experiment',
    term: { options: true, arguments: '<experimentId>' },
    load: async () => (await import('./report.ts')).registerReportCommand,
  },
  registerServeCommand,
  registerSplitsCommand,
  registerSynthCommand,
  registerWeightsCommand,
  registerWorkerCommand,
];

/**
 * Registers every command on `program`. A deferred command is loaded in full when `args` (the command
 * line after the executable and script) contains its name — as the command, or after `help` — and
 * registered as a name + description stub otherwise.
 */
export async function registerCommands(
  program: Command,
  context: () => CliContext,
  args: readonly string[],
): Promise<void> {
  const named = new Set(args);
  const registers = await Promise.all(
    commands.map(async (entry): Promise<RegisterCommand> => {
      if (typeof entry === 'function') return entry;
      if (named.has(entry.name)) return entry.load();
      return (p) => {
        const stub = p.command(entry.name).description(entry.description);
        if (entry.term.arguments !== undefined) stub.arguments(entry.term.arguments);
        // Only so that --help shows "[options]" as for the real command; the stub never parses.
        if (entry.term.options) stub.addOption(new Option('--deferred-stub').hideHelp());
      };
    }),
  );
  for (const register of registers) register(program, context);
}
