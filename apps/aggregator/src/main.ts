import { parseEnv } from '@spottune/config';
import { createLogger } from '@spottune/logger';
import { coerceError } from '@spottune/errors';
import { startAggregator } from './start-aggregator.ts';

/** Aggregator entry point: SIGTERM/SIGINT close gracefully; a second signal forces exit. */
export async function main(): Promise<void> {
  const config = parseEnv();
  const logger = createLogger({
    level: config.log.level,
    pretty: config.log.pretty,
    base: { app: 'aggregator' },
  });
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
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`aggregator: ${coerceError(e).stack}\n`);
    process.exit(1);
  });
}
