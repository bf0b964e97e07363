import type { Config } from '@spottune/config';
import { parseEnv } from '@spottune/config';
import { createLogger, type Logger } from '@spottune/logger';
import { coerceError } from '@spottune/errors';
import { startAggregator } from './start-aggregator.ts';

/** Run the aggregator until a signal: SIGTERM/SIGINT close gracefully; a second signal forces exit. */
export async function runAggregator(config: Config, logger: Logger): Promise<void> {
  const aggregator = await startAggregator(config, logger);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    logger.info({ signal }, 'shutting down');
    aggregator.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: coerceError(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await new Promise(() => {}); // runs until a signal
}

/** Entry point: parse the environment once, then run. */
export async function main(): Promise<void> {
  const config = parseEnv();
  const logger = createLogger({
    level: config.log.level,
    pretty: config.log.pretty,
    base: { app: 'aggregator' },
  });
  await runAggregator(config, logger);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`aggregator: ${coerceError(e).stack}\n`);
    process.exit(1);
  });
}
