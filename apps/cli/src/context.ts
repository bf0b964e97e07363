import type { Command } from 'commander';
import type { Config } from '@spottune/config';
import type { Logger } from '@spottune/logger';

/** What every command gets from `main`: the parsed config, a logger (stderr) and stdout. */
export interface CliContext {
  config: Config;
  logger: Logger;
  stdout: (text: string) => void;
}

/** A command module: adds its (sub)commands to the program. `context()` parses config on first use. */
export type RegisterCommand = (program: Command, context: () => CliContext) => void;
