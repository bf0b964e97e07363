import { Command, CommanderError } from 'commander';
import { AppError, coerceError } from '@spottune/errors';
import { parseEnv } from '@spottune/config';
import { createLogger } from '@spottune/logger';
import { registerCommands } from './commands/index.ts';
import type { CliContext } from './context.ts';

/**
 * The `spottune` command line. Config is parsed once here and handed to every command through
 * {@link CliContext}; commands live one per file in ./commands and register themselves on the program.
 * Returns the process exit code (0 ok, 1 failure, 2 usage error).
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const program = new Command('spottune')
    .description('3D SpotTune for MGMT promoter methylation: data, models, experiments and reports')
    .showHelpAfterError()
    .exitOverride();
  let context: CliContext | undefined;
  const getContext = (): CliContext => {
    if (context === undefined) {
      const config = parseEnv(env);
      // Logs go to stderr so that --json output on stdout stays machine-readable.
      const logger = createLogger({
        level: config.log.level,
        pretty: config.log.pretty ?? process.stderr.isTTY,
        base: { app: 'cli' },
      });
      context = { config, logger, stdout: (text) => process.stdout.write(text) };
    }
    return context;
  };
  try {
    await registerCommands(program, getContext, argv.slice(2));
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const err = coerceError(e);
    if (err instanceof AppError) {
      process.stderr.write(`spottune: ${err.code}: ${err.message}\n`);
      return err.code === 'VALIDATION_FAILED' ? 2 : 1;
    }
    process.stderr.write(`spottune: unexpected error: ${err.stack ?? err.message}\n`);
    return 1;
  }
}
